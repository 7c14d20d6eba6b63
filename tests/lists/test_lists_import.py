"""Importing lists as Sources: every format, bad rows reported while good rows import, revisions, history."""

import csv
import json
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from dadkhah.access import SYSTEM
from dadkhah.errors import InputError
from dadkhah.lists.importer import import_list
from dadkhah.lists.mapping import Mapping
from dadkhah.lists.service import list_summary, lists
from dadkhah.lists.tables import ListRecord
from dadkhah.model import Source
from dadkhah.store.audit import AuditEntry, verify_chain

HEADERS = ["ردیف", "نام", "نام خانوادگی", "نام پدر", "تاریخ اعدام", "زندان"]
ROWS = [
    ["۱", "محمد", "رضایی", "علی", "۱۳۶۷/۰۵/۱۲", "اوین"],
    ["۲", "حسین", "احمدی", "حسن", "۱۳۶۷/۱۳/۰۱", "گوهردشت"],  # month 13: bad
    ["۳", "", "", "رضا", "۱۳۶۷", "اوین"],  # no name: bad
    ["۴", "مریم", "کریمی", "", "مرداد ۱۳۶۷", "قزل‌حصار"],
]
MAPPING = Mapping(columns={"record_id": "ردیف", "given_name": "نام", "family_name": "نام خانوادگی",
                           "father_name": "نام پدر", "death_date": "تاریخ اعدام", "detention_site": "زندان"})


