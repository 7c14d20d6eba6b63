"""A populated case (dadkhah.testing.integrity_case) with automatic anchors on every commit."""

import pytest

from dadkhah.testing import integrity_case


@pytest.fixture
def anchors(tmp_path):
    return tmp_path / "anchors"


@pytest.fixture
def built(case, tmp_path, anchors, monkeypatch):
    monkeypatch.setenv("DADKHAH_ANCHOR_DIR", str(anchors))
    monkeypatch.setenv("DADKHAH_ANCHOR_EVERY", "1")
    integrity_case.build(case, tmp_path / "files", list_rows=30)
    monkeypatch.delenv("DADKHAH_ANCHOR_DIR")
    monkeypatch.delenv("DADKHAH_ANCHOR_EVERY")
    return case
