"""The package surface: the public API, and an import that stays cheap (the CLI imports it)."""

import subprocess
import sys

import dadkhah.names as names

API = ["normalize_persian", "normalize_latin", "normalize", "detect_script", "to_persian_digits", "to_ascii_digits",
       "ParsedName", "parse_name", "transliterate", "name_key", "name_keys", "token_keys", "name_similarity"]


def test_the_public_api_is_exported():
    for name in API:
        assert callable(getattr(names, name)), name
    assert set(API) <= set(names.__all__)


def test_importing_the_package_reads_no_data_and_loads_no_heavy_library():
    code = ("import sys, dadkhah.names as n; "
            "print(sorted(m for m in ('yaml', 'rapidfuzz', 'hazm', 'nltk') if m in sys.modules)); "
            "print(n.tables.tables.cache_info().currsize)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["[]", "0"]
