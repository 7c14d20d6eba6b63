"""Protected witnesses on the web: a pseudonym everywhere, the identity only by an explicit, audited
unmasking, by a role allowed to unmask, with the witness key."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from web_helpers import CANARY_WITNESS, csrf_of, seed

from dadkhah.access import SYSTEM

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
    with web.case.reader(SYSTEM) as s:
        entries = s.execute(select(AuditEntry.actor, AuditEntry.after)
                            .where(AuditEntry.action == "unmask", AuditEntry.record_id == witness)).all()
    assert entries == [("investigator", {"purpose": "prosecutor's request", "role": "investigator"})]


@pytest.mark.parametrize("body", [{}, {"purpose": ""}, {"purpose": "   "}, {"purpose": "why"}])
def test_unmasking_without_a_stated_purpose_is_refused(web, witness, body):
    r = web.api("investigator").post(f"/api/witnesses/{witness}/unmask", json=body)
    assert r.status_code in (400, 422) and CANARY_WITNESS not in r.text and "purpose" in r.text
    c = web.client("admin")
    page = c.post(f"/persons/{witness}/unmask", data={"csrf_token": csrf_of(c, f"/persons/{witness}"),
                                                      **{k: v for k, v in body.items()}})
    assert page.status_code == 422 and CANARY_WITNESS not in page.text


def test_the_witness_page_shows_the_unmask_history_to_those_allowed(web, witness):
    r = web.api("investigator").post(f"/api/witnesses/{witness}/unmask", json={"purpose": "hearing preparation"})
    assert r.status_code == 200
    page = web.client("admin").get(f"/persons/{witness}").text
    assert "hearing preparation" in page and "investigator" in page
    assert "hearing preparation" not in web.client("viewer").get(f"/persons/{witness}").text


def test_the_unmask_form_shows_the_identity_once(web, witness):
    c = web.client("admin")
    r = c.post(f"/persons/{witness}/unmask", data={"csrf_token": csrf_of(c, f"/persons/{witness}"),
                                                   "purpose": "verification"})
    assert r.status_code == 200 and CANARY_WITNESS in r.text and "12 Canary Lane" in r.text


@pytest.mark.parametrize("role, status", [("viewer", 403), ("analyst", 403), ("reviewer", 403), (None, 401)])
def test_other_roles_cannot_unmask(web, witness, role, status):
    r = web.api(role).post(f"/api/witnesses/{witness}/unmask", json={"purpose": "curiosity about it"})
    assert r.status_code == status and "Witnessnameh" not in r.text


def test_without_the_witness_key_unmasking_says_what_is_missing(web, witness, monkeypatch):
    monkeypatch.delenv("DADKHAH_WITNESS_KEY_FILE")
    r = web.api("investigator").post(f"/api/witnesses/{witness}/unmask", json={"purpose": "checking the key"})
    assert r.status_code == 422 and "locked" in r.json()["detail"]
    wrong = web.api("investigator").post(f"/api/witnesses/{witness}/unmask",
                                         json={"purpose": "checking the key", "passphrase": "not the right passphrase"})
    assert wrong.status_code == 422 and "Witnessnameh" not in wrong.text


def test_an_editor_registers_a_protected_witness_on_the_web(web, key_file, monkeypatch):
    monkeypatch.setenv("DADKHAH_WITNESS_KEY_FILE", key_file)
    seed(web.case, witness_key=key_file)
    c = web.client("investigator")
    form = c.get("/witnesses/new")
    assert form.status_code == 200 and 'name="names"' in form.text
    r = c.post("/witnesses/new", data={"csrf_token": csrf_of(c, "/witnesses/new"), "pseudonym": "W-WEB1",
                                       "names": "Farangis Zarghampour\nفرنگیس ضرغام‌پور"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    person = r.headers["location"]
    page = c.get(person).text
    assert "W-WEB1" in page and "Zarghampour" not in page
    assert web.client("viewer").get("/witnesses/new").status_code == 403
    empty = c.post("/witnesses/new", data={"csrf_token": csrf_of(c, "/witnesses/new"), "names": ""})
    assert empty.status_code == 422
    # the API too
    api = web.api("investigator").post("/api/witnesses", json={"names": ["Canaryzad Quxbeh"], "pseudonym": "W-API1"})
    assert api.status_code == 201 and api.json()["pseudonym"] == "W-API1" and "Quxbeh" not in api.text


def test_a_testimony_naming_a_protected_witness_warns_the_writer_and_is_masked_for_readers(web, witness):
    c = web.client("investigator")
    persons = web.api("investigator").get("/api/persons").json()
    ordinary = next(p["id"] for p in persons["items"] if p["id"] != witness)
    r = c.post("/testimony/new", data={"csrf_token": csrf_of(c, "/testimony/new"), "witness_id": ordinary,
                                       "transcript": f"I met {CANARY_WITNESS} in ward 4.", "sensitivity": "restricted",
                                       "consent_scope": "unspecified"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].endswith("?screened=1")
    assert 'id="screened"' in c.get(r.headers["location"]).text
    tid = r.headers["location"].split("/")[-1].split("?")[0]
    viewer_page = web.client("viewer").get(f"/testimony/{tid}").text
    assert CANARY_WITNESS not in viewer_page and "ward 4" in viewer_page
    assert CANARY_WITNESS not in web.client("viewer").get("/testimony").text
    assert CANARY_WITNESS in c.get(f"/testimony/{tid}").text  # an investigator may read identities
    api = web.api("investigator").post("/api/testimony", json={"witness_id": ordinary,
                                                               "transcript": f"{CANARY_WITNESS} again",
                                                               "sensitivity": "restricted"})
    assert api.status_code == 201 and "names a protected witness" in " ".join(api.json()["warnings"])
    search = web.api("viewer").get("/api/search", params={"q": "ward"}).text
    assert CANARY_WITNESS.split()[0] not in search
