"""Testimony records, and mentions of known entities that dadkhah suggests and a person confirms or rejects."""

from __future__ import annotations

import pytest

from dadkhah.access import SYSTEM
from dadkhah.errors import InputError
from dadkhah.ingest import IngestOptions, ingest_paths
from dadkhah.records import add_organization, add_person, add_place
from dadkhah.vault.testimony import (
    add_testimony,
    decide_mention,
    mentions_of,
    suggest_mentions,
)
from dadkhah.vault.testimony import (
    testimony_to_dict as describe_testimony,
)

TRANSCRIPT = ("In the summer of 1988 I was taken from Evin to Gohardasht. Hamid Nouri read the names in the "
              "corridor. Later I heard that Nouri was an assistant to the prosecutor.")


@pytest.fixture
def known(case):
    with case.session() as s:
        add_person(s, names=["Hamid Nouri", {"text": "Nouri", "kind": "family"}], id="person-nouri")
        add_person(s, names=["Asadollah Lajevardi"], id="person-lajevardi")
        add_place(s, place_type="prison", names=["Gohardasht Prison", "Gohardasht"], id="place-gohardasht")
        add_place(s, place_type="prison", names=["Evin"], id="place-evin")
        add_organization(s, org_type="judiciary", names=["Death Commission"], id="org-commission")
        w = add_person(s, names=["Witness Seven"], id="person-w7")
        return w.id


def test_a_testimony_records_its_context_and_evidence_items(case, known, tmp_path):
    (tmp_path / "interview.wav").write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 40)
    [audio] = ingest_paths(case, [tmp_path / "interview.wav"], options=IngestOptions(ocr=False)).results
    with case.session() as s:
        t = add_testimony(s, witness_id=known, transcript=TRANSCRIPT, interviewer="Investigator A", date="1401-05-08",
                          place_id="place-evin", language="en", consent_scope="prosecution",
                          items=[(audio.item_id, "audio")])
        d = describe_testimony(s, t, SYSTEM)
    assert d["items"] == [{"item_id": audio.item_id, "role": "audio"}]
    assert d["consent_scope"] == "prosecution" and d["sensitivity"] == "restricted"
    assert d["date"]["text"] == "1401-05-08"


def test_known_persons_and_places_mentioned_in_a_transcript_are_suggested(case, known):
    with case.session() as s:
        t = add_testimony(s, witness_id=known, transcript=TRANSCRIPT)
        new = suggest_mentions(s, t.id)
        found = {(m.entity_id, m.text) for m in new}
    assert ("person-nouri", "Hamid Nouri") in found
    assert ("place-gohardasht", "Gohardasht") in found and ("place-evin", "Evin") in found
    assert ("person-nouri", "Nouri") in found  # the family name alone, later in the text
    assert not any(e == "person-lajevardi" for e, _ in found)
    assert all(m.status == "suggested" for m in new)
    spans = {m.text: (m.start, m.end) for m in new}
    start, end = spans["Hamid Nouri"]
    assert TRANSCRIPT[start:end] == "Hamid Nouri"


def test_a_person_confirms_or_rejects_each_suggestion_and_rejected_ones_stay_rejected(case, known):
    with case.session(actor="reviewer-b") as s:
        t = add_testimony(s, witness_id=known, transcript=TRANSCRIPT)
        new = suggest_mentions(s, t.id)
        evin = next(m for m in new if m.entity_id == "place-evin")
        nouri = next(m for m in new if m.text == "Hamid Nouri")
        decide_mention(s, evin.id, "rejected")
        decide_mention(s, nouri.id, "confirmed")
        with pytest.raises(InputError):
            decide_mention(s, nouri.id, "maybe")
    with case.session() as s:
        assert suggest_mentions(s, t.id) == []  # nothing new: decisions are kept
        assert [m.entity_id for m in mentions_of(s, t.id, "confirmed")] == ["person-nouri"]
        assert mentions_of(s, t.id, "rejected")[0].decided_by == "reviewer-b"


def test_a_confidential_name_form_is_not_suggested_in_a_less_sensitive_testimony(case, known):
    with case.session() as s:
        add_person(s, names=["Secret Informant"], id="person-secret", sensitivity="confidential")
        t = add_testimony(s, witness_id=known, transcript="Then Secret Informant came in.")
        assert suggest_mentions(s, t.id) == []


def test_a_testimony_needs_a_known_witness(case):
    with case.session() as s:
        with pytest.raises(InputError, match="no person with id 'person-nobody'"):
            add_testimony(s, witness_id="person-nobody", transcript="...")


def test_a_name_written_in_persian_finds_the_person_recorded_in_latin_script(case, known):
    transcript = "حمید نوری اسامی را در راهرو می‌خواند."
    with case.session() as s:
        t = add_testimony(s, witness_id=known, transcript=transcript, language="fa")
        found = {(m.entity_id, m.text) for m in suggest_mentions(s, t.id)}
    assert ("person-nouri", "حمید نوری") in found


def test_a_readable_testimony_does_not_name_a_witness_whose_record_the_reader_may_not_see(case, known):
    from dadkhah.access import Principal, Role

    with case.session() as s:
        hidden = add_person(s, names=["Canary Hiddenwitness"], sensitivity="confidential")
        t = add_testimony(s, witness_id=hidden.id, transcript="I saw the trucks.", sensitivity="restricted")
        as_viewer = describe_testimony(s, t, Principal(name="v", role=Role.viewer))
        as_operator = describe_testimony(s, t, SYSTEM)
    assert as_viewer["witness"]["label"] is None and "Canary" not in str(as_viewer)
    assert as_operator["witness"]["label"] == "Canary Hiddenwitness"
