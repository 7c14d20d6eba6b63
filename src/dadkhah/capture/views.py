"""What the web app shows of captures and media (no web imports: the pages in dadkhah.web call these).

- :func:`capture_from_form` — the capture form: URLs one a line, checked line by line, captured as
  the signed-in user (who must have the ``upload`` right);
- :func:`item_panels` — for an evidence page: near-duplicate items (perceptual hashes), provenance
  (C2PA, XMP), the web capture the item is (final URL, status, what changed since the last capture),
  and the Telegram message it is.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import select

from dadkhah.access import Principal, require
from dadkhah.errors import InputError

MAX_FORM_URLS = 20


def parse_url_lines(text: str) -> list[str]:
    urls = []
    for n, line in enumerate((text or "").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = urlsplit(line)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise InputError(f"line {n}: {line[:200]!r} is not an http(s) URL", field="urls")
        urls.append(line)
    if not urls:
        raise InputError("give at least one URL", field="urls")
    if len(urls) > MAX_FORM_URLS:
        raise InputError(f"at most {MAX_FORM_URLS} URLs at a time here (use `dadkhah capture --from FILE` "
                         "for longer lists)", field="urls")
    return urls


def capture_from_form(case, principal: Principal, urls_text: str, sensitivity: str = "restricted") -> dict:
    from dadkhah.capture.service import CaptureOptions, capture_urls

    require(principal, "upload")
    urls = parse_url_lines(urls_text)
    return capture_urls(case, urls, options=CaptureOptions(sensitivity=sensitivity), actor=principal.name,
                        principal=principal)


def item_panels(s, item_id: str, principal: Principal) -> dict:
    from dadkhah.capture.service import capture_to_dict
    from dadkhah.capture.tables import WebCapture
    from dadkhah.ingest.fingerprints import similar_items
    from dadkhah.vault.tables import EvidenceItem

    item = s.get(EvidenceItem, item_id)
    meta = (item.meta or {}) if item is not None else {}
    cap = s.scalar(select(WebCapture).where(WebCapture.item_id == item_id))
    capture = None
    if cap is not None and cap.sensitivity in _allowed(principal):
        capture = capture_to_dict(cap, full=True)
        capture.pop("record", None)
    return {"similar": similar_items(s, item_id, principal, limit=12), "provenance": meta.get("provenance"),
            "web_capture": capture, "telegram": meta.get("telegram")}


def _allowed(principal: Principal):
    from dadkhah.access import allowed_sensitivities

    return allowed_sensitivities(principal)
