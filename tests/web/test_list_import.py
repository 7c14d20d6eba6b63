"""Importing a victim list in the browser, in Persian: upload, the proposed mapping, correcting it, checking
it (the rows it would refuse), confirming, and the report with the bad rows."""

from __future__ import annotations

import re

from web_helpers import csrf_of

from dadkhah.access import SYSTEM

LIST = ("ردیف,نام و نام خانوادگی,نام پدر,سال تولد,تاریخ اعدام,ستون ناشناخته\n"
        "1,حسین کریمی,علی,1340,1367/05/08,زندان اوین\n"
        "2,مریم احمدی,حسن,1342,1367/05/10,زندان گوهردشت\n"
        "3,,جعفر,نامعلوم,1367/13/45,زندان اوین\n"  # no name at all: refused (a bad date alone is kept, emptied)
        "4,زهرا حسینی,محمود,1345,1367/06/01,زندان اوین\n")


def _upload(client, text: str = LIST, name: str = "فهرست آزمایشی"):
    return client.post("/lists/import?lang=fa", data={"csrf_token": csrf_of(client, "/lists/import"), "name": name},
                       files={"file": ("فهرست.csv", text.encode("utf-8"), "text/csv")})


def _select(html: str, field: str) -> str | None:
    m = re.search(rf'<select name="col_{field}"[^>]*>(.*?)</select>', html, re.S)
    chosen = re.search(r'<option value="([^"]*)"[^>]*selected', m.group(1)) if m else None
    return chosen.group(1) if chosen else None


def test_a_persian_list_is_uploaded_mapped_corrected_checked_and_imported_with_its_bad_rows(web):
    from sqlalchemy import func, select

    from dadkhah.lists.tables import ListRecord, VictimList

    c = web.client("investigator")
    r = _upload(c)
    assert r.status_code == 200, r.text[:500]
    html = r.text
    assert 'lang="fa"' in html and "هر ستون چه دارد" in html
    assert _select(html, "full_name") == "نام و نام خانوادگی" and _select(html, "father_name") == "نام پدر"
    assert _select(html, "detention_site") is None  # an unknown header is not guessed
    token = re.search(r'action="/lists/import/([^"]+)"', html).group(1)
    form = {"csrf_token": csrf_of(c, "/lists/import"), "name": "فهرست آزمایشی", "col_full_name": "نام و نام خانوادگی",
            "col_father_name": "نام پدر", "col_birth_date": "سال تولد", "col_death_date": "تاریخ اعدام",
            "col_record_id": "ردیف", "col_detention_site": "ستون ناشناخته",  # the correction
            "name_order": "given-first", "sensitivity": "restricted", "calendar": "jalali"}
    checked = c.post(f"/lists/import/{token}?lang=fa", data={**form, "action": "check"})
    assert checked.status_code == 200
    assert "۳ ردیف وارد می‌شود و ۱ ردیف پذیرفته نمی‌شود" in checked.text
    assert _select(checked.text, "detention_site") == "ستون ناشناخته"
    with web.case.reader(SYSTEM) as s:
        assert s.scalar(select(func.count()).select_from(VictimList)) == 0  # nothing stored before confirming
    done = c.post(f"/lists/import/{token}?lang=fa", data={**form, "action": "import"})
    assert done.status_code == 200 and 'id="import-report"' in done.text
    assert "وارد شد: ۳ از ۴ ردیف" in done.text
    bad = done.text.split('id="bad-rows"')[1]
    assert "۳" in bad.split("</tr>")[1]  # row 3 is listed
    with web.case.reader(SYSTEM) as s:
        records = list(s.scalars(select(ListRecord)))
        assert len(records) == 3
        assert {r.fields.get("detention_site") for r in records} == {"زندان اوین", "زندان گوهردشت"}
    from ui_text import findings

    for step, page in (("mapping", html), ("check", checked.text), ("report", done.text)):
        assert findings(step, page) == [], findings(step, page)  # all in Persian, no codes
    # the staged upload is gone: confirming twice does not import twice
    assert c.post(f"/lists/import/{token}", data={**form, "action": "import"}).status_code == 404


def test_uploads_need_the_right_a_name_and_a_readable_file(web):
    viewer = web.client("viewer")
    assert viewer.get("/lists/import").status_code == 403
    c = web.client("investigator")
    assert _upload(c, name="").status_code == 422
    r = c.post("/lists/import", data={"csrf_token": csrf_of(c, "/lists/import"), "name": "x"},
               files={"file": ("notes.exe", b"MZ...", "application/octet-stream")})
    assert r.status_code == 422
    assert c.post("/lists/import/not-a-token", data={"csrf_token": csrf_of(c, "/lists/import")}).status_code == 404
