"""Dossier PDFs are PDF/A-3b with the exhibit index attached (h16).

No PDF/A validator can be installed here (veraPDF is not in the registries this project reaches), so
tests/dossier/pdfa_check.py checks the essentials of ISO 19005-3 level B with pypdf; each check is
shown to fire on a copy of the dossier broken in that one way. docs/casework.md says what is and is
not validated."""

from __future__ import annotations

import csv
import io
import json

import pypdf
import pytest
from pdfa_check import problems
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from dadkhah.access import SYSTEM
from dadkhah.casework.evidence import Exhibit
from dadkhah.dossier.person import person_dossier
from dadkhah.dossier.render import write


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from dadkhah.case import Case
    from dadkhah.demo import TITLE, build_demo

    folder = tmp_path_factory.mktemp("demo-case-pdfa")
    with Case.open(data_dir=folder, create=True, actor="test") as case:
        build_demo(case)
        with case.reader(SYSTEM) as s:
            yield {"session": s, "title": TITLE, "out": tmp_path_factory.mktemp("pdfa")}


EX = Exhibit(number="E1", item_id="item-0123456789abcdef", title="حکم دادگاه استکهلم", filename="verdict.pdf",
             media_type="application/pdf", size=1234, sha256="ab" * 32, source_id=None, captured_at="2022-07-14")


@pytest.fixture(scope="module")
def dossier_pdf(demo):
    ctx = person_dossier(demo["session"], "person-nouri", "prosecutor", case_title=demo["title"])
    ctx = {**ctx, "exhibits": [*ctx.get("exhibits", []), EX]}
    return write("person.html", ctx, demo["out"] / "nouri.pdf")


def test_a_dossier_pdf_is_pdfa3b_with_its_exhibit_index_attached(dossier_pdf):
    pdf, ex = dossier_pdf, EX
    reader = pypdf.PdfReader(pdf)
    root = reader.trailer["/Root"]
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8", "replace")
    assert "pdfaid:part" in xmp and ("pdfaid:part>3<" in xmp or 'pdfaid:part="3"' in xmp)
    assert "pdfaid:conformance>B<" in xmp or 'pdfaid:conformance="B"' in xmp
    assert "/OutputIntents" in root and "/AF" in root
    attachments = reader.attachments
    assert {"exhibit-index.json", "exhibit-index.csv"} <= set(attachments)
    index = json.loads(attachments["exhibit-index.json"][0])
    row = next(r for r in index["exhibits"] if r["number"] == "E1" and r["item_id"] == ex.item_id)
    assert row["sha256"] == "ab" * 32 and row["title"] == "حکم دادگاه استکهلم"
    rows = list(csv.DictReader(io.StringIO(attachments["exhibit-index.csv"][0].decode("utf-8"))))
    assert any(r["item_id"] == ex.item_id for r in rows)
    af = [a.get_object() for a in root["/AF"]]
    assert all(a["/AFRelationship"] == "/Data" for a in af)


def test_the_dossier_pdf_meets_the_pdfa3b_essentials(dossier_pdf):
    assert problems(dossier_pdf) == []
    reader = pypdf.PdfReader(dossier_pdf)
    fonts = [f for page in reader.pages for f in page["/Resources"]["/Font"].values()]
    assert fonts, "the check would pass vacuously on a PDF without fonts"


def _xmp(writer, old: str, new: str) -> None:
    stream = writer._root_object["/Metadata"].get_object()
    data = stream.get_data().decode("utf-8")
    assert old in data
    stream.set_data(data.replace(old, new).encode("utf-8"))


def _part_2(w):
    xmp = w._root_object["/Metadata"].get_object().get_data().decode("utf-8")
    _xmp(w, "pdfaid:part>3<" if "pdfaid:part>3<" in xmp else 'pdfaid:part="3"',
         "pdfaid:part>2<" if "pdfaid:part>3<" in xmp else 'pdfaid:part="2"')


def _no_output_intent(w):
    del w._root_object["/OutputIntents"]


def _javascript(w):
    w._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1)")})


def _launch(w):
    w._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("cmd.exe")})


def _unembedded_font(w):
    for page in w.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            target = font["/DescendantFonts"][0].get_object() if font.get("/Subtype") == "/Type0" else font
            desc = target["/FontDescriptor"].get_object()
            for key in ("/FontFile", "/FontFile2", "/FontFile3"):
                if key in desc:
                    del desc[key]
            return


def _index_not_associated(w):
    del w._root_object["/AF"]


def _no_af_relationship(w):
    for ref in w._root_object["/AF"]:  # WeasyPrint lists each file twice in /AF
        ref.get_object().pop("/AFRelationship", None)


def _title_differs(w):
    w.add_metadata({"/Title": "another title"})


def _cmyk_image(w):
    from pypdf.generic import NumberObject, StreamObject

    img = StreamObject()
    img.update({NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Image"),
                NameObject("/Width"): NumberObject(1), NameObject("/Height"): NumberObject(1),
                NameObject("/ColorSpace"): NameObject("/DeviceCMYK"), NameObject("/BitsPerComponent"): NumberObject(8)})
    img.set_data(b"\0\0\0\0")
    res = w.pages[0]["/Resources"]
    res.setdefault(NameObject("/XObject"), DictionaryObject())[NameObject("/ImCMYK")] = w._add_object(img)


BREAKS = {
    "part 2 in XMP": (_part_2, "XMP: pdfaid:part is '2', not '3'"),
    "no output intent": (_no_output_intent, "output intent: no /OutputIntents entry of subtype /GTS_PDFA1"),
    "JavaScript": (_javascript, "JavaScript action"),
    "launch action": (_launch, "forbidden action /Launch"),
    "font not embedded": (_unembedded_font, ": not embedded"),
    "index not associated": (_index_not_associated, "embedded file exhibit-index.json: not listed in an /AF array"),
    "no AFRelationship": (_no_af_relationship, "embedded file exhibit-index.csv: no /AFRelationship"),
    "Info and XMP differ": (_title_differs, "XMP: dc:title is"),
    "CMYK image under an RGB intent": (_cmyk_image, "an image in /DeviceCMYK without an output intent of that colour"),
}


@pytest.mark.parametrize("name", list(BREAKS))
def test_each_pdfa_check_fires_on_a_dossier_broken_that_way(dossier_pdf, tmp_path, name):
    breaker, expected = BREAKS[name]
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(dossier_pdf))
    breaker(writer)
    broken = tmp_path / "broken.pdf"
    writer.write(broken)
    found = problems(broken)
    assert any(expected in p for p in found), found


def test_an_encrypted_copy_is_refused(dossier_pdf, tmp_path):
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(dossier_pdf))
    writer.encrypt("secret")
    writer.write(tmp_path / "locked.pdf")
    assert problems(tmp_path / "locked.pdf") == ["encrypted (PDF/A forbids /Encrypt)"]


def test_an_unchanged_copy_passes(dossier_pdf, tmp_path):
    """The copies above differ from the dossier only by what each breaker did."""
    pypdf.PdfWriter(clone_from=pypdf.PdfReader(dossier_pdf)).write(tmp_path / "copy.pdf")
    assert problems(tmp_path / "copy.pdf") == []
