"""Property: whatever sensitivities records, names, sources, claims and testimony get, no output for an
audience — search hits and snippets, entity pages, claims, testimony, JSON Lines and CSV exports — holds a
text above that audience's level; and a protected witness's name written into a text reaches only readers
who may read identities. Random cases by hypothesis, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import secrets
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dadkhah.access import LEVELS, audience, may_read_identities, rank, stricter
from dadkhah.claims import add_claim, list_claims
from dadkhah.claims.service import claim_to_dict
from dadkhah.interchange.csvout import export_csv
from dadkhah.interchange.jsonl import export_jsonl
from dadkhah.model import Person
from dadkhah.records import add_name, add_person, add_source
from dadkhah.records.service import entity_to_dict
from dadkhah.store.search import search
from dadkhah.vault import witness as w
from dadkhah.vault.testimony import add_testimony, list_testimony
from dadkhah.vault.testimony import testimony_to_dict as _testimony_dict

AUDIENCES = ("public", "restricted", "prosecutor", "internal")
level = st.sampled_from(LEVELS)
record = st.fixed_dictionaries({"person": level, "name": level, "source_a": level, "source_b": level,
                                "claim": level, "testimony": level, "names_witness": st.booleans()})


def _word() -> str:
    return "zq" + "".join(secrets.choice(string.ascii_lowercase) for _ in range(10))


def _plant(case, spec: dict, witness_names: list[str]) -> dict[str, str]:
    """Write one random record set; returns canary word → the level a reader needs to see it."""
    c = {k: _word() for k in ("name", "alias", "src_a", "src_b", "statement", "quote_a", "quote_b", "transcript")}
    need = {c["name"]: spec["person"], c["alias"]: stricter(spec["person"], spec["name"]),
            c["src_a"]: spec["source_a"], c["src_b"]: spec["source_b"],
            c["statement"]: spec["claim"], c["quote_a"]: stricter(spec["claim"], spec["source_a"]),
            c["quote_b"]: stricter(spec["claim"], spec["source_b"]),
            c["transcript"]: spec["testimony"]}  # a testimony is read at its own level, its witness maybe not
    mention = f" with {witness_names[0]}" if spec["names_witness"] else ""
    with case.session() as s:
        p = add_person(s, names=[f"{c['name'].title()} Person"], sensitivity=spec["person"])
        add_name(s, p, f"{c['alias'].title()} Alias", kind="alias", sensitivity=spec["name"])
        a = add_source(s, source_type="report", title=f"Report {c['src_a']}", sensitivity=spec["source_a"])
        b = add_source(s, source_type="report", title=f"Report {c['src_b']}", sensitivity=spec["source_b"])
        add_claim(s, subject_id=p.id, predicate="statement", statement=f"{c['statement']} was seen{mention}",
                  sensitivity=spec["claim"], citations=[{"source_id": a.id, "quotation": f"{c['quote_a']} said"},
                                                       {"source_id": b.id, "quotation": f"{c['quote_b']} said"}])
        add_testimony(s, witness_id=p.id, transcript=f"{c['transcript']} in the ward{mention}",
                      sensitivity=spec["testimony"], protection_level="none")
    return need


def _outputs(case, principal, words: list[str], tmp_path) -> str:
    parts = []
    with case.reader(principal) as s:
        for word in words:
            parts += [json.dumps(h.to_dict()) for h in search(s, word, principal=principal, limit=50)]
        parts += [json.dumps(entity_to_dict(s, p, principal), default=str, ensure_ascii=False)
                  for p in s.query(Person).all() if rank(p.sensitivity) <= rank(principal.ceiling.value)]
        parts += [json.dumps(claim_to_dict(x, principal), default=str) for x in list_claims(s, principal=principal)]
        parts += [json.dumps(_testimony_dict(s, t, principal), default=str) for t in list_testimony(s, principal)]
    out = tmp_path / f"{principal.name.replace(':', '-')}.jsonl"
    export_jsonl(case, out, principal=principal)
    parts.append(out.read_text(encoding="utf-8"))
    folder = tmp_path / f"csv-{principal.name.replace(':', '-')}"
    export_csv(case, folder, principal)
    parts += [f.read_text(encoding="utf-8-sig") for f in folder.iterdir()]
    return "\n".join(parts).lower()


@pytest.fixture
def witness_case(case, witness_env):
    with case.session() as s:
        keyring, _ = w.init_key(s, w.Secret.key_file(witness_env))
        w.add_protected_witness(s, keyring, pseudonym="W-PROP", identity={"names": ["Parvaneh Qasemlou"]})
    return case


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=st.lists(record, min_size=1, max_size=3))
def test_no_output_holds_text_above_its_readers_level(witness_case, tmp_path, specs):
    need: dict[str, str] = {}
    for spec in specs:
        need |= _plant(witness_case, spec, ["Parvaneh Qasemlou"])
    for name in AUDIENCES:
        principal = audience(name)
        ceiling = rank(principal.ceiling.value)
        above = [word for word, lv in need.items() if rank(lv) > ceiling]
        text = _outputs(witness_case, principal, list(need), tmp_path)
        for word in above:
            assert word not in text, f"{word} (needs {need[word]}) reached the {name} audience"
        if not may_read_identities(principal):
            assert "qasemlou" not in text and "parvaneh" not in text, f"the witness's name reached {name}"
