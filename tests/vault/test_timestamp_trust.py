"""RFC 3161 timestamps are verified against a trust store: a token signed by a self-signed TSA fails
`verify-bundle` unless that TSA is in the trust store; the timeStamping key usage and the ESSCertIDv2 are
checked; several TSAs may be trusted at once."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from typer.testing import CliRunner

from dadkhah.cli import app
from dadkhah.vault.timestamp import check_token, make_request, trust_store

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl to answer as a TSA")

CONFIG = """
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
dir = {dir}
serial = $dir/serial
signer_cert = $dir/tsa.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256
accuracy = secs:1
ess_cert_id_alg = sha256
"""


def self_signed_tsa(folder: Path, name: str, *, eku: bool = True) -> Path:
    """A self-signed TSA certificate (made here with `cryptography`) and its openssl responder config."""
    folder.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
               .serial_number(x509.random_serial_number()).not_valid_before(now)
               .not_valid_after(now + dt.timedelta(days=2)))
    if eku:
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
    else:
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]), critical=True)
    cert = builder.sign(key, hashes.SHA256())
    (folder / "tsa.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "tsa.key").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                       serialization.NoEncryption()))
    (folder / "serial").write_text("01\n")
    (folder / "tsa.cnf").write_text(CONFIG.format(dir=folder))
    return folder / "tsa.pem"


def token_from(folder: Path, data: bytes) -> bytes:
    (folder / "q.tsq").write_bytes(make_request(data))
    subprocess.run(["openssl", "ts", "-reply", "-config", str(folder / "tsa.cnf"), "-queryfile",
                    str(folder / "q.tsq"), "-token_out", "-out", str(folder / "t.der")],
                   check=True, capture_output=True, timeout=30)
    return (folder / "t.der").read_bytes()


def test_a_self_signed_token_fails_without_its_tsa_in_the_trust_store_and_passes_with_it(tmp_path, monkeypatch):
    monkeypatch.delenv("DADKHAH_TSA_TRUST", raising=False)
    cert = self_signed_tsa(tmp_path / "a", "Self-signed TSA A")
    other = self_signed_tsa(tmp_path / "b", "Self-signed TSA B")
    data = b'{"manifest": 1}'
    token = token_from(tmp_path / "a", data)
    # the default trust store (the system's roots) does not hold it: not verified, never "ok"
    default = check_token(token, data)
    assert not default["ok"] and "not verified against a trusted root" in default["problem"]
    # another TSA's root does not verify it either
    assert "not verified against a trusted root" in check_token(token, data, ca_file=other)["problem"]
    # with it in the trust store it verifies; several TSAs may be trusted at once (one file, or a folder)
    assert check_token(token, data, ca_file=cert)["ok"]
    both = tmp_path / "trusted.pem"
    both.write_bytes(other.read_bytes() + cert.read_bytes())
    assert check_token(token, data, ca_file=both)["ok"]
    assert len(trust_store(both)[0]) == 2
    assert check_token(token, data, ca_file=[other, cert])["ok"]
    monkeypatch.setenv("DADKHAH_TSA_TRUST", str(both))
    assert check_token(token, data)["ok"]  # the configured default
    # and it is still for this data only
    assert "message imprint" in check_token(token, b"other", ca_file=cert)["problem"]


def _twin(folder: Path, *, eku=ExtendedKeyUsageOID.TIME_STAMPING):
    """Another certificate for the same TSA key (same subject and serial), self-signed by it."""
    key = serialization.load_pem_private_key((folder / "tsa.key").read_bytes(), None)
    original = x509.load_pem_x509_certificate((folder / "tsa.pem").read_bytes())
    twin = (x509.CertificateBuilder().subject_name(original.subject).issuer_name(original.issuer)
            .public_key(original.public_key()).serial_number(original.serial_number)
            .not_valid_before(original.not_valid_before_utc).not_valid_after(original.not_valid_after_utc)
            .add_extension(x509.ExtendedKeyUsage([eku]), critical=True)
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("twin.example")]), critical=False)
            .sign(key, hashes.SHA256()))
    path = folder / "twin.pem"
    path.write_bytes(twin.public_bytes(serialization.Encoding.PEM))
    return key, twin, path


def _with_certificate(token_der: bytes, cert, key=None) -> bytes:
    """The token carrying ``cert`` instead of its own; with ``key``, its ESSCertIDv2 made to name ``cert``
    and the signed attributes signed again (a well-formed token from a TSA holding that certificate)."""
    import hashlib

    from asn1crypto import cms
    from asn1crypto import x509 as ax509

    token = cms.ContentInfo.load(token_der)
    signed = token["content"]
    der = cert.public_bytes(serialization.Encoding.DER)
    signed["certificates"] = [cms.CertificateChoices(name="certificate", value=ax509.Certificate.load(der))]
    if key is not None:
        signer = signed["signer_infos"][0]
        attrs = signer["signed_attrs"]
        for attr in attrs:
            if attr["type"].native == "signing_certificate_v2":
                attr["values"][0]["certs"][0]["cert_hash"] = hashlib.sha256(der).digest()
        to_sign = b"\x31" + attrs.dump(force=True)[1:]
        signer["signature"] = key.sign(to_sign, ec.ECDSA(hashes.SHA256()))
    return token.dump(force=True)


def test_a_tsa_certificate_without_the_timestamping_key_usage_is_refused_even_when_trusted(tmp_path):
    self_signed_tsa(tmp_path / "c", "TSA C")
    data = b"x"
    token = token_from(tmp_path / "c", data)
    key, twin, twin_pem = _twin(tmp_path / "c", eku=ExtendedKeyUsageOID.CODE_SIGNING)
    forged = _with_certificate(token, twin, key)
    result = check_token(forged, data, ca_file=twin_pem)
    assert not result["ok"] and "timestamping" in result["problem"].lower(), result
    # the same forgery with a timeStamping certificate verifies: the key usage is what failed above
    key, good, good_pem = _twin(tmp_path / "c")
    assert check_token(_with_certificate(token, good, key), data, ca_file=good_pem)["ok"]


def test_an_ess_cert_id_that_names_another_certificate_is_refused(tmp_path):
    """Swap the certificate in the token for another one with the same key: the ESSCertIDv2 catches it."""
    self_signed_tsa(tmp_path / "d", "TSA D")
    data = b"y"
    token = token_from(tmp_path / "d", data)
    _key, twin, twin_pem = _twin(tmp_path / "d")
    result = check_token(_with_certificate(token, twin), data, ca_file=twin_pem)
    assert not result["ok"] and "ESSCertID" in result["problem"]


def test_verify_bundle_fails_on_a_self_signed_timestamp_with_a_clear_message(sqlite_case, tmp_path, monkeypatch):
    """The bundle path: a bundle carrying a self-signed timestamp fails `verify-bundle` until its TSA is
    trusted with --tsa-ca."""
    from dadkhah.records import add_person
    from dadkhah.vault.bundle import build_bundle

    monkeypatch.delenv("DADKHAH_TSA_TRUST", raising=False)
    (tmp_path / "doc.txt").write_text("a document")
    from dadkhah.ingest import IngestOptions, ingest_paths

    with sqlite_case.session() as s:
        add_person(s, names=["Hamid Nouri"], id="person-nouri")
    ingest_paths(sqlite_case, [tmp_path / "doc.txt"], options=IngestOptions(link_entities=["person-nouri"]))
    bundle = tmp_path / "b.zip"
    build_bundle(sqlite_case, bundle, persons=["person-nouri"], audience="internal")
    cert = self_signed_tsa(tmp_path / "tsa", "Self-signed TSA")
    stamped = tmp_path / "stamped.zip"
    with zipfile.ZipFile(bundle) as src, zipfile.ZipFile(stamped, "w") as out:
        for info in src.infolist():
            out.writestr(info, src.read(info.filename))
        out.writestr("timestamp.tsr", token_from(tmp_path / "tsa", src.read("manifest.json")))
    runner = CliRunner()
    r = runner.invoke(app, ["verify-bundle", str(stamped), "--json"], env={})
    assert r.exit_code == 1, r.output
    result = json.loads(r.stdout)
    assert not result["ok"] and not result["timestamp"]["ok"]
    problem = {p["file"]: p["problem"] for p in result["problems"]}["timestamp.tsr"]
    assert "not verified against a trusted root" in problem
    r = runner.invoke(app, ["verify-bundle", str(stamped), "--tsa-ca", str(cert), "--json"], env={})
    result = json.loads(r.stdout)
    assert result["timestamp"]["ok"], result
