"""Sealed exhibit bundles: `bundle` → `verify-bundle` passes, and fails naming the file after any byte changes."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile

import pytest
from tsa import openssl_tsa

from dadkhah.access import SYSTEM
from dadkhah.claims import add_claim
from dadkhah.errors import InputError
from dadkhah.ingest import IngestOptions, ingest_paths
from dadkhah.records import add_person, add_source
from dadkhah.vault import custody
from dadkhah.vault.bundle import build_bundle, verify_bundle


@pytest.fixture
def exhibits(case, tmp_path):
    """A person, a claim about them citing a source, and evidence: two items of that source, one of them
    confidential, and one item linked to the person directly (on both backends)."""
    return make_exhibits(case, tmp_path)


@pytest.fixture
def format_case(sqlite_case, tmp_path):
    """The same exhibits, for tests of the bundle file format alone (which no backend changes)."""
    make_exhibits(sqlite_case, tmp_path)
    return sqlite_case


def make_exhibits(case, tmp_path):
    with case.session() as s:
        person = add_person(s, names=["Hamid Nouri"], id="person-nouri")
        source = add_source(s, source_type="court_record", title="Stockholm District Court judgment", id="src-judgment")
        add_claim(s, subject_id=person.id, predicate="statement", statement="Convicted in Stockholm in 2022",
                  citations=[{"source_id": source.id, "quotation": "life imprisonment", "locator": "p. 1"}],
                  id="claim-conviction")
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "judgment.txt").write_text("Judgment of the Stockholm District Court, case B 15255-19")
    (folder / "annex.txt").write_text("Annex with the names of protected sources")
    (folder / "photo.txt").write_text("Photograph description: Gohardasht prison corridor")
    judgment = ingest_paths(case, [folder / "judgment.txt"], options=IngestOptions(source_id="src-judgment"))
    annex = ingest_paths(case, [folder / "annex.txt"],
                         options=IngestOptions(source_id="src-judgment", sensitivity="confidential"))
    photo = ingest_paths(case, [folder / "photo.txt"], options=IngestOptions(link_entities=["person-nouri"]))
    return {"judgment": judgment.results[0].item_id, "annex": annex.results[0].item_id,
            "photo": photo.results[0].item_id}


def test_a_bundle_verifies_and_holds_originals_manifest_custody_and_claims(case, exhibits, tmp_path):
    out = tmp_path / "b.zip"
    summary = build_bundle(case, out, persons=["person-nouri"], audience="prosecutor")
    assert summary["items"] == 2 and summary["claims"] == 1
    result = verify_bundle(out)
    assert result["ok"], result["problems"]
    assert result["signature"] == "valid"
    with zipfile.ZipFile(out) as z:
        manifest = json.loads(z.read("manifest.json"))
        names = z.namelist()
        for f in manifest["files"]:
            assert f["path"] in names
    items = {i["id"]: i for i in manifest["items"]}
    assert set(items) == {exhibits["judgment"], exhibits["photo"]}
    judgment = items[exhibits["judgment"]]
    assert judgment["claims"] == ["claim-conviction"] and judgment["source"]["id"] == "src-judgment"
    assert [e["action"] for e in judgment["custody"]][:2] == ["ingest", "derive"]
    assert manifest["claims"][0]["sources"][0]["quotation"] == "life imprisonment"
    assert manifest["audience"] == "prosecutor" and manifest["signature"]["algorithm"] == "Ed25519"


def test_the_audience_decides_what_goes_in(case, exhibits, tmp_path):
    internal = build_bundle(case, tmp_path / "i.zip", persons=["person-nouri"], audience="internal")
    assert internal["items"] == 3  # the confidential annex only for the internal audience
    with zipfile.ZipFile(tmp_path / "i.zip") as z:
        assert exhibits["annex"] in z.read("manifest.json").decode()
    with pytest.raises(InputError, match="no exhibits .* visible to the 'public' audience"):
        build_bundle(case, tmp_path / "p.zip", persons=["person-nouri"], audience="public")


def test_bundling_is_recorded_as_an_export_in_each_items_custody_log(case, exhibits, tmp_path):
    build_bundle(case, tmp_path / "b.zip", claims=["claim-conviction"])
    with case.reader(SYSTEM) as s:
        last = custody.custody_log(s, exhibits["judgment"])[-1]
        assert last.action == "export" and last.details["bundle"] == "b.zip"
        assert custody.custody_log(s, exhibits["photo"])[-1].action != "export"  # not linked to that claim


def _flip(src, dst, offset):
    data = bytearray(src.read_bytes())
    data[offset] ^= 0x20
    dst.write_bytes(bytes(data))


def test_a_changed_byte_in_any_member_fails_verification_naming_that_file(format_case, tmp_path):
    out = tmp_path / "b.zip"
    build_bundle(format_case, out, persons=["person-nouri"])
    with zipfile.ZipFile(out) as z:
        infos = z.infolist()
    for info in infos:
        data_start = info.header_offset + 30 + len(info.filename)
        bad = tmp_path / "bad.zip"
        _flip(out, bad, data_start + info.file_size // 2)
        result = verify_bundle(bad)
        assert not result["ok"], info.filename
        assert info.filename in {p["file"] for p in result["problems"]}, (info.filename, result["problems"])


@pytest.mark.slow
def test_a_changed_byte_anywhere_in_the_bundle_fails_verification(format_case, tmp_path):
    out = tmp_path / "b.zip"
    build_bundle(format_case, out, persons=["person-nouri"])
    size = out.stat().st_size
    with zipfile.ZipFile(out) as z:
        headers = set()
        for info in z.infolist():
            headers |= set(range(info.header_offset, info.header_offset + 30 + len(info.filename)))
        headers |= set(range(z.start_dir, size))
    positions = sorted(headers | set(range(0, size, 61)))
    bad = tmp_path / "bad.zip"
    for offset in positions:
        _flip(out, bad, offset)
        result = verify_bundle(bad)
        assert not result["ok"] and result["problems"], offset
        assert all(p["file"] for p in result["problems"])


def test_a_bundle_signed_by_another_key_fails_against_the_pinned_key(format_case, tmp_path, monkeypatch):
    from dadkhah.vault import signing

    build_bundle(format_case, tmp_path / "b.zip", persons=["person-nouri"])
    mine = signing.public_pem(signing.load_or_create(format_case.data_dir))
    assert verify_bundle(tmp_path / "b.zip", public_key=mine)["ok"]
    monkeypatch.setenv("DADKHAH_SIGNING_KEY", str(tmp_path / "impostor.pem"))
    with pytest.raises(signing.SigningKeyError):
        signing.load_or_create(format_case.data_dir)
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    (tmp_path / "impostor.pem").write_bytes(Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    build_bundle(format_case, tmp_path / "forged.zip", persons=["person-nouri"])
    result = verify_bundle(tmp_path / "forged.zip", public_key=mine)
    assert not result["ok"]
    assert {p["file"] for p in result["problems"]} >= {"signing-key.pem", "manifest.sig"}


@pytest.mark.skipif(shutil.which("openssl") is None or shutil.which("sha256sum") is None,
                    reason="needs openssl and sha256sum")
def test_a_bundle_verifies_with_standard_tools(format_case, tmp_path):
    out = tmp_path / "b.zip"
    build_bundle(format_case, out, persons=["person-nouri"])
    folder = tmp_path / "unzipped"
    with zipfile.ZipFile(out) as z:
        z.extractall(folder)
    subprocess.run(["sha256sum", "--quiet", "-c", "SHA256SUMS"], cwd=folder, check=True)
    proc = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", "signing-key.pem", "-rawin",
                           "-in", "manifest.json", "-sigfile", "manifest.sig"], cwd=folder, capture_output=True,
                          text=True)
    assert proc.returncode == 0 and "Signature Verified Successfully" in proc.stdout
    (folder / "manifest.json").write_bytes((folder / "manifest.json").read_bytes().replace(b"Nouri", b"Nuori"))
    bad = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", "signing-key.pem", "-rawin",
                          "-in", "manifest.json", "-sigfile", "manifest.sig"], cwd=folder, capture_output=True)
    assert bad.returncode != 0


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")
def test_an_rfc3161_timestamp_from_a_local_openssl_responder_is_added_and_verified(format_case, tmp_path):
    tsa_dir = tmp_path / "tsa"
    tsa_dir.mkdir()
    with openssl_tsa(tsa_dir) as (url, ca_file):
        build_bundle(format_case, tmp_path / "b.zip", persons=["person-nouri"], tsa_url=url)
    result = verify_bundle(tmp_path / "b.zip", tsa_ca=ca_file)
    assert result["ok"], result["problems"]
    assert result["timestamp"]["ok"] and result["timestamp"]["chain"] == "verified against ca.pem"
    untrusted = verify_bundle(tmp_path / "b.zip")  # the test CA is not in the default trust store: a failure
    assert not untrusted["ok"] and "not verified against a trusted root" in untrusted["timestamp"]["problem"]
    with zipfile.ZipFile(tmp_path / "b.zip") as z:
        info = z.getinfo("timestamp.tsr")
    for where in (info.file_size - 40, info.file_size // 2):  # the TSA's signature; the signed content
        bad = tmp_path / "bad.zip"
        _flip(tmp_path / "b.zip", bad, info.header_offset + 30 + len(info.filename) + where)
        result = verify_bundle(bad)
        assert "timestamp.tsr" in {p["file"] for p in result["problems"]}
