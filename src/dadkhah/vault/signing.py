"""The Ed25519 key that signs exhibit bundles.

The private key lives in ``<data>/keys/bundle-signing.pem`` (made on first use, readable by its owner
only), or wherever ``DADKHAH_SIGNING_KEY`` points. Publish the public key (``dadkhah signing-key``)
through a channel the recipients trust, so that they can pin it with ``verify-bundle --public-key``.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from dadkhah.errors import DadkhahError

ENV_SIGNING_KEY = "DADKHAH_SIGNING_KEY"


class SigningKeyError(DadkhahError, RuntimeError):
    pass


def key_path(data_dir: Path) -> Path:
    return Path(os.environ.get(ENV_SIGNING_KEY) or Path(data_dir) / "keys" / "bundle-signing.pem")


def load_or_create(data_dir: Path) -> Ed25519PrivateKey:
    path = key_path(data_dir)
    if path.exists():
        try:
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        except (ValueError, TypeError) as exc:
            raise SigningKeyError(f"{path} is not a PEM private key: {exc}") from None
        if not isinstance(key, Ed25519PrivateKey):
            raise SigningKeyError(f"{path} is not an Ed25519 key")
        return key
    if os.environ.get(ENV_SIGNING_KEY):
        raise SigningKeyError(f"{ENV_SIGNING_KEY} points at {path}, which does not exist")
    key = Ed25519PrivateKey.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    return key


def public_pem(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    pub = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return pub.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def fingerprint(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """SHA-256 of the raw 32-byte public key, hex."""
    pub = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return hashlib.sha256(pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)).hexdigest()


def load_public(data: bytes) -> Ed25519PublicKey:
    """A public key from PEM (or a private key's PEM, whose public half is used)."""
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError:
        try:
            key = serialization.load_pem_private_key(data, password=None).public_key()
        except (ValueError, TypeError) as exc:
            raise SigningKeyError(f"not a PEM public key: {exc}") from None
    if not isinstance(key, Ed25519PublicKey):
        raise SigningKeyError("not an Ed25519 public key")
    return key


def verify(pub: Ed25519PublicKey, signature: bytes, data: bytes) -> bool:
    try:
        pub.verify(signature, data)
        return True
    except InvalidSignature:
        return False
