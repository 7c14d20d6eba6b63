"""Fixtures for the vault tests: generated evidence files (see vault_files.py), witness key files."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest


@pytest.fixture
def key_file(tmp_path) -> Path:
    """A witness key file of 32 random bytes, hex-encoded (as `openssl rand -hex 32` writes)."""
    path = tmp_path / "witness.key"
    path.write_text(secrets.token_hex(32) + "\n")
    return path


@pytest.fixture
def witness_env(monkeypatch, key_file) -> Path:
    """The witness key file set in the environment, as an operator would."""
    monkeypatch.setenv("DADKHAH_WITNESS_KEY_FILE", str(key_file))
    monkeypatch.delenv("DADKHAH_WITNESS_PASSPHRASE", raising=False)
    return key_file
