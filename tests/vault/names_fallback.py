"""TEMPORARY: until dadkhah.names lands, give it minimal stand-ins so the vault tests can run.

Only installed when ``dadkhah.names`` lacks ``name_key`` (the real module is being written in
parallel); delete this file once it has landed.
"""

import re
import unicodedata

import dadkhah.names as names

if not hasattr(names, "name_key"):  # pragma: no cover - only before dadkhah.names exists
    def normalize(text):
        return unicodedata.normalize("NFKC", text or "").replace("ي", "ی").replace("ك", "ک").lower()

    def token_keys(text):
        return re.findall(r"[a-z0-9]+", normalize(text))

    def name_key(text):
        return " ".join(token_keys(text))

    names.normalize = names.normalize_persian = normalize
    names.token_keys = token_keys
    names.name_key = name_key
    names.name_keys = lambda text: [name_key(text)]
    names.detect_script = lambda text: "fa" if re.search(r"[\u0600-\u06ff]", text or "") else "latin"
