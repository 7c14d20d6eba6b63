"""The victim lists page: every list the reader may see with its records, versions and problem rows; one list's
imports (file, SHA-256, who, when, rows read / imported / kept / refused) and the rows an import had trouble
with, each marked kept (a field left empty) or refused — in both languages, and nothing above the reader's
level."""

from __future__ import annotations

from ui_text import findings

from dadkhah.access import SYSTEM

CANARY = "Listpagecanary Mahramaneh"


def _import(case, tmp_path, name: str, text: str, mapping: str | None = None):
    from dadkhah.lists.importer import import_list
    from dadkhah.lists.mapping import mapping_from_yaml

    path = tmp_path / f"{name}.csv"
    path.write_text(text, encoding="utf-8")
    return import_list(case, path, name, mapping=mapping_from_yaml(mapping) if mapping else None, actor="maryam")


FAMILY = "given_name: نام\nfamily_name: نام خانوادگی\nbirth_date: تاریخ تولد\ncalendar: jalali\nsensitivity: public\n"


def _cases(web, tmp_path):
    _import(web.case, tmp_path, "family", "نام,نام خانوادگی,تاریخ تولد\nعلی,احمدی,۱۳۴۰\nمریم,رضایی,ناخوانا\n,,۱۳۴۲\n",
            FAMILY)
    _import(web.case, tmp_path, "family", "نام,نام خانوادگی,تاریخ تولد\nعلی,احمدی,۱۳۴۰\nمریم,رضایی,۱۳۴۱\n", FAMILY)
    _import(web.case, tmp_path, "secret", f"name\n{CANARY}\n", "full_name: name\nsensitivity: confidential\n")


def _english(html: str) -> list[str]:
    from dadkhah.web.i18n import catalogue

    english = {v["en"] for v in catalogue().values() if v.get("en") and v.get("en") != v.get("fa")
               and any(c.isalpha() for c in v["en"]) and "{" not in v["en"]}
    return [str(f) for f in findings("/lists", html, english=english)]


def test_the_lists_page_shows_each_list_with_its_records_versions_and_problem_rows_in_persian(web, tmp_path):
    _cases(web, tmp_path)
    html = web.client("investigator").get("/lists?lang=fa").text
    table = html.split('id="lists-table"')[1].split("</table>")[0]
    family = table.split('data-list="family"')[1].split("</tr>")[0]
    assert "<td>۲</td>" in family  # two records, version 2
    assert 'href="/lists/import"' in html and "secret" in table
    assert not _english(html)
    en = web.client("investigator").get("/lists?lang=en").text
    assert "Victim lists" in en and 'data-list="family"' in en


def test_one_list_shows_its_imports_and_marks_each_problem_row_kept_or_refused(web, tmp_path):
    _cases(web, tmp_path)
    client = web.client("viewer")
    latest = client.get("/lists?name=family&lang=fa").text
    imports = latest.split('id="list-imports"')[1].split("</table>")[0]
    assert imports.count("<tr data-version=") == 2 and "maryam" in imports
    assert "۳ / ۲ / ۱ / ۱" in imports  # version 1: three rows read, two imported, one kept emptied, one refused
    assert "این ورود همه‌ی ردیف‌ها را بی‌مشکل خواند" in latest  # version 2 had none
    first = client.get("/lists?name=family&version=1&lang=fa").text
    rows = first.split('id="bad-rows"')[1].split("</table>")[0]
    kept, refused = rows.split("</tr>")[1], rows.split("</tr>")[2]
    assert 'class="kept"' in kept and "نگه داشته شد" in kept and "تاریخ تولد" in kept
    assert "پذیرفته نشد" in refused and "kept" not in refused.split(">")[0]
    assert not _english(first)
    en = client.get("/lists?name=family&version=1&lang=en").text
    assert "kept, this field left empty" in en and "refused" in en


def test_a_list_above_the_readers_level_is_not_found_and_not_listed(web, tmp_path):
    _cases(web, tmp_path)
    for role in ("viewer", "analyst", "reviewer"):
        client = web.client(role)
        assert CANARY not in client.get("/lists").text and 'data-list="secret"' not in client.get("/lists").text
        assert client.get("/lists?name=secret").status_code == 404
    anonymous = web.client().get("/lists").text
    assert 'data-list="family"' in anonymous and 'href="/lists/import"' not in anonymous
    assert web.client().get("/lists?name=secret").status_code == 404
    assert web.client("admin").get("/lists?name=secret").status_code == 200


