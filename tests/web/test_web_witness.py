"""Protected witnesses on the web: a pseudonym everywhere, the identity only by an explicit, audited
unmasking, by a role allowed to unmask, with the witness key."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from web_helpers import CANARY_WITNESS, csrf_of, seed

# The vault's encryption does not depend on the backend: SQLite only (the API tests and the access matrix run on both).
pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


@pytest.fixture
def key_file(tmp_path):
    key = tmp_path / "witness.key"
    key.write_text("cd" * 32)
    return str(key)


@pytest.fixture
def witness(web, key_file, monkeypatch):
    monkeypatch.setenv("DADKHAH_WITNESS_KEY_FILE", key_file)
    return seed(web.case, witness_key=key_file)["witness"]


def test_the_person_page_shows_the_pseudonym_and_offers_unmasking_only_to_those_allowed(web, witness):
    viewer = web.client("viewer").get(f"/persons/{witness}").text
    assert "Protected witness" in viewer and "/unmask" not in viewer and "Witnessnameh" not in viewer
    investigator = web.client("investigator").get(f"/persons/{witness}").text
    assert f"/persons/{witness}/unmask" in investigator and "Witnessnameh" not in investigator


def test_an_investigator_unmasks_a_witness_and_the_opening_is_audited(web, witness):
    from dadkhah.store.audit import AuditEntry

    r = web.api("investigator").post(f"/api/witnesses/{witness}/unmask", json={"purpose": "prosecutor's request"})
    assert r.status_code == 200
    assert CANARY_WITNESS in [n["text"] for n in r.json()["identity"]["names"]]
    assert r.headers["cache-control"] == "no-store"
    with web.case.reader() as s:
        entries = s.execute(select(AuditEntry.actor, AuditEntry.after)
                            .where(AuditEntry.action == "unmask", AuditEntry.record_id == witness)).all()
    assert entries == [("investigator", {"purpose": "prosecutor's request"})]


def test_the_unmask_form_shows_the_identity_once(web, witness):
    c = web.client("admin")
    r = c.post(f"/persons/{witness}/unmask", data={"csrf_token": csrf_of(c, f"/persons/{witness}"),
                                                   "purpose": "verification"})
    assert r.status_code == 200 and CANARY_WITNESS in r.text and "12 Canary Lane" in r.text


@pytest.mark.parametrize("role, status", [("viewer", 403), ("analyst", 403), ("reviewer", 403), (None, 401)])
def test_other_roles_cannot_unmask(web, witness, role, status):
    r = web.api(role).post(f"/api/witnesses/{witness}/unmask", json={"purpose": "curiosity"})
    assert r.status_code == status and "Witnessnameh" not in r.text


def test_without_the_witness_key_unmasking_says_what_is_missing(web, witness, monkeypatch):
    monkeypatch.delenv("DADKHAH_WITNESS_KEY_FILE")
    r = web.api("investigator").post(f"/api/witnesses/{witness}/unmask", json={"purpose": "x"})
    assert r.status_code == 422 and "locked" in r.json()["detail"]
    wrong = web.api("investigator").post(f"/api/witnesses/{witness}/unmask",
                                         json={"purpose": "x", "passphrase": "not the right passphrase"})
    assert wrong.status_code == 422 and "Witnessnameh" not in wrong.text
