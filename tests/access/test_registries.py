"""Registries named in code fail loudly when an entry is missing: a renamed module or table must never
make `verify` skip re-hashing the originals and still say "intact", turn a web capability off quietly,
drop a vocabulary check from imports, or leave a table out of the name screen's list."""

from __future__ import annotations

import pytest

from dadkhah import integrity
from dadkhah.interchange import jsonl
from dadkhah.model import Base, load_all_tables
from dadkhah.web import peers


def test_verify_reports_a_missing_check_module_and_is_not_intact(case, monkeypatch):
    assert integrity.run_checks(case, index=False)["status"] == "intact"
    monkeypatch.setattr(integrity, "CHECK_MODULES", ["dadkhah.vault.integrity_renamed"])
    result = integrity.run_checks(case, index=False)
    assert not result["ok"] and result["status"] == "unreadable"
    [failed] = [c for c in result["checks"] if c["name"] == "dadkhah.vault.integrity_renamed"]
    assert "nothing it checks was checked" in failed["problems"][0]["problem"]


def test_verify_reports_a_check_module_without_its_check(case, monkeypatch):
    monkeypatch.setattr(integrity, "CHECK_MODULES", ["dadkhah.vault.tables"])  # a module with no check()
    result = integrity.run_checks(case, index=False)
    assert result["status"] == "unreadable"


def test_the_web_names_no_capability_that_is_missing():
    assert peers.available("dadkhah.vault.testimony", "add_testimony", "list_testimony")
    with pytest.raises(peers.MissingCapability, match="dadkhah.vault.testimony_v2"):
        peers.module("dadkhah.vault.testimony_v2")
    with pytest.raises(peers.MissingCapability, match="list_testimony_v2"):
        peers.available("dadkhah.vault.testimony", "list_testimony_v2")
    with pytest.raises(peers.MissingCapability):
        peers.function("dadkhah.vault.witness", "unmask_everything")


def test_every_capability_the_web_uses_is_there():
    from dadkhah.web import estimates_view, linkview, vaultview

    for check in (vaultview.evidence_available, vaultview.upload_available, vaultview.testimony_available,
                  vaultview.witness_available, linkview.review_available, estimates_view.estimates_available):
        assert check() is True, check.__name__


def test_an_import_vocabulary_registry_entry_that_is_missing_is_an_error(monkeypatch):
    assert jsonl._enumerations()[("list_record", "status")]
    monkeypatch.setitem(jsonl.ENUM_REGISTRY, "dadkhah.lists.tables_v2", {("list_record", "status"): "X"})
    with pytest.raises(ModuleNotFoundError):
        jsonl._enumerations()
    monkeypatch.delitem(jsonl.ENUM_REGISTRY, "dadkhah.lists.tables_v2")
    monkeypatch.setitem(jsonl.ENUM_REGISTRY, "dadkhah.lists.tables", {("list_record", "status"): "STATUSES_V2"})
    with pytest.raises(RuntimeError, match="STATUSES_V2"):
        jsonl._enumerations()


def test_the_name_screen_names_only_tables_the_case_has():
    from dadkhah.access.screen import UNMASKED_TABLES

    load_all_tables()
    assert not (UNMASKED_TABLES - {"alembic_version"}) - set(Base.metadata.tables)


def test_the_sensitivity_order_is_written_once_in_access():
    """No module outside ``dadkhah.access`` writes out a rank table or orders levels by hand; the API's
    literal types hold the same levels."""
    import re
    from pathlib import Path
    from typing import get_args

    import dadkhah
    from dadkhah.access import LEVELS
    from dadkhah.model.base import SENSITIVITY_VALUES
    from dadkhah.web.api import schemas, vault

    root = Path(dadkhah.__file__).parent
    pattern = re.compile(r"[\"']public[\"']\s*:\s*0|[\"']restricted[\"']\s*:\s*1|SENSITIVITY_VALUES\.index|"
                         r"LEVELS\s*=\s*\(\s*[\"']public")
    offenders = [str(p.relative_to(root)) for p in root.rglob("*.py")
                 if p.parts[len(root.parts)] != "access" and pattern.search(p.read_text(encoding="utf-8"))]
    assert offenders == []
    assert set(LEVELS) == set(SENSITIVITY_VALUES)
    assert get_args(schemas.Sensitivity) == LEVELS and get_args(vault.Sens) == LEVELS
