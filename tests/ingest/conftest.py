"""The ingest tests use the file generators shared with the vault tests (tests/vault/vault_files.py)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "vault"))

import names_fallback  # noqa: E402, F401  (temporary, see the module)
