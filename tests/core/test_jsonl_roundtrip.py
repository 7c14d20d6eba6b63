"""A whole case goes out as JSON Lines and comes back identical; bad input changes nothing."""

import json

import pytest
from sqlalchemy import func, select, text

from dadkhah.access import SYSTEM
from dadkhah.demo import build_demo
from dadkhah.errors import InputError
from dadkhah.interchange.jsonl import export_jsonl, import_jsonl
from dadkhah.model import Entity


def _lines(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_export_import_export_is_lossless(case, tmp_path, sqlite_template):
    import shutil

    from dadkhah.case import Case

    build_demo(case)
    first = tmp_path / "first.jsonl"
    export_jsonl(case, first, SYSTEM)
    shutil.copytree(sqlite_template, tmp_path / "fresh")
    fresh = Case.open(data_dir=tmp_path / "fresh")
    import_jsonl(fresh, first)
    second = tmp_path / "second.jsonl"
    export_jsonl(fresh, second, SYSTEM)
    assert _lines(first) == _lines(second)
    from dadkhah.store.search import search

    with fresh.reader(SYSTEM) as s:
        assert search(s, "رئیسی", principal=SYSTEM)[0].id == "person-raisi"  # the index is rebuilt on import
    fresh.close()


def _entity_count(case):
    with case.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(Entity.__table__)).scalar()


def _audit_count(case):
    with case.engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM audit_log")).scalar()


GOOD_HEADER = {"dadkhah": "case", "format": 1, "tables": []}
PERSON = {"table": "entity", "row": {"id": "person-new", "kind": "person", "label": "New", "sensitivity": "public",
                                      "extra": {}, "created_at": "2024-01-01T00:00:00",
                                      "updated_at": "2024-01-01T00:00:00"}}


@pytest.mark.parametrize("bad_line, line, field, words", [
    ('{"table": "entity", "row": ', 3, None, "malformed JSON"),
    (json.dumps({"table": "event", "row": {"id": "person-new", "event_type": "picnic"}}), 3, "event_type", "unknown"),
    (json.dumps({"table": "person", "row": {"id": "person-new", "birth_text": "1367/13/40",
                                            "birth_calendar": "jalali"}}), 3, "birth_text", "invalid date"),
    (json.dumps({"table": "person", "row": {"id": "person-ghost"}}), 3, "id", "neither in this file"),
    (json.dumps({"table": "nonsense", "row": {}}), 3, "table", "unknown table"),
])
def test_bad_input_names_file_line_and_field_and_writes_nothing(case, tmp_path, bad_line, line, field, words):
    build_demo(case)
    before_entities, before_audit = _entity_count(case), _audit_count(case)
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join([json.dumps(GOOD_HEADER), json.dumps(PERSON), bad_line]) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        import_jsonl(case, path)
    err = info.value
    assert err.file == "bad.jsonl" and err.line == line and err.field == field
    assert words in str(err)
    assert _entity_count(case) == before_entities
    assert _audit_count(case) == before_audit


def test_importing_what_is_already_there_is_refused_whole(case, tmp_path):
    build_demo(case)
    path = tmp_path / "again.jsonl"
    export_jsonl(case, path, SYSTEM)
    before = _entity_count(case)
    with pytest.raises(InputError, match="already exists"):
        import_jsonl(case, path)
    assert _entity_count(case) == before
