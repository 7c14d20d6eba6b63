"""Ingest of media (h16): HEIC/AVIF detection, perceptual near-duplicates, video keyframes, C2PA
provenance, XMP, and text from XLSX, PPTX, ODT, RTF and e-mail."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from typer.testing import CliRunner

from dadkhah.access import SYSTEM, operator
from dadkhah.ingest import IngestOptions, ingest_paths
from dadkhah.ingest.detect import sniff
from dadkhah.ingest.fingerprints import fingerprints_of, similar_items
from dadkhah.vault.evidence import get_item

OPTS = IngestOptions(ocr=False)


def _astronaut():
    import skimage.data
    from PIL import Image

    return Image.fromarray(skimage.data.astronaut())


def _save(im, path, fmt="JPEG", **kw):
    im.save(path, fmt, **kw)
    return path


def _by_name(report):
    from pathlib import Path

    return {Path(r.path).name: r for r in report.results}


def test_heic_and_avif_photos_are_detected_as_images(case, tmp_path):
    import pillow_heif

    pillow_heif.register_heif_opener()
    im = _astronaut().resize((128, 128))
    heic = _save(im, tmp_path / "IMG_0001.HEIC", "HEIF")
    avif = _save(im, tmp_path / "photo.avif", "AVIF")
    assert sniff(heic) == "image/heic" and sniff(avif) == "image/avif"
    report = ingest_paths(case, [heic, avif], options=OPTS)
    names = _by_name(report)
    assert names["IMG_0001.HEIC"].media_type == "image/heic" and names["photo.avif"].media_type == "image/avif"
    with case.reader(SYSTEM) as s:
        kinds = {f.kind for f in fingerprints_of(s, names["IMG_0001.HEIC"].item_id)}
        assert kinds == {"pdq", "pdq-mirror", "phash", "phash-mirror"}


def test_email_and_mp4_are_not_confused(tmp_path):
    eml = tmp_path / "message.txt"
    eml.write_text("Received: from x\nFrom: a@example.org\nTo: b@example.org\nSubject: Evin\n\nbody\n")
    plain = tmp_path / "notes.txt"
    plain.write_text("From: the notes of a witness\nnot an e-mail at all\n")
    assert sniff(eml) == "message/rfc822"
    assert sniff(plain) == "text/plain"
    mp4 = tmp_path / "clip.bin"
    mp4.write_bytes(b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41" + b"\x00" * 64)
    assert sniff(mp4) == "video/mp4"


def test_near_duplicates_are_found_and_unrelated_images_are_not(case, tmp_path):
    import skimage.data
    from PIL import Image, ImageDraw, ImageOps

    base = _astronaut()
    _save(base, tmp_path / "original.png", "PNG")
    _save(base.resize((300, 300)), tmp_path / "resized.jpg", quality=60)
    _save(ImageOps.mirror(base), tmp_path / "mirrored.jpg", quality=85)
    marked = base.copy()
    ImageDraw.Draw(marked).text((20, 470), "@channel_1367 — shared", fill=(255, 255, 255))
    _save(marked, tmp_path / "watermarked.jpg", quality=80)
    _save(Image.fromarray(skimage.data.coffee()), tmp_path / "coffee.jpg")
    _save(Image.fromarray(skimage.data.chelsea()), tmp_path / "cat.jpg")
    report = ingest_paths(case, [tmp_path], options=OPTS)
    ids = {name: r.item_id for name, r in _by_name(report).items()}
    with case.reader(SYSTEM) as s:
        found = similar_items(s, ids["original.png"], operator("t"))
    got = {f["item"]: f for f in found}
    assert {ids["resized.jpg"], ids["mirrored.jpg"], ids["watermarked.jpg"]} <= set(got)
    assert ids["coffee.jpg"] not in got and ids["cat.jpg"] not in got
    assert got[ids["mirrored.jpg"]]["method"] in ("pdq (mirrored)", "phash (mirrored)")

    from dadkhah.cli import app

    if case.backend == "sqlite":
        res = CliRunner().invoke(app, ["--data", str(case.data_dir), "evidence", "similar", ids["resized.jpg"],
                                       "--json"])
        assert res.exit_code == 0, res.output
        doc = json.loads(res.stdout)
        assert doc["fingerprinted"] and ids["original.png"] in {r["item"] for r in doc["similar"]}


def test_similar_items_respect_the_callers_ceiling(sqlite_case, tmp_path):
    base = _astronaut()
    secret = _save(base, tmp_path / "secret.jpg")
    public = _save(base.resize((256, 256)), tmp_path / "public.jpg")
    ingest_paths(sqlite_case, [secret], options=IngestOptions(ocr=False, sensitivity="confidential"))
    r = ingest_paths(sqlite_case, [public], options=IngestOptions(ocr=False, sensitivity="public")).results[0]
    from dadkhah.access import Principal, Role

    with sqlite_case.reader(SYSTEM) as s:
        assert similar_items(s, r.item_id, operator("admin"))
        assert similar_items(s, r.item_id, Principal("viewer", Role.viewer)) == []


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg is not installed")
def test_video_keyframes_are_fingerprinted_and_match_a_still(sqlite_case, tmp_path):
    frames = tmp_path / "frames"
    frames.mkdir()
    still = _astronaut().resize((256, 256))
    for i in range(3):
        still.save(frames / f"f{i:02d}.png")
    video = tmp_path / "clip.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-framerate", "1", "-i", str(frames / "f%02d.png"),
                    "-c:v", "libx264", "-g", "1", "-pix_fmt", "yuv420p", str(video)], check=True, timeout=120)
    photo = _save(still, tmp_path / "still.jpg")
    report = ingest_paths(sqlite_case, [video, photo], options=OPTS)
    names = _by_name(report)
    assert names["clip.mp4"].media_type == "video/mp4"
    with sqlite_case.reader(SYSTEM) as s:
        fps = fingerprints_of(s, names["clip.mp4"].item_id)
        assert len({f.frame for f in fps}) >= 1
        found = similar_items(s, names["still.jpg"].item_id, operator("t"))
    assert names["clip.mp4"].item_id in {f["item"] for f in found}


def test_c2pa_manifest_is_validated_and_a_tampered_copy_is_flagged(case, tmp_path):
    from dadkhah.testing.c2pa_assets import jpeg, signed_jpeg

    good = signed_jpeg(tmp_path / "signed.jpg", ingredient=jpeg((0, 0, 200)))
    data = bytearray(good.read_bytes())
    data[-200] ^= 0xFF  # inside the image data, after the manifest: the hard binding breaks
    bad = tmp_path / "tampered.jpg"
    bad.write_bytes(bytes(data))
    plain = tmp_path / "plain.jpg"
    plain.write_bytes(jpeg((10, 200, 10)))
    names = _by_name(ingest_paths(case, [good, bad, plain], options=OPTS))
    with case.reader(SYSTEM) as s:
        g = get_item(s, names["signed.jpg"].item_id, SYSTEM).meta["provenance"]["c2pa"]
        t = get_item(s, names["tampered.jpg"].item_id, SYSTEM).meta["provenance"]["c2pa"]
        p = get_item(s, names["plain.jpg"].item_id, SYSTEM).meta
    assert g["state"] == "Valid" and g["claim_signature"] == "valid" and g["hard_binding"] == "valid"
    assert g["signer"]["common_name"] == "dadkhah test signer" and g["signer_trust"] == "untrusted"
    assert g["ingredients"][0]["title"] == "original.jpg" and g["ingredients"][0]["relationship"] == "parentOf"
    assert any(a["action"] == "c2pa.created" for a in g["actions"])
    assert t["state"] == "Invalid" and t["hard_binding"] == "invalid"
    assert any("dataHash.mismatch" in f["code"] for f in t["failures"])
    assert any("C2PA" in pr for pr in names["tampered.jpg"].problems)
    assert "c2pa" not in p.get("provenance", {})


def test_xmp_packet_is_read(sqlite_case, tmp_path):
    xmp = ('<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
           '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
           '<rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/" '
           'xmp:CreatorTool="Camera app 7"><dc:creator><rdf:Seq><rdf:li>Reza</rdf:li></rdf:Seq></dc:creator>'
           '</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>')
    path = tmp_path / "x.jpg"
    _astronaut().resize((64, 64)).save(path, "JPEG", xmp=xmp.encode())
    r = ingest_paths(sqlite_case, [path], options=OPTS).results[0]
    with sqlite_case.reader(SYSTEM) as s:
        meta = get_item(s, r.item_id, SYSTEM).meta["provenance"]["xmp"]
    assert meta["xmp:CreatorTool"] == "Camera app 7" and meta["dc:creator"] == ["Reza"]


def _office_files(tmp_path):
    import openpyxl
    from odf.opendocument import OpenDocumentText
    from odf.text import P
    from pptx import Presentation

    wb = openpyxl.Workbook()
    wb.active.title = "Prisoners"
    wb.active.append(["name", "prison"])
    wb.active.append(["Mohammad Rezaei", "Gohardasht"])
    wb.save(tmp_path / "list.xlsx")
    prs = Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[1])
    slide.shapes.title.text = "Death commission"
    slide.placeholders[1].text = "Members met in Evin in August"
    prs.save(tmp_path / "talk.pptx")
    odt = OpenDocumentText()
    odt.text.addElement(P(text="گزارش دادگاه ویژه"))
    odt.save(str(tmp_path / "report.odt"))
    (tmp_path / "memo.rtf").write_text(r"{\rtf1\ansi{\fonttbl\f0 Arial;}\f0 Transfer order for ward 3\par}")
    (tmp_path / "mail.eml").write_bytes(
        b"From: witness@example.org\r\nTo: team@example.org\r\nSubject: =?utf-8?b?2LTZh9in2K/Yqg==?=\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\nI saw the lists at Qezel Hesar.\r\n--XX\r\n"
        b"Content-Type: application/pdf\r\nContent-Disposition: attachment; filename=list.pdf\r\n\r\n%PDF-1.4\r\n"
        b"--XX--\r\n")


def test_text_of_office_documents_and_email_is_searchable(case, tmp_path):
    from dadkhah.store.search import search

    _office_files(tmp_path)
    names = _by_name(ingest_paths(case, [tmp_path], options=OPTS))
    assert names["list.xlsx"].text_method == "xlsx"
    assert names["talk.pptx"].text_method == "pptx"
    assert names["report.odt"].text_method == "odf"
    assert names["memo.rtf"].text_method == "rtf"
    assert names["mail.eml"].media_type == "message/rfc822" and names["mail.eml"].text_method == "email"
    expect = {"Gohardasht": "list.xlsx", "commission": "talk.pptx", "دادگاه": "report.odt", "ward": "memo.rtf",
              "Qezel": "mail.eml"}
    with case.reader(SYSTEM) as s:
        for word, name in expect.items():
            hits = {h.id for h in search(s, word, principal=operator("t"))}
            assert names[name].item_id in hits, (word, name)
        mail = get_item(s, names["mail.eml"].item_id, SYSTEM)
        from dadkhah.vault.evidence import item_text

        text = item_text(s, mail)
    assert "Subject: شهادت" in text and "attachment: list.pdf" in text


def test_broken_office_file_is_stored_with_a_problem(sqlite_case, tmp_path):
    import zipfile

    bad = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(bad, "w") as z:
        z.writestr("[Content_Types].xml", "<x/>")
        z.writestr("xl/workbook.xml", "not xml")
    r = ingest_paths(sqlite_case, [bad], options=OPTS).results[0]
    assert r.status == "stored" and r.problems and "no text extracted" in r.problems[0]
