"""The REST API's victim lists and linkage: import a list by upload (with or without a mapping, strict or not),
read lists and their bad rows, the latest run, the clusters as ``list,row,cluster`` and why a cluster holds
what it holds — each through the caller's principal (a list above their level is not found)."""

from __future__ import annotations

import csv
import io

import pytest
from web_helpers import two_lists

from dadkhah.access import SYSTEM

CANARY_ROW = "Listcanary Zandani"  # a name in a confidential list: only admins and investigators may read it


def _upload(api, name: str, text: str, *, file_name: str = "list.csv", mapping: str = "", strict: bool = False):
    data = {"name": name, "strict": str(strict).lower()}
    if mapping:
        data["mapping"] = mapping
    return api.post("/api/lists", data=data, files={"file": (file_name, text.encode("utf-8"), "text/csv")})


@pytest.fixture
def linked(web):
    api = web.api("investigator")
    a, b = two_lists()
    for name, text in (("list-a", a), ("list-b", b)):
        r = _upload(api, name, text)
        assert r.status_code == 201, r.text
    r = _upload(api, "secret-list", f"name,father\n{CANARY_ROW},Ali\nMaryam Ahmadi,Hassan\n",
                mapping="full_name: name\nfather_name: father\nsensitivity: confidential\n")
    assert r.status_code == 201, r.text
    from dadkhah.linkage.service import run_linkage

    run_linkage(web.case, actor="t", principal=SYSTEM)
    return web


def test_a_list_is_imported_by_upload_with_a_mapping_and_read_back(web):
    api = web.api("investigator")
    text = "نام,نام خانوادگی,تاریخ تولد\nعلی,احمدی,۱۳۴۰\nمریم,رضایی,not a date\n"
    mapping = "given_name: نام\nfamily_name: نام خانوادگی\nbirth_date: تاریخ تولد\ncalendar: jalali\n"
    r = _upload(api, "family-list", text, file_name="خانواده.csv", mapping=mapping)
    assert r.status_code == 201, r.text
    report = r.json()
    assert report["list"] == "family-list" and report["counts"]["good"] == 2
    assert report["counts"]["kept_with_problems"] == 1 and report["file"] == "خانواده.csv"
    assert report["mapping"]["given_name"] == "نام" and report["sha256"]
    [bad] = api.get("/api/lists/family-list/errors").json()["errors"]
    assert bad["line"] == 3 and bad["field"] == "birth_date" and bad["kept"] is True
    one = api.get("/api/lists/family-list").json()
    assert one["records"] == 2 and one["version"] == 1 and one["imports"][0]["bad_rows"] == 1
    assert [x["name"] for x in api.get("/api/lists").json()["lists"]] == ["family-list"]
    # the file's own name is kept, nothing is left in the staging folder
    staging = web.case.data_dir / "staging" / "lists"
    assert not any(staging.iterdir())


def test_without_a_mapping_one_is_proposed_and_strict_imports_nothing_when_a_row_is_bad(web):
    api = web.api("admin")
    r = _upload(api, "ngo", "Name,Date of death\nAli Ahmadi,1988-07-30\nReza Karimi,1988-13-45\n")
    assert r.status_code == 201 and r.json()["mapping"]["full_name"] == "Name", r.text
    strict = _upload(api, "ngo2", "Name,Date of death\nAli Ahmadi,1988-07-30\nReza Karimi,1988-13-45\n", strict=True)
    assert strict.status_code == 422 and "nothing imported" in strict.json()["detail"]
    assert strict.json()["detail"].startswith("list.csv:3: ") and "staging" not in strict.text
    assert strict.json()["field"] == "death_date"
    assert api.get("/api/lists/ngo2").status_code == 404


@pytest.mark.parametrize("name, file_name, mapping, field", [
    ("", "list.csv", "", "name"), ("cluster", "list.csv", "", "name"), ("ok", "list.exe", "", "file"),
    ("ok", "list.csv", "given_name: [unclosed", None), ("ok", "list.csv", "colour: Name\n", "colour"),
    ("ok", "list.csv", "sensitivity: secret\n", "sensitivity"),
])
def test_a_bad_upload_is_refused_with_422_naming_the_problem(web, name, file_name, mapping, field):
    r = _upload(web.api("investigator"), name, "Name\nAli Ahmadi\n", file_name=file_name, mapping=mapping)
    assert r.status_code == 422, r.text
    if field:
        assert r.json()["field"] == field, r.json()
    assert "staging" not in r.text
    assert web.api("investigator").get("/api/lists").json()["lists"] == []


def test_importing_needs_the_edit_right(web):
    assert _upload(web.api(), "x", "Name\nAli\n").status_code == 401
    for role in ("viewer", "reviewer", "analyst"):
        assert _upload(web.api(role), "x", "Name\nAli\n").status_code == 403