def test_the_latest_linkage_is_summarised_for_reviewers_over_what_they_may_see(web, tmp_path):
    _cases(web, tmp_path)
    from dadkhah.linkage.service import run_linkage

    run_linkage(web.case, actor="t", principal=SYSTEM)
    reviewer = web.client("reviewer").get("/lists?lang=en").text
    assert 'id="lists-linkage"' in reviewer and "2 records" in reviewer  # the confidential row is not counted
    assert "3 records" in web.client("admin").get("/lists?lang=en").text
    assert 'id="lists-linkage"' not in web.client("viewer").get("/lists").text


def test_the_import_report_says_how_many_rows_were_kept_with_a_field_left_empty(web):
    from web_helpers import csrf_of

    c = web.client("investigator")
    token = csrf_of(c, "/lists/import")
    r = c.post("/lists/import?lang=en", data={"csrf_token": token, "name": "ngo"},
               files={"file": ("ngo.csv", b"Name,Date of death\nAli Ahmadi,1988-07-30\nReza Karimi,1988-13-45\n,x\n",
                               "text/csv")})
    import re

    upload = re.search(r'action="/lists/import/([^"]+)"', r.text).group(1)
    done = c.post(f"/lists/import/{upload}?lang=en", data={"csrf_token": token, "name": "ngo", "col_full_name": "Name",
                                                            "col_death_date": "Date of death", "action": "import"})
    report = done.text.split('id="import-report"')[1].split("</div>")[0]
    assert "Imported: 2 of 3 rows (1 of them with a field left empty); 1 refused" in report
    assert 'href="/lists?name=ngo"' in done.text
    imports = c.get("/lists?name=ngo").text.split('id="list-imports"')[1].split("</table>")[0]
    assert ">ngo.csv<" in imports and "upload" not in imports  # the file's own name, not the staging one


def test_an_import_with_thousands_of_problem_rows_is_shown_a_page_at_a_time(web, tmp_path):
    rows = "".join(f"Person {i} Ahmadi,not a date\n" for i in range(450))
    _import(web.case, tmp_path, "big", "Name,Born\n" + rows, "full_name: Name\nbirth_date: Born\nsensitivity: public\n")
    client = web.client("viewer")
    r = client.get("/lists?name=big&lang=en")
    assert r.status_code == 200, r.text[-2000:]
    first = r.text
    assert first.split('id="bad-rows"')[1].split("</table>")[0].count("<tr class=\"kept\"") == 200
    assert "offset=200" in first and "1–200 of 450" in first.replace("&ndash;", "–")
    last = client.get("/lists?name=big&offset=400&lang=fa").text
    assert last.split('id="bad-rows"')[1].split("</table>")[0].count("<tr class=\"kept\"") == 50
    upload = web.api("admin").post("/api/lists", data={"name": "bigger"}, files={
        "file": ("b.csv", ("Name,Date of birth\n" + rows.replace("Person", "Other") * 3).encode(), "text/csv")}).json()
    assert upload["errors_total"] == 1350 and len(upload["errors"]) == 1000
    api = web.api("viewer").get("/api/lists/big/errors?offset=440&limit=100").json()
    assert api["total"] == 450 and len(api["errors"]) == 10 and api["errors"][0]["row"] == 441


def test_the_import_report_lists_200_problem_rows_and_sends_the_reader_to_the_list_for_the_rest(web):
    import re

    from web_helpers import csrf_of

    c = web.client("investigator")
    token = csrf_of(c, "/lists/import")
    body = ("Name,Born\n" + "".join(f"Person {i} Ahmadi,not a date\n" for i in range(230))).encode()
    r = c.post("/lists/import?lang=fa", data={"csrf_token": token, "name": "big"},
               files={"file": ("big.csv", body, "text/csv")})
    upload = re.search(r'action="/lists/import/([^"]+)"', r.text).group(1)
    done = c.post(f"/lists/import/{upload}?lang=fa", data={"csrf_token": token, "name": "big", "col_full_name": "Name",
                                                            "col_birth_date": "Born", "action": "import"}).text
    assert done.split('id="bad-rows"')[1].split("</table>")[0].count('<tr class="kept"') == 200
    more = done.split('id="more-bad-rows"')[1].split("</p>")[0]
    assert 'href="/lists?name=big&amp;offset=200"' in more and "۳۰ ردیف مشکل‌دار دیگر" in more
    rest = c.get("/lists?name=big&offset=200").text
    assert rest.split('id="bad-rows"')[1].split("</table>")[0].count('<tr class="kept"') == 30
