"""A protected witness's real name written in *someone else's* text: screened in every script and spelling,
shown as the pseudonym to every reader who may not read witness identities — in the search index and its
snippets, the ORM rows a reader's session loads (pages, API), exports, bundles and dossiers — whether the
text was written before or after the witness was added, and after the witness key is rotated. The writer
is warned. On SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import json
import zipfile

import pytest
from sqlalchemy import text

from dadkhah.access import SYSTEM, audience, can_see, operator
from dadkhah.access.screen import find_names, load_screen, mask_text
from dadkhah.claims import add_claim
from dadkhah.claims.service import claim_to_dict, list_claims
from dadkhah.ingest import IngestOptions, ingest_paths
from dadkhah.interchange.csvout import export_csv
from dadkhah.interchange.jsonl import export_jsonl
from dadkhah.lists.importer import import_list
from dadkhah.lists.mapping import Mapping
from dadkhah.model import Person
from dadkhah.records import add_event, add_person, add_source
from dadkhah.records.service import entity_to_dict
from dadkhah.store.search import search
from dadkhah.vault import witness as w
from dadkhah.vault.bundle import PAYLOAD, BundleError, build_bundle
from dadkhah.vault.evidence import item_text, list_items
from dadkhah.vault.testimony import add_testimony, list_testimony
from dadkhah.vault.testimony import testimony_to_dict as _testimony_dict

# The witness's real names as the identity records them (Latin and Persian) ...
REAL = ["Farangis Zarghampour", "فرنگیس ضرغام‌پور"]
# ... and how documenters write them in other texts: other spellings, cases, orders, letters, joins.
SPELLINGS = ["FARANGIS ZARGHAMPOUR", "Farangiss Zarghampoor", "فرنگيس ضرغامپور", "Zarghampour, Farangis",
             "Farangis Zargham-pour", "farangis zarghampour", "فرنگیس ضرغام پور"]
# what must never reach a lower reader (word pieces of the name, any script)
NEEDLES = ("zarghampo", "zargham-pour", "ضرغام", "farangis", "فرنگيس", "فرنگیس")
LOWER = ("public", "restricted", "prosecutor")


def _clean(where: str, content: str) -> None:
    low = content.lower()
    for needle in NEEDLES:
        assert needle not in low, f"{needle!r} leaked into {where}"


def _texts(case, tmp_path, n0: int = 0) -> dict:
    """Write the name into twelve kinds of text, each in a different spelling (cycling)."""
    sp = [SPELLINGS[(n0 + i) % len(SPELLINGS)] for i in range(14)]
    with case.session() as s:
        speaker = add_person(s, names=["Hamid Ordinary"], id=f"person-speaker{n0}")
        namesake = add_person(s, names=[sp[0]], id=f"person-namesake{n0}",  # (1) an ordinary person's name
                              description=f"Cousin of {sp[1]}")  # (2) a description
        source = add_source(s, source_type="report", title=f"Letter from {sp[2]}", id=f"src-{n0}")  # (3) title
        add_event(s, event_type="arrest", label=f"Arrest of {sp[3]}", id=f"event-{n0}")  # (4) an event label
        add_claim(s, subject_id=speaker.id, predicate="statement", statement=f"{sp[4]} was in Evin",  # (5)
                  citations=[{"source_id": source.id, "quotation": f"I saw {sp[5]} there"}],  # (6) quotation
                  sensitivity="restricted")
        add_testimony(s, witness_id=speaker.id, transcript=f"In 1988 I shared a cell with {sp[6]}.",  # (7)
                      notes=f"Mentions {sp[7]} twice", interviewer="Investigator A",  # (8) notes
                      sensitivity="restricted", language="en")
        ids = {"speaker": speaker.id, "namesake": namesake.id, "source": source.id}
    doc = tmp_path / f"evidence-{n0}.txt"
    doc.write_text(f"Statement. The prisoner {sp[8]} was moved to ward 3.", encoding="utf-8")  # (9) evidence text
    ingest_paths(case, [doc], options=IngestOptions(sensitivity="restricted", note=f"Given by {sp[9]}",  # (10)
                                                    link_entities=[ids["speaker"]]))
    rows = tmp_path / f"list-{n0}.csv"
    with open(rows, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["Name", "Notes"])
        writer.writerow([sp[10], f"sister of {sp[11]}"])  # (11, 12) a list row's name and another field
        writer.writerow(["Ali Ahmadi", "no note"])
    import_list(case, rows, f"family-{n0}", mapping=Mapping(columns={"full_name": "Name", "notes": "Notes"}))
    return ids


@pytest.fixture
def screened(case, tmp_path, witness_env):
    """Texts written before the witness is added, the witness, then texts written after."""
    before = _texts(case, tmp_path, 0)
    warned: list[str] = []
    case.warn = warned.append
    with case.session() as s:
        keyring, _ = w.init_key(s, w.Secret.key_file(witness_env))
        witness = w.add_protected_witness(s, keyring, pseudonym="W-FZ88", identity={"names": REAL})
        wid = witness.id
    after = _texts(case, tmp_path, 5)
    return {"witness": wid, "before": before, "after": after, "warned": warned, "tmp": tmp_path}


def _outputs(case, principal, tmp_path, tag: str) -> dict[str, str]:
    """Everything a reader gets, as text."""
    out: dict[str, str] = {}
    hits = []
    for q in ("Zarghampour", "ضرغام‌پور", "Farangis Zarghampour", "فرنگیس", "ward", "Evin", "cell"):
        with case.reader(principal) as s:
            hits += [h.to_dict() for h in search(s, q, principal=principal, limit=50)]
    out["search"] = json.dumps(hits, ensure_ascii=False)
    with case.reader(principal) as s:
        out["testimony"] = json.dumps([_testimony_dict(s, t, principal) for t in list_testimony(s, principal)],
                                      ensure_ascii=False)
        out["claims"] = json.dumps([claim_to_dict(c, principal) for c in list_claims(s, principal=principal)],
                                   ensure_ascii=False)
        out["entities"] = json.dumps([entity_to_dict(s, p, principal) for p in s.query(Person).all()],
                                     ensure_ascii=False, default=str)
        out["evidence"] = " ".join(item_text(s, i) + " " + (i.title or "") for i in list_items(s, principal))
        from dadkhah.lists.service import record_to_dict, records
        from dadkhah.lists.tables import ListRecord

        out["lists"] = json.dumps([list(r) for r in records(s, principal)] +
                                  [record_to_dict(s, r, principal) for r in s.query(ListRecord).all()
                                   if can_see(principal, r)],
                                  ensure_ascii=False, default=str)
    path = tmp_path / f"export-{tag}.jsonl"
    export_jsonl(case, path, principal=principal)
    out["jsonl"] = path.read_text(encoding="utf-8")
    folder = tmp_path / f"csv-{tag}"
    export_csv(case, folder, principal)
    out["csv"] = " ".join(p.read_text(encoding="utf-8-sig") for p in folder.iterdir())
    return out


def test_the_writer_is_warned(screened):
    warned = " ".join(screened["warned"])
    # the texts written after the witness was added: testimony, claim, citation, names, evidence text
    for table in ("testimony", "claim", "citation", "name_form", "person", "source", "event", "evidence"):
        assert table in warned, f"no warning for {table}: {screened['warned']}"
    assert "W-FZ88" in warned


def test_no_lower_reader_meets_the_name_in_any_kind_of_text(case, screened):
    for name in LOWER:
        outputs = _outputs(case, audience(name), screened["tmp"], name)
        for where, content in outputs.items():
            _clean(f"the {name} {where}", content)
        if name != "public":  # the texts are there, with the pseudonym in the name's place
            assert "Witness W-FZ88" in outputs["testimony"] and "Witness W-FZ88" in outputs["claims"]
            assert "Witness W-FZ88" in outputs["evidence"] and "Witness W-FZ88" in outputs["jsonl"]
            assert "Witness W-FZ88" in outputs["lists"]
    # the index itself never holds the name below confidential
    with case.engine.connect() as conn:
        rows = conn.execute(text("SELECT body, keys, label FROM search_doc "
                                 "WHERE sensitivity <> 'confidential'")).all()
    _clean("the search index below confidential", " ".join(map(str, rows)))


def test_an_identity_reader_reads_the_real_texts(case, screened):
    principal = audience("internal")
    outputs = _outputs(case, principal, screened["tmp"], "internal")
    assert "zarghampo" in outputs["testimony"].lower() and "farangis" in outputs["search"].lower()
    assert "ضرغام" in outputs["evidence"] or "zargham" in outputs["evidence"].lower()


def witness_named_in_testimony(case, witness_env) -> None:
    """A protected witness "Canaryzad Quxbeh" (W-CQ01), and an ordinary person's restricted testimony that
    names them."""
    with case.session() as s:
        keyring, _ = w.init_key(s, w.Secret.key_file(witness_env))
        w.add_protected_witness(s, keyring, pseudonym="W-CQ01", identity={"names": ["Canaryzad Quxbeh"]})
        p = add_person(s, names=["Reza Ordinary"])
        add_testimony(s, witness_id=p.id, transcript="I was with Canaryzad Quxbeh in 1988.",
                      sensitivity="restricted")


def test_the_issue_reproduction(case, witness_env):
    """witness add "Canaryzad Quxbeh"; an ordinary person's restricted testimony names them; a restricted
    search for Quxbeh finds no snippet with the name, and /testimony and the export do not show it."""
    witness_named_in_testimony(case, witness_env)
    restricted = audience("restricted")
    with case.reader(restricted) as s:
        hits = search(s, "Quxbeh", principal=restricted)
        assert all("quxbeh" not in (h.snippet + h.label).lower() for h in hits)
        [t] = list_testimony(s, restricted)
        assert _testimony_dict(s, t, restricted)["transcript"] == "I was with Witness W-CQ01 in 1988."
    with case.reader(operator()) as s:
        assert "Canaryzad Quxbeh" in list_testimony(s, operator())[0].transcript
        hits = search(s, "Quxbeh", principal=operator())
        assert any("quxbeh" in h.snippet.lower() for h in hits), [h.to_dict() for h in hits]


def test_still_screened_after_the_key_is_rotated(case, screened, witness_env, tmp_path):
    new_key = tmp_path / "new.key"
    new_key.write_text("ab" * 32)
    with case.session() as s:
        old = w.unlock(s, w.Secret.key_file(witness_env))
        w.rotate_key(s, old, w.Secret.key_file(new_key))
    for where, content in _outputs(case, audience("restricted"), tmp_path, "rotated").items():
        _clean(f"the restricted {where} after rotation", content)


def test_a_bundle_for_a_lower_audience_refuses_an_exhibit_naming_the_witness(case, screened, tmp_path):
    with pytest.raises(BundleError, match=r"names a protected witness \(Witness W-FZ88\)"):
        build_bundle(case, tmp_path / "b.zip", persons=[screened["before"]["speaker"]], audience="prosecutor")
    out = tmp_path / "internal.zip"
    build_bundle(case, out, persons=[screened["before"]["speaker"]], audience="internal")
    with zipfile.ZipFile(out) as zf:
        assert any("ward 3" in zf.read(n).decode("utf-8", "replace") for n in zf.namelist()
                   if n.startswith(PAYLOAD + "derived/"))


def test_mask_text_units(case, screened):
    with case.reader(audience("restricted")) as s:
        screen = load_screen(s)
    assert mask_text("Seyyed Farangis Zarghampour, born 1340", screen)[0] == "Witness W-FZ88, born 1340"
    assert mask_text("Farangis Ahmadi and Ali Zarghampour", screen)[1] == []  # the parts alone are other people
    assert find_names("شاهد فرنگیس ضرغام‌پور گفت", screen)
    assert mask_text("", screen) == ("", []) and mask_text(None, screen) == (None, [])


def test_dossiers_name_no_witness_below_identity_readers(case, screened):
    from dadkhah.dossier.person import person_dossier
    from dadkhah.dossier.render import render_html

    speaker = screened["before"]["speaker"]
    for name in ("prosecutor", "restricted"):
        with case.reader(SYSTEM) as s:  # the operator's session: the dossier binds its own audience
            html = render_html("person.html", person_dossier(s, speaker, name, with_chain=False))
        _clean(f"the {name} dossier", html)
        assert "Witness W-FZ88" in html
    with case.reader(SYSTEM) as s:
        html = render_html("person.html", person_dossier(s, speaker, "internal", with_chain=False))
    assert "zarghampo" in html.lower()
