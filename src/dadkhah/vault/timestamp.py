"""RFC 3161 trusted timestamps: ask a Time-Stamp Authority to countersign a hash, and check its token.

:func:`request_token` sends a ``TimeStampReq`` for the SHA-256 of some data (asking for the TSA's
certificate in the reply) and returns the DER ``TimeStampToken``. :func:`check_token` verifies offline
that the token covers the data (message imprint), that the TSA's CMS signature over it is intact, that
the signed ESSCertIDv2 names the certificate that signed it, that this certificate is for timestamping
(critical extended key usage), and that it chains to a trusted root — the trust store is configurable
(:func:`trust_store`: ``--tsa-ca`` files or folders, else ``$DADKHAH_TSA_TRUST``, else the system's roots)
and may hold the roots of several TSAs. A token that does not chain to the trust store is a failure,
never "ok". The same can be done by hand::

    openssl ts -verify -data manifest.json -in timestamp.tsr -token_in -CAfile tsa-ca.pem

What a verified timestamp proves: that ``manifest.json`` — and so every file whose SHA-256 it lists —
existed, exactly so, no later than the time in the token, as attested by that TSA. It says nothing of
who made the bundle (that is the Ed25519 signature) nor whether its content is true.
"""

from __future__ import annotations

import hashlib
import secrets
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


ENV_TRUST = "DADKHAH_TSA_TRUST"
ESS_V2, ESS_V1 = "signing_certificate_v2", "signing_certificate"


def trust_store(sources=None) -> tuple[list, str]:
    """The root certificates a timestamp must chain to, and where they came from.

    ``sources``: PEM files (each may hold several certificates — several TSAs) or folders of ``*.pem`` /
    ``*.crt``; else the paths in ``$DADKHAH_TSA_TRUST`` (separated by ``:``); else the system's trust
    store (``ssl.get_default_verify_paths()``: on Debian ``/etc/ssl/certs/ca-certificates.crt``), whose
    roots issue the public TSAs' certificates."""
    import os
    import ssl
    import warnings

    from cryptography import x509

    if sources is None or sources == []:
        env = os.environ.get(ENV_TRUST)
        sources = [p for p in env.split(os.pathsep) if p] if env else None
    if isinstance(sources, (str, Path)):
        sources = [sources]
    label = ", ".join(Path(p).name for p in sources) if sources else "the system trust store"
    if sources is None:
        paths = ssl.get_default_verify_paths()
        sources = [p for p in (paths.cafile, paths.capath) if p and Path(p).exists()]
    files: list[Path] = []
    for src in sources:
        src = Path(src)
        if src.is_dir():
            files += sorted(f for f in src.iterdir() if f.suffix in (".pem", ".crt") and f.is_file())
        elif src.is_file():
            files.append(src)
        else:
            raise TimestampError(f"the TSA trust store {src} does not exist")
    roots: list = []
    seen: set[bytes] = set()
    for f in files:
        data = f.read_bytes()
        try:
            with warnings.catch_warnings():  # a system store may hold old roots with odd serial numbers
                warnings.simplefilter("ignore")
                certs = (x509.load_pem_x509_certificates(data) if b"-----BEGIN" in data
                         else [x509.load_der_x509_certificate(data)])
        except ValueError as exc:
            raise TimestampError(f"{f} holds no readable certificate: {exc}") from None
        for c in certs:
            der = c.public_bytes(serialization_der())
            if der not in seen:
                seen.add(der)
                roots.append(c)
    return roots, label


def serialization_der():
    from cryptography.hazmat.primitives.serialization import Encoding

    return Encoding.DER


def check_token(token_der: bytes, data: bytes, *, ca_file=None) -> dict:
    """Verify a TimeStampToken over ``data``; returns ``{"ok", "time", "tsa", "chain", "problem"}``.

    ``ok`` only when all hold: the token is for this data (message imprint); the TSA's CMS signature is
    intact; the signer certificate is bound by the signed ESSCertIDv2 (or ESSCertID) attribute; it has
    the critical extended key usage ``timeStamping``; and it chains to a root of the trust store
    (:func:`trust_store`; ``ca_file`` — one path or several — replaces the default). The chain and key
    usage are checked by ``rfc3161-client``."""
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
    problem = _check_ess_cert_id(signed) or _check_key_usage(signed)
    if problem:
        return {**result, "problem": problem}
    try:
        roots, label = trust_store(ca_file)
    except TimestampError as exc:
        return {**result, "problem": str(exc)}
    if not roots:
        return {**result, "problem": f"not verified against a trusted root: {label} holds no certificate"}
    problem = _verify_chain(token, data, roots, label)
    if problem:
        return {**result, "problem": problem}
    return {**result, "ok": True, "chain": f"verified against {label}"}


def _verify_chain(token, data: bytes, roots: list, label: str) -> str | None:
    from rfc3161_client import VerificationError, VerifierBuilder, decode_timestamp_response

    response = tsp.TimeStampResp({"status": {"status": "granted"}, "time_stamp_token": token}).dump()
    try:
        parsed = decode_timestamp_response(response)
    except ValueError as exc:
        return f"not a readable RFC 3161 token: {exc}"
    builder = VerifierBuilder()
    for root in roots:
        builder = builder.add_root_certificate(root)
    try:
        builder.build().verify_message(parsed, data)
    except VerificationError as exc:
        text = str(exc)
        if "certificates" in text.lower() and "verifying" in text.lower():
            return (f"not verified against a trusted root: the TSA's certificate does not chain to {label} "
                    f"({text})")
        if "EKU" in text:
            return f"the TSA's certificate is not for timestamping: {text}"
        return f"the timestamp does not verify: {text}"
    return None


def _check_key_usage(signed) -> str | None:
    """RFC 3161 §2.3: the TSA's certificate has one extended key usage, timeStamping, marked critical."""
    from cryptography import x509
    from cryptography.x509.oid import ExtendedKeyUsageOID

    cert = x509.load_der_x509_certificate(_signer_cert(signed).dump())
    try:
        eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    except x509.ExtensionNotFound:
        return "the TSA's certificate is not for timestamping (no extended key usage timeStamping)"
    if ExtendedKeyUsageOID.TIME_STAMPING not in eku.value:
        return "the TSA's certificate is not for timestamping (its extended key usage lacks timeStamping)"
    if not eku.critical:
        return "the TSA's certificate is not for timestamping (its timeStamping key usage is not critical)"
    return None


def _check_ess_cert_id(signed) -> str | None:
    """The signed attributes must name the signer certificate by hash (RFC 5816 ESSCertIDv2, or RFC 2634
    ESSCertID), so the certificate cannot be swapped for another with the same key."""
    signer = signed["signer_infos"][0]
    cert = _signer_cert(signed)
    if cert is None:
        return "the token does not carry the TSA's certificate (cannot check its signature offline)"
    for attr in signer["signed_attrs"] or []:
        kind = attr["type"].native
        if kind not in (ESS_V2, ESS_V1):
            continue
        ids = attr["values"][0]["certs"]
        if not len(ids):
            break
        first = ids[0]
        if kind == ESS_V2:
            name = first["hash_algorithm"]["algorithm"].native if first["hash_algorithm"] else "sha256"
        else:
            name = "sha1"
        if name not in HASH_OIDS:
            return f"the token's ESSCertIDv2 uses an unsupported hash {name}"
        if HASH_OIDS[name](cert.dump()).digest() != first["cert_hash"].native:
            return "the token's ESSCertIDv2 does not match the certificate that signed it"
        return None
    return "the token does not bind the TSA's certificate (no ESSCertIDv2 / ESSCertID signed attribute)"


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
