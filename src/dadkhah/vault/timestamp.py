"""RFC 3161 trusted timestamps: ask a Time-Stamp Authority to countersign a hash, and check its token.

:func:`request_token` sends a ``TimeStampReq`` for the SHA-256 of some data (asking for the TSA's
certificate in the reply) and returns the DER ``TimeStampToken``. :func:`check_token` verifies offline
that the token covers the data (message imprint) and that the TSA's CMS signature over it is intact,
using the certificate inside the token; with a CA file it also runs ``openssl ts -verify`` to check
that the TSA chains to that CA. The same can be done by hand::

    openssl ts -verify -data manifest.json -in timestamp.tsr -token_in -CAfile tsa-ca.pem
"""

from __future__ import annotations

import hashlib
import secrets
import shutil
import subprocess
import tempfile
import urllib.request
from pathlib import Path

from asn1crypto import algos, cms, tsp

from dadkhah.errors import DadkhahError

HASH_OIDS = {"sha256": hashlib.sha256, "sha384": hashlib.sha384, "sha512": hashlib.sha512, "sha1": hashlib.sha1}


class TimestampError(DadkhahError, RuntimeError):
    pass


def make_request(data: bytes) -> bytes:
    req = tsp.TimeStampReq({
        "version": "v1",
        "message_imprint": {"hash_algorithm": algos.DigestAlgorithm({"algorithm": "sha256"}),
                            "hashed_message": hashlib.sha256(data).digest()},
        "nonce": int.from_bytes(secrets.token_bytes(8), "big"),
        "cert_req": True,
    })
    return req.dump()


def request_token(data: bytes, url: str, *, timeout: int = 30) -> bytes:
    """Timestamp ``data`` at the TSA at ``url``; returns the DER TimeStampToken."""
    body = make_request(data)
    http = urllib.request.Request(url, data=body, headers={"Content-Type": "application/timestamp-query"})
    try:
        with urllib.request.urlopen(http, timeout=timeout) as resp:  # noqa: S310 - the operator's TSA URL
            reply = resp.read()
    except OSError as exc:
        raise TimestampError(f"the timestamp authority at {url} could not be reached: {exc}") from None
    try:
        parsed = tsp.TimeStampResp.load(reply)
        status = parsed["status"]["status"].native
    except ValueError as exc:
        raise TimestampError(f"the timestamp authority at {url} sent no RFC 3161 reply: {exc}") from None
    if status not in ("granted", "granted_with_mods"):
        raise TimestampError(f"the timestamp authority refused the request: {status}")
    token = parsed["time_stamp_token"]
    sent = tsp.TimeStampReq.load(body)
    info = token["content"]["encap_content_info"]["content"].parsed
    if info["nonce"].native != sent["nonce"].native:
        raise TimestampError("the timestamp reply does not answer this request (nonce differs)")
    return token.dump()


def check_token(token_der: bytes, data: bytes, *, ca_file: str | Path | None = None) -> dict:
    """Verify a TimeStampToken over ``data``; returns ``{"ok", "time", "tsa", "problem"}``."""
    try:
        token = cms.ContentInfo.load(token_der)
        signed = token["content"]
        info = signed["encap_content_info"]["content"].parsed
        imprint = info["message_imprint"]
        alg = imprint["hash_algorithm"]["algorithm"].native
        gen_time = info["gen_time"].native
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        return {"ok": False, "problem": f"not a readable RFC 3161 token: {exc}"}
    result = {"ok": False, "time": gen_time.isoformat() if gen_time else None, "hash": alg}
    if alg not in HASH_OIDS or HASH_OIDS[alg](data).digest() != imprint["hashed_message"].native:
        return {**result, "problem": "the token is for other data (message imprint differs)"}
    problem = _check_signature(signed)
    if problem:
        return {**result, "problem": problem}
    result["tsa"] = _signer_name(signed)
    if ca_file is not None:
        problem = _openssl_verify(token_der, data, Path(ca_file))
        if problem:
            return {**result, "problem": problem}
        result["chain"] = "verified against " + Path(ca_file).name
    return {**result, "ok": True}


def _signer_cert(signed):
    signer = signed["signer_infos"][0]
    sid = signer["sid"]
    for c in signed["certificates"] or []:
        cert = c.chosen
        if sid.name == "issuer_and_serial_number":
            if (cert.issuer == sid.chosen["issuer"] and cert.serial_number == sid.chosen["serial_number"].native):
                return cert
        elif cert.key_identifier == sid.chosen.native:
            return cert
    return None


def _signer_name(signed) -> str | None:
    cert = _signer_cert(signed)
    return cert.subject.human_friendly if cert is not None else None


def _check_signature(signed) -> str | None:
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

    signer = signed["signer_infos"][0]
    cert = _signer_cert(signed)
    if cert is None:
        return "the token does not carry the TSA's certificate (cannot check its signature offline)"
    content = signed["encap_content_info"]["content"].contents
    digest_alg = signer["digest_algorithm"]["algorithm"].native
    if digest_alg not in HASH_OIDS:
        return f"unsupported digest {digest_alg}"
    attrs = signer["signed_attrs"]
    if attrs:
        md = next((a["values"][0].native for a in attrs if a["type"].native == "message_digest"), None)
        if md != HASH_OIDS[digest_alg](content).digest():
            return "the token's content was altered (its digest no longer matches the signed attributes)"
        to_verify = b"\x31" + attrs.dump()[1:]  # signed over as a SET OF, not as the [0] field
    else:
        to_verify = content
    pub = x509.load_der_x509_certificate(cert.dump()).public_key()
    h = {"sha256": hashes.SHA256(), "sha384": hashes.SHA384(), "sha512": hashes.SHA512(), "sha1": hashes.SHA1()}
    sig = signer["signature"].native
    try:
        if isinstance(pub, rsa.RSAPublicKey):
            if signer["signature_algorithm"].signature_algo == "rsassa_pss":
                pad = padding.PSS(mgf=padding.MGF1(h[digest_alg]), salt_length=padding.PSS.AUTO)
            else:
                pad = padding.PKCS1v15()
            pub.verify(sig, to_verify, pad, h[digest_alg])
        elif isinstance(pub, ec.EllipticCurvePublicKey):
            pub.verify(sig, to_verify, ec.ECDSA(h[digest_alg]))
        else:
            pub.verify(sig, to_verify)
    except InvalidSignature:
        return "the TSA's signature over the token is invalid (the token was altered)"
    except (ValueError, TypeError) as exc:
        return f"the TSA's signature cannot be checked: {exc}"
    return None


def _openssl_verify(token_der: bytes, data: bytes, ca_file: Path) -> str | None:
    exe = shutil.which("openssl")
    if not exe:
        return "openssl is not installed: cannot check the TSA certificate chain"
    with tempfile.TemporaryDirectory(prefix="dadkhah-ts-") as tmp:
        tok, dat = Path(tmp) / "token.tsr", Path(tmp) / "data"
        tok.write_bytes(token_der)
        dat.write_bytes(data)
        proc = subprocess.run([exe, "ts", "-verify", "-data", str(dat), "-in", str(tok), "-token_in",
                               "-CAfile", str(ca_file)], capture_output=True, text=True, timeout=60)
    if proc.returncode != 0 or "Verification: OK" not in proc.stdout:
        return "openssl ts -verify failed: " + (proc.stderr.strip().splitlines() or ["no detail"])[0][:300]
    return None
