"""Exhibit bundles are BagIt bags (h16): bagit's own validator accepts them, and they stay signed."""

from __future__ import annotations

import zipfile

import bagit
import pytest

from dadkhah.ingest import IngestOptions, ingest_paths
from dadkhah.vault.bundle import build_bundle, verify_bundle


def _bundle(case, tmp_path):
    src = tmp_path / "files"
    src.mkdir()
    (src / "letter.txt").write_text("نامه‌ی آیت‌الله منتظری، مرداد ۱۳۶۷", encoding="utf-8")
    (src / "list.csv").write_text("name,prison\nA,Evin\n")
    items = [r.item_id for r in ingest_paths(case, [src], options=IngestOptions(ocr=False)).results]
    out = tmp_path / "exhibits.zip"
    build_bundle(case, out, items=items, audience="internal")
    return out


def test_a_bundle_is_a_valid_bag_and_still_verifies(case, tmp_path):
    out = _bundle(case, tmp_path)
    assert verify_bundle(out)["ok"]
    folder = tmp_path / "bag"
    with zipfile.ZipFile(out) as z:
        names = z.namelist()
        z.extractall(folder)
    assert {"bagit.txt", "bag-info.txt", "manifest-sha256.txt", "tagmanifest-sha256.txt"} <= set(names)
    assert all(n.startswith("data/") for n in names if n.startswith(("data/", "originals", "derived")))
    bag = bagit.Bag(str(folder))
    bag.validate()  # raises on any problem
    assert bag.info["Payload-Oxum"].endswith(".5")  # two originals, two texts, README
    assert bag.info["Bag-Software-Agent"].startswith("dadkhah")
    (folder / "data" / "README.txt").write_text("changed")
    with pytest.raises(bagit.BagValidationError):
        bagit.Bag(str(folder)).validate()


def test_a_changed_bag_info_fails_verification(sqlite_case, tmp_path):
    from dadkhah.vault import zipcanon

    out = _bundle(sqlite_case, tmp_path)
    with zipfile.ZipFile(out) as z:
        entries = [(i.filename, z.read(i.filename)) for i in z.infolist()]
    entries = [(n, d.replace(b"Contact-Name: tester", b"Contact-Name: someone")) if n == "bag-info.txt" else (n, d)
               for n, d in entries]
    bad = tmp_path / "bad.zip"
    zipcanon.write_zip(bad, entries)
    result = verify_bundle(bad)
    assert not result["ok"]
    assert "bag-info.txt" in {p["file"] for p in result["problems"]}
