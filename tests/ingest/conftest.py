"""The ingest tests use the file generators shared with the vault tests (tests/vault/vault_files.py)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "vault"))

