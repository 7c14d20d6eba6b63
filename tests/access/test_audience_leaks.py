"""The names of lists an audience may not see never reach it through a case report's estimate, and a
missing principal or table policy is an error, never "everything". On SQLite and PostgreSQL."""

from __future__ import annotations

import csv

import pytest

from dadkhah.access import SYSTEM, MissingPrincipal, allowed_sensitivities, can_see
from dadkhah.access.export import ExportPolicyError, check_tables
from dadkhah.dossier.report import case_report
from dadkhah.lists.importer import import_list
from dadkhah.lists.mapping import Mapping
from dadkhah.model import Base, load_all_tables


def _list(case, tmp_path, name, sensitivity, public=False):
    path = tmp_path / f"{name}.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["Name"])
        writer.writerow(["Ali Ahmadi"])
    import_list(case, path, name, mapping=Mapping(columns={"full_name": "Name"}, sensitivity=sensitivity),
                public=public)


def test_a_public_case_report_names_no_list_it_may_not_see(case, tmp_path):
    _list(case, tmp_path, "open-press", "public", public=True)
    _list(case, tmp_path, "zqsealed-informants", "confidential")
    estimate = {"method": "loglinear", "estimate": 10, "lower": 8, "upper": 14, "documented": 2,
                "lists": ["open-press", "zqsealed-informants"], "warnings": []}
    with case.reader(SYSTEM) as s:
        public = case_report(s, "public", estimate=estimate)
        internal = case_report(s, "internal", estimate=estimate)
    assert "zqsealed" not in str(public) and public["estimate"]["lists"] == ["open-press"]
    assert any("not shown" in w for w in public["estimate"]["warnings"])
    assert internal["estimate"]["lists"] == ["open-press", "zqsealed-informants"]


def test_a_missing_principal_is_an_error():
    with pytest.raises(MissingPrincipal):
        allowed_sensitivities(None)
    with pytest.raises(MissingPrincipal):
        can_see(None, object())


def test_the_export_policy_fails_closed_on_a_renamed_table():
    load_all_tables()
    names = {t.name for t in Base.metadata.sorted_tables}
    check_tables(names)
    with pytest.raises(ExportPolicyError, match="witness_identity"):
        check_tables(names - {"witness_identity"} | {"witness_identity_v2"})


def test_a_missing_table_module_is_an_error(monkeypatch):
    import dadkhah.model as model

    monkeypatch.setattr(model, "TABLE_MODULES", [*model.TABLE_MODULES, "dadkhah.vault.tables_renamed"])
    with pytest.raises(ModuleNotFoundError):
        model.load_all_tables()
