"""C2PA-signed test images, made locally: a throw-away CA, a signing certificate and a manifest.

Used by the provenance tests (product code never imports this module). The certificate chain is made
fresh each time with ``cryptography``; nothing is downloaded.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path


def _chain() -> tuple[bytes, bytes]:
    """(PEM chain: signing certificate then CA, PEM private key of the signing certificate)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "dadkhah test CA"),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, "dadkhah tests")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
          .not_valid_after(now + dt.timedelta(days=30))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                       crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "dadkhah test signer"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "dadkhah tests")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(ca_name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    pem = cert.public_bytes(serialization.Encoding.PEM) + ca.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return pem, key_pem


def jpeg(color=(120, 40, 40), size=(160, 120)) -> bytes:
    from PIL import Image, ImageDraw

    im = Image.new("RGB", size, color)
    ImageDraw.Draw(im).ellipse([20, 20, size[0] - 20, size[1] - 20], fill=(240, 230, 200))
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=90)
    return buf.getvalue()


def signed_jpeg(dest: Path, *, title: str = "Photo of Evin prison gate", ingredient: bytes | None = None) -> Path:
    """Write a JPEG with an embedded, signed C2PA manifest at ``dest`` (an ingredient when given)."""
    from c2pa import Builder, C2paSignerInfo, C2paSigningAlg, Signer

    cert, key = _chain()
    manifest = {
        "claim_generator_info": [{"name": "dadkhah-tests", "version": "1"}],
        "title": title, "format": "image/jpeg",
        "assertions": [{"label": "c2pa.actions", "data": {"actions": [
            {"action": "c2pa.created",
             "digitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"}]}}],
    }
    signer = Signer.from_info(C2paSignerInfo(C2paSigningAlg.ES256, cert, key, None))
    builder = Builder.from_json(json.dumps(manifest))
    if ingredient is not None:
        builder.add_ingredient({"title": "original.jpg", "relationship": "parentOf"}, "image/jpeg",
                               io.BytesIO(ingredient))
    out = io.BytesIO()
    builder.sign(signer, "image/jpeg", io.BytesIO(jpeg()), out)
    dest.write_bytes(out.getvalue())
    return dest
