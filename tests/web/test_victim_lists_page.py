"""A victim's page shows every list that names them, side by side, each in its own script."""

from __future__ import annotations

import csv

import pytest
from sqlalchemy import select

from dadkhah.access import SYSTEM
from dadkhah.linkage.merge import active_merges
from dadkhah.linkage.review import decide
from dadkhah.linkage.service import run_linkage
from dadkhah.lists.importer import import_list
from dadkhah.lists.tables import ListRecord

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


def _write(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


def test_a_victim_page_shows_each_list_row_that_names_them_in_its_own_script(web, tmp_path):
    case = web.case
    a, b = tmp_path / "family.csv", tmp_path / "ngo.csv"
    _write(a, ["نام و نام خانوادگی", "نام پدر", "تاریخ اعدام", "زندان"],
           [["مهدی رضایی", "علی", "۱۳۶۷/۰۵/۱۰", "زندان اوین"], ["زهرا احمدی", "حسن", "۱۳۶۷/۰۶/۰۲", "گوهردشت"]])
    _write(b, ["name", "father", "date of execution", "prison"],
           [["Mehdi Rezaei", "Ali", "1988-08-01", "Evin"], ["Parviz Karimi", "Reza", "1988-08-20", "Evin"]])
    import_list(case, a, "family-list")
    import_list(case, b, "ngo-list")
    run_linkage(case, principal=SYSTEM)
    with case.reader(SYSTEM) as s:
        ids = {r.fields["full_name"]: r.id for r in s.scalars(select(ListRecord))}
    decide(case, (ids["مهدی رضایی"], ids["Mehdi Rezaei"]), "same", reviewer="maryam", principal=SYSTEM)
    with case.reader(SYSTEM) as s:
        pid = next(m.person_id for m in active_merges(s) if len(m.records) == 2)
    html = web.client("investigator").get(f"/persons/{pid}?lang=fa").text
    section = html[html.index('id="lists"'):]
    section = section[:section.index("</section>")]
    assert "family-list" in section and "ngo-list" in section
    assert "مهدی رضایی" in section and "Mehdi Rezaei" in section  # each list's own spelling
    assert "زندان اوین" in section and "Evin" in section
    assert 'dir="rtl"' in section and 'dir="ltr"' in section
    assert "ردیف" in section  # the Persian page speaks Persian
    # the lists are restricted (the import default): a reader without an account sees none of it
    anonymous = web.client().get(f"/persons/{pid}", follow_redirects=False)
    assert "family-list" not in anonymous.text and "مهدی رضایی" not in anonymous.text