def write_csv(path, headers, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(headers)
        w.writerows(rows)
    return path


def records(case):
    """The list records as plain objects (their column values), in id order."""
    with case.reader(SYSTEM) as s:
        rows = s.execute(select(ListRecord.__table__).order_by(ListRecord.id)).mappings().all()
        return [SimpleNamespace(**r) for r in rows]


def test_bad_rows_are_reported_with_line_and_reason_while_good_rows_import(case, tmp_path):
    path = write_csv(tmp_path / "family.csv", HEADERS, ROWS)
    report = import_list(case, path, "family-network", mapping=MAPPING)
    # The row whose only fault is an unreadable date is kept without it; the row without a name is refused.
    assert report.counts["good"] == 3 and report.counts["bad"] == 1 and report.counts["added"] == 3
    assert report.counts["kept_with_problems"] == 1
    bad = {(e["line"], e["row"], e["field"], bool(e.get("kept"))) for e in report.errors}
    assert bad == {(3, 2, "death_date", True), (4, 3, "name", False)}
    assert "month" in report.errors[0]["message"] or "13" in report.errors[0]["message"]
    assert "kept without its death_date" in report.errors[0]["message"]
    recs = records(case)
    assert [(r.file_row, r.original["نام"]) for r in recs] == [(1, "محمد"), (2, "حسین"), (4, "مریم")]
    assert recs[0].fields["death"]["low"] == "1988-08-03"
    assert recs[1].fields["death"] is None and recs[1].original["تاریخ اعدام"] == "۱۳۶۷/۱۳/۰۱"  # kept as written


def test_the_list_becomes_a_restricted_source_and_its_original_file_is_kept(case, tmp_path):
    path = write_csv(tmp_path / "family.csv", HEADERS, ROWS[:1])
    report = import_list(case, path, "family-network", mapping=MAPPING)
    with case.reader(SYSTEM) as s:
        src = s.get(Source, report.source_id)
        assert (src.source_type, src.title, src.sensitivity) == ("list", "family-network", "restricted")
        assert all(r.sensitivity == "restricted" for r in s.scalars(select(ListRecord)))
    assert case.blobs.read_bytes(report.sha256) == path.read_bytes()


def test_a_list_can_be_marked_public(case, tmp_path):
    path = write_csv(tmp_path / "press.csv", ["Name"], [["Ali Ahmadi"]])
    import_list(case, path, "press", mapping=Mapping(columns={"full_name": "Name"}), public=True)
    assert [r.sensitivity for r in records(case)] == ["public"]


def test_xlsx_and_json_lists_import_with_their_own_row_numbers(case, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["LAST NAME", "FIRST NAME", "EXECUTED"])
    ws.append(["REZAEI", "MOHAMMAD", "AUGUST 1988"])
    ws.append(["AHMADI", "ALI", "1988"])
    wb.save(tmp_path / "roster.xlsx")
    (tmp_path / "cemetery.json").write_text(json.dumps(
        [{"نام متوفی": "رضایی محمد", "تاریخ دفن": "۱۳۶۷/۰۵/۱۴"}, {"نام متوفی": "احمدی علی"}], ensure_ascii=False),
        encoding="utf-8")
    r1 = import_list(case, tmp_path / "roster.xlsx", "roster",
                     mapping=Mapping(columns={"family_name": "LAST NAME", "given_name": "FIRST NAME",
                                              "death_date": "EXECUTED"}))
    r2 = import_list(case, tmp_path / "cemetery.json", "cemetery",
                     mapping=Mapping(columns={"full_name": "نام متوفی", "death_date": "تاریخ دفن"},
                                     name_order="family-first"))
    assert (r1.format, r1.counts["good"], r2.format, r2.counts["good"]) == ("xlsx", 2, "json", 2)
    recs = records(case)
    assert [(r.file_row, r.file_line) for r in recs] == [(1, 2), (2, 3), (1, 1), (2, 2)]
    assert recs[2].fields["family"] == "رضایی"
    with case.reader(SYSTEM) as s:
        assert [vl.name for vl in lists(s, SYSTEM)] == ["roster", "cemetery"]  # import order


def test_reimporting_a_revised_list_updates_it_without_duplicates_and_keeps_history(case, tmp_path):
    v1 = write_csv(tmp_path / "v1.csv", HEADERS, [ROWS[0], ROWS[3], ["۵", "علی", "نوری", "", "۱۳۶۷", "اوین"]])
    import_list(case, v1, "family-network", mapping=MAPPING)
    before = {r.record_key: r.id for r in records(case)}
    changed = ["۴", "مریم", "کریمی", "احمد", "مرداد ۱۳۶۷", "قزل‌حصار"]  # father's name added
    v2 = write_csv(tmp_path / "v2.csv", HEADERS, [["۶", "زهرا", "حسینی", "", "۱۳۶۷", "اوین"], ROWS[0], changed])
    report = import_list(case, v2, "family-network", mapping=MAPPING)
    assert report.version == 2
    assert {k: report.counts[k] for k in ("added", "updated", "unchanged", "withdrawn")} == \
        {"added": 1, "updated": 1, "unchanged": 1, "withdrawn": 1}
    recs = {r.record_key: r for r in records(case)}
    assert len(recs) == 4  # nothing deleted, nothing duplicated
    assert all(recs[k].id == before[k] for k in before)
    assert recs["id:۱"].file_row == 2  # the row number follows the new file
    assert recs["id:۴"].fields["father"] == "احمد"
    assert recs["id:۴"].history[0]["original"]["نام پدر"] == "" and recs["id:۴"].history[0]["event"] == "changed"
    assert recs["id:۵"].status == "withdrawn" and recs["id:۵"].history[-1]["event"] == "withdrawn"
    with case.reader(SYSTEM) as s:
        summary = list_summary(s, lists(s, SYSTEM)[0])
    assert (summary["records"], summary["withdrawn"], len(summary["imports"])) == (3, 1, 2)


def test_rows_without_a_list_id_are_recognised_by_their_content(case, tmp_path):
    headers = ["Name", "Died"]
    v1 = write_csv(tmp_path / "v1.csv", headers, [["Ali Ahmadi", "1988"], ["Ali Ahmadi", "1988"], ["Reza Nouri", ""]])
    m = Mapping(columns={"full_name": "Name", "death_date": "Died"})
    import_list(case, v1, "ngo", mapping=m)
    v2 = write_csv(tmp_path / "v2.csv", headers, [["Reza Nouri", ""], ["Ali Ahmadi", "1988"], ["Ali Ahmadi", "1988"]])
    report = import_list(case, v2, "ngo", mapping=m)
    assert report.counts["unchanged"] == 3 and report.counts["added"] == 0
    assert len(records(case)) == 3  # the duplicate row inside the list stays two records


def test_bulk_import_is_audited_in_batches_with_a_digest(case, tmp_path):
    path = write_csv(tmp_path / "family.csv", HEADERS, ROWS)
    import_list(case, path, "family-network", mapping=MAPPING)
    with case.reader(SYSTEM) as s:
        entries = s.scalars(select(AuditEntry).where(AuditEntry.table_name == "list_record")).all()
        assert len(entries) == 1 and entries[0].action == "bulk-insert"
        assert entries[0].after["rows"] == 3 and len(entries[0].after["sha256"]) == 64
        assert verify_chain(s).ok


def test_a_strict_import_of_a_file_with_bad_rows_imports_nothing(case, tmp_path):
    path = write_csv(tmp_path / "family.csv", HEADERS, ROWS)
    with pytest.raises(InputError, match="2 bad row"):
        import_list(case, path, "family-network", mapping=MAPPING, strict=True)
    assert records(case) == []


def test_a_list_name_that_would_clash_with_a_capture_history_column_is_refused(case, tmp_path):
    path = write_csv(tmp_path / "x.csv", ["Name"], [["Ali"]])
    with pytest.raises(InputError, match="capture-history"):
        import_list(case, path, "gender", mapping=Mapping(columns={"full_name": "Name"}))


def test_a_strict_import_refuses_a_row_with_an_unreadable_date(case, tmp_path):
    path = write_csv(tmp_path / "family.csv", HEADERS, [ROWS[0], ROWS[1]])
    with pytest.raises(InputError, match="1 bad row"):
        import_list(case, path, "family-network", mapping=MAPPING, strict=True)
    assert records(case) == []


def test_a_windows_1256_file_with_arabic_letters_matches_a_mapping_written_with_persian_ones(case, tmp_path):
    path = tmp_path / "register.csv"
    path.write_bytes("نام متوفي,تاريخ دفن\nرضائي علي,1367/05/12\nكريمي مريم,1367\n".encode("cp1256"))
    mapping = Mapping.from_dict({"full_name": "نام متوفی", "death_date": "تاریخ دفن", "name_order": "family-first",
                                 "calendar": "jalali"})
    report = import_list(case, path, "register", mapping=mapping)
    assert report.counts["good"] == 2 and report.errors == []
    assert report.mapping["full_name"] == "نام متوفي"  # bound to the file's own header
    recs = records(case)
    assert recs[0].fields["death"]["low"] == "1988-08-03"
