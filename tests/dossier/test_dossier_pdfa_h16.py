"""Dossier PDFs are PDF/A-3b with the exhibit index attached (h16)."""

from __future__ import annotations

import csv
import io
import json

import pypdf
import pytest

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


def test_a_dossier_pdf_is_pdfa3b_with_its_exhibit_index_attached(demo):
    ctx = person_dossier(demo["session"], "person-nouri", "prosecutor", case_title=demo["title"])
    ex = Exhibit(number="E1", item_id="item-0123456789abcdef", title="حکم دادگاه استکهلم", filename="verdict.pdf",
                 media_type="application/pdf", size=1234, sha256="ab" * 32, source_id=None,
                 captured_at="2022-07-14")
    ctx = {**ctx, "exhibits": [*ctx.get("exhibits", []), ex]}
    pdf = write("person.html", ctx, demo["out"] / "nouri.pdf")
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
