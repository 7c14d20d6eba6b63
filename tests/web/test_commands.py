"""The web capability's commands: users and tokens from the command line."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from dadkhah.cli import app


def test_users_are_added_listed_and_given_tokens_from_the_command_line(tmp_path, monkeypatch):
    data = str(tmp_path / "case")
    runner = CliRunner()
    monkeypatch.setenv("NEW_PASSWORD", "a long enough password")
    assert runner.invoke(app, ["--data", data, "init"]).exit_code == 0
    r = runner.invoke(app, ["--data", data, "users", "add", "maryam", "--role", "reviewer", "--password-env",
                            "NEW_PASSWORD", "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout) == {"name": "maryam", "role": "reviewer"}
    r = runner.invoke(app, ["--data", data, "users", "token", "maryam", "--name", "script", "--json"])
    token = json.loads(r.stdout)["token"]
    assert token.startswith("dk_")
    r = runner.invoke(app, ["--data", data, "users", "list", "--json"])
    assert json.loads(r.stdout) == [{"name": "maryam", "role": "reviewer", "active": True, "tokens": 1}]

    from fastapi.testclient import TestClient

    from dadkhah.case import Case
    from dadkhah.web.app import Settings, create_app

    with Case.open(data_dir=data) as case:
        me = TestClient(create_app(case, Settings())).get("/api/me", headers={"Authorization": f"Bearer {token}"})
        assert me.json()["name"] == "maryam"


def test_bad_user_input_is_refused_with_a_clear_message(tmp_path, monkeypatch):
    data = str(tmp_path / "case")
    runner = CliRunner()
    monkeypatch.setenv("PW", "short")
    runner.invoke(app, ["--data", data, "init"])
    r = runner.invoke(app, ["--data", data, "users", "add", "x", "--role", "viewer", "--password-env", "PW"])
    assert r.exit_code == 1 and "at least 8 characters" in r.output
    monkeypatch.setenv("PW", "long enough password")
    r = runner.invoke(app, ["--data", data, "users", "add", "x", "--role", "emperor", "--password-env", "PW"])
    assert r.exit_code == 1 and "unknown role" in r.output
    r = runner.invoke(app, ["--data", data, "users", "token", "nobody"])
    assert r.exit_code == 1 and "no user named" in r.output


def test_a_server_process_warms_up_and_freezes_its_start_up_objects_out_of_the_collector(case):
    """`dadkhah serve` readies each process before its first request: lazily imported modules, compiled
    templates, one pooled connection; then gc.freeze() keeps full collections from walking it all."""
    import gc
    import sys

    from dadkhah.web.app import SWITCH_INTERVAL_S, WARM_MODULES, warm_up
    from dadkhah.web.render import TEMPLATES, environment

    before = sys.getswitchinterval()
    try:
        warm_up(case)
        assert gc.get_freeze_count() > 10_000
        assert all(name in sys.modules for name in WARM_MODULES)
        assert environment().cache is not None and len(environment().cache) >= len(list(TEMPLATES.glob("*.html")))
        assert sys.getswitchinterval() == SWITCH_INTERVAL_S
        assert case.engine.pool.checkedin() >= 1
    finally:
        gc.unfreeze()
        sys.setswitchinterval(before)


def test_the_query_builder_runs_from_the_command_line_as_on_the_page(tmp_path):
    import sys

    sys.path.insert(0, str(__import__("pathlib").Path(__file__).parent))
    from web_helpers import seed

    from dadkhah.case import Case

    data = str(tmp_path / "case")
    with Case.open(data_dir=data, create=True) as case:
        ids = seed(case)
    runner = CliRunner()
    args = ["--data", data, "query", "role=victim", "event_type=اعدام", "place=Evin",
            "event_date:between=۱۳۶۷/۰۵/۰۱..1367/06/01", "--json"]
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["total"] == 1 and [i["id"] for i in doc["items"]] == [ids["victim"]]
    assert doc["share"].startswith("/query?kind=person&c0f=role")
    # one date alone means within it; the same participation must carry role and place
    r = runner.invoke(app, ["--data", data, "query", "role=witness,victim", "place=Evin", "event_date=1988", "--json"])
    assert {i["id"] for i in json.loads(r.stdout)["items"]} == {ids["victim"], ids["secret"]}
    r = runner.invoke(app, ["--data", data, "query", "--kind", "event", "name:contains=khavaran"])
    assert r.exit_code == 0 and ids["burial"] in r.stdout and "1 event(s) found" in r.stderr
    for bad, said in ((["role=dancer"], "'dancer' is not a term"), (["nonsense"], "is not FIELD[:OP]=VALUE"),
                      (["colour=red"], "no field 'colour'"), (["birth:between=1340"], "needs two dates")):
        r = runner.invoke(app, ["--data", data, "query", *bad])
        assert r.exit_code == 1 and said in r.stderr, (bad, r.stderr)
