"""Export to FollowTheMoney entities, validated by the followthemoney library, for loading into Aleph."""

from __future__ import annotations

import datetime as dt
import io
import json

from followthemoney import model

from dadkhah.access import SYSTEM, audience
from dadkhah.casework.ftm import date_prefix, export_entities, write_ftm
from dadkhah.testing.synthetic_case import CANARY


def exported(case, name):
    with case.reader(SYSTEM) as s:
        return [p.to_dict() for p in export_entities(s, audience(name))]


def test_every_entity_is_valid_for_its_followthemoney_schema(synthetic):
    case, _ = synthetic
    entities = exported(case, "internal")
    for e in entities:
        model.get(e["schema"]).validate(e)  # raises InvalidData when not
        assert model.get_proxy(e).id == e["id"]
    schemas = {e["schema"] for e in entities}
    assert {"Person", "PublicBody", "Address", "Event", "Membership", "UnknownLink", "Note", "Documentation",
            "Document", "Article"} <= schemas


def test_every_reference_points_at_an_exported_entity(synthetic):
    case, _ = synthetic
    entities = exported(case, "public")
    ids = {e["id"] for e in entities}
    for e in entities:
        proxy = model.get_proxy(e)
        for prop, value in proxy.itervalues():
            if prop.type.name == "entity":
                assert value in ids, f"{e['id']}.{prop.name} -> {value}"


def test_people_carry_their_names_in_both_scripts_and_positions_their_dates(synthetic):
    case, _ = synthetic
    by_id = {e["id"]: e for e in exported(case, "public")}
    abbasi = by_id["person-abbasi"]["properties"]
    assert abbasi["name"] == ["Hamid Abbasi"] and "حمید عباسی" in abbasi["alias"]
    mem = by_id["mem-abbasi-gohardasht"]["properties"]
    assert mem["member"] == ["person-abbasi"] and mem["startDate"] == ["1987"] and mem["endDate"] == ["1989"]
    execution = by_id["event-execution"]["properties"]
    assert execution["date"] == ["1988-08"] and "person-abbasi" in execution["involved"]


def test_the_public_export_holds_nothing_that_is_not_public(synthetic):
    case, _ = synthetic
    buf = io.StringIO()
    with case.reader(SYSTEM) as s:
        n = write_ftm(s, audience("public"), buf)
    text = buf.getvalue()
    assert n == len(text.splitlines()) > 0
    assert CANARY not in text
    ids = {json.loads(line)["id"] for line in text.splitlines()}
    assert "person-informant" not in ids and "src-interview" not in ids and "claim-abbasi-restricted" not in ids
    assert CANARY in json.dumps(exported(case, "internal"), ensure_ascii=False)


def test_fuzzy_dates_become_followthemoney_date_prefixes():
    d = dt.date
    assert date_prefix(d(1988, 8, 1), d(1988, 8, 31)) == "1988-08"
    assert date_prefix(d(1988, 1, 1), d(1988, 12, 31)) == "1988"
    assert date_prefix(d(1988, 8, 6), d(1988, 8, 6)) == "1988-08-06"
    assert date_prefix(d(1988, 7, 23), d(1988, 8, 22)) is None  # a Jalali month spans two Gregorian months