def test_a_list_above_the_callers_level_is_not_found_and_its_rows_are_never_exported(linked):
    web = linked
    assert "secret-list" in {x["name"] for x in web.api("investigator").get("/api/lists").json()["lists"]}
    for role in ("analyst", "reviewer", "viewer"):
        api = web.api(role)
        assert "secret-list" not in api.get("/api/lists").text
        assert api.get("/api/lists/secret-list").status_code == 404
        assert api.get("/api/lists/secret-list/errors").status_code == 404
    analyst = web.api("analyst").get("/api/link/export").text
    assert "secret-list" not in analyst and CANARY_ROW not in analyst
    assert "secret-list" in web.api("investigator").get("/api/link/export").text


def test_the_export_is_list_row_cluster_as_the_command_writes_it(linked):
    web = linked
    r = web.api("analyst").get("/api/link/export")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert list(rows[0]) == ["list", "row", "cluster"] and len(rows) == 60
    assert [int(x["row"]) for x in rows if x["list"] == "list-a"] == list(range(1, 31))
    as_json = web.api("analyst").get("/api/link/export?format=json").json()["rows"]
    assert [(x["list"], str(x["row"]), x["cluster"]) for x in as_json] == [(x["list"], x["row"], x["cluster"])
                                                                          for x in rows]
    # people in both lists share a cluster
    clusters: dict[str, set[str]] = {}
    for x in rows:
        clusters.setdefault(x["cluster"], set()).add(x["list"])
    assert sum(1 for lists in clusters.values() if lists == {"list-a", "list-b"}) >= 10
    assert web.api("viewer").get("/api/link/export").status_code == 403
    assert web.api().get("/api/link/export").status_code == 401
    assert web.api("analyst").get("/api/link/export?format=xml").status_code == 422


def test_the_latest_run_and_a_clusters_explanation_need_the_review_right(linked):
    web = linked
    status = web.api("reviewer").get("/api/link").json()
    assert status["records"] == 60 and status["clusters"] < 60 and status["threshold"] > 0
    assert web.api("investigator").get("/api/link").json()["records"] == 62  # with the confidential list's rows
    rows = list(csv.DictReader(io.StringIO(web.api("investigator").get("/api/link/export").text)))
    shared = next(c for c in {x["cluster"] for x in rows}
                  if {x["list"] for x in rows if x["cluster"] == c} == {"list-a", "list-b"})
    why = web.api("reviewer").get(f"/api/link/clusters/{shared}").json()
    assert why["cluster"] == shared and len(why["records"]) >= 2 and why["links"]
    assert all(link["levels"] for link in why["links"])
    assert web.api("viewer").get("/api/link").status_code == 403
    assert web.api("viewer").get(f"/api/link/clusters/{shared}").status_code == 403
    assert web.api("reviewer").get("/api/link/clusters/nonsense").status_code == 422
    assert web.api("reviewer").get("/api/link/clusters/c999999").status_code == 404


def test_before_any_run_the_linkage_routes_say_so(web):
    r = web.api("admin").get("/api/link/export")
    assert r.status_code == 404 and "link run" in r.json()["detail"]
    assert web.api("admin").get("/api/link").json() == {"run": None}


def test_a_list_larger_than_the_upload_limit_is_refused_and_nothing_of_it_is_kept(web):
    import dataclasses

    web.app.state.settings = dataclasses.replace(web.app.state.settings, max_upload_mb=0)
    r = _upload(web.api("investigator"), "big", "Name\nAli Ahmadi\n")
    assert r.status_code == 422 and r.json()["field"] == "file" and "upload limit" in r.json()["detail"]
    assert not any((web.case.data_dir / "staging" / "lists").iterdir())
    assert web.api("investigator").get("/api/lists").json()["lists"] == []
    from web_helpers import csrf_of

    page = web.client("investigator")
    refused = page.post("/lists/import?lang=fa", data={"csrf_token": csrf_of(page, "/lists/import"), "name": "big"},
                        files={"file": ("big.csv", b"Name\nAli Ahmadi\n", "text/csv")})
    assert refused.status_code == 422 and "بزرگ‌تر است" in refused.text


def test_a_list_whose_name_holds_a_slash_is_read_and_its_errors_too(web):
    api = web.api("investigator")
    assert _upload(api, "Amnesty 1990/2018", "Name,Age\nAli Ahmadi,x\n", mapping="full_name: Name\nage: Age\n"
                   ).status_code == 201
    assert api.get("/api/lists/Amnesty%201990/2018").json()["records"] == 1
    assert api.get("/api/lists/Amnesty 1990%2F2018").json()["name"] == "Amnesty 1990/2018"
    [bad] = api.get("/api/lists/Amnesty%201990/2018/errors").json()["errors"]
    assert bad["field"] == "age" and bad["kept"] is True
    assert api.get("/api/lists/nope/errors").status_code == 404
