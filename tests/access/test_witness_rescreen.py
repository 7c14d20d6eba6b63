"""`dadkhah witness rescreen`: a case whose texts were indexed before its witnesses' names were screened
(made, imported or restored before the screen existed) is screened again — the search index and its
snippets then hold the pseudonym for every lower reader. On SQLite and PostgreSQL (the command line on
SQLite: it takes a case folder)."""

from __future__ import annotations

import json
import os

import pytest
from sqlalchemy import delete
from test_witness_screen import witness_named_in_testimony
from typer.testing import CliRunner

from dadkhah.access import SYSTEM, audience
from dadkhah.access.screen import WitnessScreen
from dadkhah.store.search import rebuild_index, search
from dadkhah.vault import witness as w

RESTRICTED = audience("restricted")


def _leaks(case) -> list[str]:
    with case.reader(RESTRICTED) as s:
        return [h.snippet for h in search(s, "Quxbeh", principal=RESTRICTED)
                if "quxbeh" in (h.snippet + h.label).lower()]


@pytest.fixture
def unscreened(case, witness_env):
    """A witness, an ordinary person's testimony naming them — and the screen lost, the index re-made
    without it (as in a case restored from before the screen existed)."""
    witness_named_in_testimony(case, witness_env)
    assert _leaks(case) == []
    with case.session() as s:
        s.execute(delete(WitnessScreen))
        s.info.pop("screen", None)
        rebuild_index(s)  # indexed again with no screen: the real name in the index
    assert _leaks(case), "the setup must reproduce an unscreened index"
    return case


def test_rescreen_all_screens_the_index_again(unscreened, witness_env):
    with unscreened.session() as s:
        result = w.rescreen_all(s, w.unlock(s, w.Secret.key_file(witness_env)))
    assert result["witnesses"] == 1 and result["reindexed"] >= 1
    assert _leaks(unscreened) == []
    with unscreened.reader(SYSTEM) as s:  # identity readers still find the real text
        assert any("quxbeh" in h.snippet.lower() for h in search(s, "Quxbeh", principal=SYSTEM))


def test_the_command_line_rescreens(unscreened, witness_env):
    from dadkhah.cli import app

    if unscreened.backend != "sqlite":
        pytest.skip("the command line takes a case folder")
    env = {"DADKHAH_WITNESS_KEY_FILE": str(witness_env)}
    r = CliRunner().invoke(app, ["--data", str(unscreened.data_dir), "witness", "rescreen", "--json"], env=env)
    assert r.exit_code == 0, r.output
    result = json.loads(r.stdout)
    assert result["witnesses"] == 1 and result["reindexed"] >= 1
    assert _leaks(unscreened) == []


def test_rescreen_without_the_key_is_refused(unscreened, monkeypatch):
    from dadkhah.cli import app

    if unscreened.backend != "sqlite":
        pytest.skip("the command line takes a case folder")
    monkeypatch.delenv("DADKHAH_WITNESS_KEY_FILE", raising=False)
    env = {k: v for k, v in os.environ.items() if not k.startswith("DADKHAH_WITNESS")}
    r = CliRunner().invoke(app, ["--data", str(unscreened.data_dir), "witness", "rescreen"], env=env)
    assert r.exit_code != 0
    assert _leaks(unscreened)  # nothing was changed
