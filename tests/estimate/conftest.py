"""Fixtures for the estimate tests: the reference tables shipped with the package."""

from __future__ import annotations

import pytest

from dadkhah.estimate.table import CaptureTable, example_path, read_table_csv


@pytest.fixture(scope="session")
def kosovo() -> CaptureTable:
    """Kosovo 1999, four lists (EXH, ABA, OSCE, HRW), 4,400 documented killings."""
    return read_table_csv(example_path("kosovo")).total


@pytest.fixture(scope="session")
def madigan_york() -> CaptureTable:
    """Madigan & York's (1997) three-list example, 626 observed."""
    return read_table_csv(example_path("madigan-york-3")).total
