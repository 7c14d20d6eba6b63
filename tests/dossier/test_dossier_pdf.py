"""PDF rendering of the demo case: the dossier of Hamid Nouri and the whole-case report, with correct
Persian text. The text layer is extracted (pdftotext) and must hold the Persian names in logical
order; pages are rendered to images (pdftoppm) for people to review."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata

import pytest

from dadkhah.access import SYSTEM
from dadkhah.dossier.person import person_dossier
from dadkhah.dossier.render import render_html, write
from dadkhah.dossier.report import case_report

BIDI_AND_JOINERS = re.compile("[\u200c\u200d\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def pdf_text(path) -> str:
    """The PDF's text layer, with presentation forms folded (NFKC) and bidi/joiner controls removed."""
    if shutil.which("pdftotext"):
        raw = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True,
                             text=True).stdout
    else:
        from pypdf import PdfReader

        raw = "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)
    return BIDI_AND_JOINERS.sub("", unicodedata.normalize("NFKC", raw))


def fold(text: str) -> str:
    return BIDI_AND_JOINERS.sub("", unicodedata.normalize("NFKC", text))


def assert_persian_in_logical_order(text: str, persian: str) -> None:
    assert fold(persian) in text, f"{persian!r} is not in the PDF text"
    assert fold(persian)[::-1] not in text, f"{persian!r} is in the PDF only in visual (reversed) order"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from dadkhah.case import Case
    from dadkhah.demo import TITLE, build_demo

    folder = tmp_path_factory.mktemp("demo-case")
    with Case.open(data_dir=folder, create=True, actor="test") as case:
        build_demo(case)
        with case.reader(SYSTEM) as s:
            yield {"case": case, "session": s, "title": TITLE, "out": tmp_path_factory.mktemp("demo-pdf")}


def test_the_dossier_of_hamid_nouri_renders_to_pdf_and_html_with_correct_persian(demo):
    ctx = person_dossier(demo["session"], "person-nouri", "prosecutor", case_title=demo["title"])
    pdf = write("person.html", ctx, demo["out"] / "nouri.pdf")
    html = write("person.html", ctx, demo["out"] / "nouri.html").read_text(encoding="utf-8")
    text = pdf_text(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    assert "Hamid Nouri" in text and "Trial of Hamid Nouri in Stockholm" in text
    assert_persian_in_logical_order(text, "حمید نوری")
    assert_persian_in_logical_order(text, "زنجیره فرماندهی")  # a section title
    assert re.search(r"1988-06-21 – 1988-09-22\s*\(1367/03/31 –\s*1367/06/31\)", text)  # both calendars
    assert '<span dir="rtl" lang="fa" class="fa">حمید نوری</span>' in html
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "2", str(pdf), str(demo["out"] / "nouri")],
                       check=True)
        pages = sorted(demo["out"].glob("nouri-*.png"))
        assert len(pages) == 2 and all(p.stat().st_size > 5_000 for p in pages)


def test_the_whole_case_report_renders_to_pdf_with_persian_event_names(demo):
    ctx = case_report(demo["session"], "public", case_title=demo["title"],
                      estimate_note="No estimate: the demo case has no linked lists.")
    pdf = write("case.html", ctx, demo["out"] / "report.pdf")
    text = pdf_text(pdf)
    assert "The 1988 prison massacre in Iran" in text
    # (the words; pdftotext places a number in a right-to-left line by its own heuristics)
    assert_persian_in_logical_order(text, "قتل‌عام زندانیان سیاسی")
    assert "over 30,000" in text and "several thousand" in text and "tens of thousands" in text
    assert "No estimate: the demo case has no linked lists." in text
    html = render_html("case.html", ctx)
    assert '<span dir="rtl" lang="fa" class="fa">فتوای خمینی</span>' in html
