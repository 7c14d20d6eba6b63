"""The canary: a protected witness's real name appears in nothing an unauthorised audience gets —
no export (JSONL, CSV), no search result or snippet, no bundle, no log line — on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
import zipfile

import pytest
from sqlalchemy import text

from dadkhah.access import SYSTEM, Principal, Role, anonymous, audience
from dadkhah.claims import add_claim
from dadkhah.ingest import IngestOptions, ingest_paths
from dadkhah.interchange.csvout import export_csv
from dadkhah.interchange.jsonl import export_jsonl
from dadkhah.records import add_person, add_source
from dadkhah.store.search import search
from dadkhah.vault import witness as w
from dadkhah.vault.bundle import build_bundle
from dadkhah.vault.testimony import add_testimony, suggest_mentions
from dadkhah.vault.witness import unlock

CANARIES = ("Zzcanary", "Qqwitness", "زززکاناری", "Canarystraat")
UNAUTHORISED = ("public", "restricted", "prosecutor")


def _assert_clean(label: str, content: str) -> None:
    for canary in CANARIES:
        assert canary.lower() not in content.lower(), f"{canary!r} leaked into {label}"


@pytest.fixture
def protected_case(case, tmp_path, witness_env, caplog):
    caplog.set_level(logging.DEBUG)
    with case.session() as s:
        keyring, _ = w.init_key(s, w.Secret.key_file(witness_env))
        witness = w.add_protected_witness(
            s, keyring, pseudonym="W-CANA",
            identity={"names": ["Zzcanary Qqwitness", "زززکاناری"], "address": "7 Canarystraat, Utrecht",
                      "birth": "1342"})
        nouri = add_person(s, names=["Hamid Nouri"], id="person-nouri")
        source = add_source(s, source_type="testimony", title="Interview with W-CANA", id="src-w")
        add_claim(s, subject_id=nouri.id, predicate="participated", statement="W-CANA saw Nouri at Gohardasht",
                  citations=[{"source_id": source.id, "quotation": "I saw him in the corridor"}],
                  sensitivity="restricted")
        t = add_testimony(s, witness_id=witness.id, language="en", interviewer="Investigator A",
                          transcript="My name is Zzcanary Qqwitness. In 1988 I saw Hamid Nouri at Gohardasht.")
        suggest_mentions(s, t.id)
        witness_id = witness.id
    doc = tmp_path / "statement-W-CANA.txt"
    doc.write_text("Signed statement of witness W-CANA about the corridor at Gohardasht.")
    ingest_paths(case, [doc], options=IngestOptions(supplied_by=witness_id, source_id="src-w",
                                                    link_entities=[witness_id, "person-nouri"]))
    return {"witness": witness_id, "tmp": tmp_path}


def test_the_canary_is_in_no_export_search_bundle_or_log_for_an_unauthorised_audience(
        case, protected_case, tmp_path, caplog, capsys):
    witness_id = protected_case["witness"]
    # the identity is stored only as ciphertext, and no lower-sensitivity index or name form holds it
    with case.engine.connect() as conn:
        for table in ("witness_identity", "witness_key", "name_form", "entity", "evidence_item", "custody_event"):
            rows = conn.execute(text(f"SELECT * FROM {table}")).all()
            _assert_clean(f"table {table}", " ".join(map(str, rows)))
        rows = conn.execute(text("SELECT body, keys, label FROM search_doc WHERE sensitivity <> 'confidential'")).all()
        _assert_clean("the search index below confidential", " ".join(map(str, rows)))

    for name in UNAUTHORISED:
        principal = audience(name)
        out = tmp_path / f"export-{name}.jsonl"
        export_jsonl(case, out, principal=principal)
        _assert_clean(f"the {name} JSONL export", out.read_text(encoding="utf-8"))
        folder = tmp_path / f"csv-{name}"
        export_csv(case, folder, principal)
        _assert_clean(f"the {name} CSV export", " ".join(p.read_text(encoding="utf-8") for p in folder.iterdir()))

        bundle = tmp_path / f"bundle-{name}.zip"
        selection = {"persons": [witness_id, "person-nouri"]} if name != "public" else {"entities": ["src-w"]}
        try:
            build_bundle(case, bundle, audience=name, allow_empty=True, **selection)
        except Exception as exc:  # noqa: BLE001 - a refusal is fine, as long as it does not name the witness
            _assert_clean(f"the {name} bundle error", str(exc))
        else:
            with zipfile.ZipFile(bundle) as z:
                for member in z.namelist():
                    _assert_clean(f"{member} of the {name} bundle", z.read(member).decode("utf-8", "replace"))

    for principal in (anonymous(), Principal("viewer", Role.viewer), Principal("analyst", Role.analyst),
                      audience("prosecutor")):
        with case.reader(principal) as s:
            for query in (*CANARIES, "Zzcanary Qqwitness", "W-CANA", "Gohardasht", "Witness", "corridor"):
                for hit in search(s, query, principal=principal, limit=50):
                    _assert_clean(f"search hit for {query!r} ({principal.role})", f"{hit.label} {hit.snippet}")
            view = w.witness_view(s, witness_id, principal, unlock(s))
            assert "identity" not in view
            _assert_clean("the witness view", str(view))

    _assert_clean("log records", "\n".join(r.getMessage() for r in caplog.records))
    captured = capsys.readouterr()
    _assert_clean("stdout/stderr", captured.out + captured.err)


def test_the_canary_is_there_for_an_authorised_investigator_with_the_key(case, protected_case):
    from dadkhah.access import operator

    with case.session() as s:
        identity = w.unmask(s, protected_case["witness"], operator("investigator"), unlock(s),
                            purpose="checking the canary test")
    assert identity["names"][0]["text"] == "Zzcanary Qqwitness"
    with case.reader(SYSTEM) as s:
        hits = search(s, "Zzcanary", principal=operator())
    assert [h.kind for h in hits] == ["testimony"]  # the confidential transcript, for the confidential ceiling


def test_a_bundle_naming_a_protected_witness_is_refused_when_the_key_can_check_it(case, protected_case, tmp_path):
    from dadkhah.vault.bundle import BundleError

    leak = tmp_path / "leak.txt"
    leak.write_text("Letter from Zzcanary Qqwitness to the court")
    [r] = ingest_paths(case, [leak], options=IngestOptions(link_entities=["person-nouri"])).results
    with case.reader(SYSTEM) as s:
        keyring = unlock(s)
    with pytest.raises(BundleError, match="would reveal the identity of protected witness W-CANA") as exc:
        build_bundle(case, tmp_path / "b.zip", items=[r.item_id], keyring=keyring)
    _assert_clean("the refusal", str(exc.value))
    assert not (tmp_path / "b.zip").exists()


def test_a_protected_witness_testimony_below_confidential_must_not_name_them(case, protected_case):
    from dadkhah.errors import InputError

    with case.session() as s:
        with pytest.raises(InputError, match="name the protected witness") as exc:
            add_testimony(s, witness_id=protected_case["witness"], sensitivity="restricted", keyring=unlock(s),
                          transcript="I, زززکاناری, was held in ward 3.")
        _assert_clean("the refusal", str(exc.value))
        t = add_testimony(s, witness_id=protected_case["witness"], sensitivity="restricted", keyring=unlock(s),
                          transcript="I was held in ward 3 in the summer of 1988.")
        assert t.sensitivity == "restricted"
