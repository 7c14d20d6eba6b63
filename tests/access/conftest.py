"""Fixtures for the access tests: a witness key file in the environment."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest


@pytest.fixture
def witness_env(monkeypatch, tmp_path) -> Path:
    path = tmp_path / "witness.key"
    path.write_text(secrets.token_hex(32) + "\n")
    monkeypatch.setenv("DADKHAH_WITNESS_KEY_FILE", str(path))
    monkeypatch.delenv("DADKHAH_WITNESS_PASSPHRASE", raising=False)
    return path
