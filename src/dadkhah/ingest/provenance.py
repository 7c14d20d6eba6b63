"""Provenance of submitted media: C2PA manifests (validated) and XMP metadata, read at ingest.

**C2PA** (Content Credentials, through ``c2pa-python``): the active manifest's claim signature, its
hard binding to the file's bytes (``c2pa.hash.data`` / BMFF / boxes hash), who signed it and when, the
tool that made it, its actions and its ingredients (the files it was made from, with the provenance
each carries). The verdict is kept as the validator gives it — ``Valid``, ``Trusted`` or ``Invalid`` —
with every failure code and explanation, so an altered photo (``assertion.dataHash.mismatch``) or a
forged signature (``claimSignature.mismatch``) is visible on the evidence page. A signature by a
certificate not on a configured trust list is valid but ``untrusted``: dadkhah says so and does not
treat it as proof of who made the file.

**XMP**: the packet embedded in the file (``<x:xmpmeta>``), flattened to ``prefix:name → value``
(creator tools, document and instance ids, edit history, IPTC fields). EXIF is read by
:mod:`dadkhah.ingest.metadata`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

C2PA_TYPES = ("image/jpeg", "image/png", "image/webp", "image/tiff", "image/heic", "image/heif", "image/avif",
              "image/gif", "video/mp4", "video/quicktime", "audio/mp4", "audio/mpeg", "audio/wav", "application/pdf",
              "image/svg+xml", "image/x-adobe-dng")
XMP_SCAN_BYTES = 8 * 1024 * 1024
MAX_XMP = 512 * 1024
HARD_BINDING_CODES = ("assertion.dataHash", "assertion.bmffHash", "assertion.boxesHash", "assertion.collectionHash")


def read_provenance(path: str | Path, media_type: str) -> tuple[dict, list[str]]:
    """``({"c2pa": …, "xmp": …}, problems)``; keys only for what the file carries."""
    path = Path(path)
    out: dict = {}
    problems: list[str] = []
    if media_type in C2PA_TYPES:
        c2pa_info, problem = read_c2pa(path, media_type)
        if c2pa_info:
            out["c2pa"] = c2pa_info
            if c2pa_info["state"] == "Invalid":
                problems.append("its Content Credentials (C2PA) do not validate: "
                                + "; ".join(f["code"] for f in c2pa_info["failures"][:5]))
        if problem:
            problems.append(problem)
    if media_type.startswith(("image/", "video/")) or media_type == "application/pdf":
        xmp = read_xmp(path)
        if xmp:
            out["xmp"] = xmp
    return out, problems


def read_c2pa(path: Path, media_type: str) -> tuple[dict | None, str | None]:
    try:
        from c2pa import C2paError, Reader
    except ImportError:
        return None, None
    try:
        with open(path, "rb") as f:
            reader = Reader(media_type, f)
            try:
                store = json.loads(reader.json())
                state = reader.get_validation_state()
                results = reader.get_validation_results() or {}
            finally:
                reader.close()
    except C2paError as exc:
        text = str(exc)
        if "ManifestNotFound" in text or "JumbfNotFound" in text or "NotFound" in text:
            return None, None
        return None, f"its C2PA manifest could not be read: {text[:300]}"
    except Exception as exc:  # noqa: BLE001 - a hostile file must not stop ingest
        return None, f"its C2PA manifest could not be read: {type(exc).__name__}: {str(exc)[:300]}"
    return summarise(store, state, results), None


def summarise(store: dict, state: str | None, results: dict) -> dict:
    active_label = store.get("active_manifest")
    manifests = store.get("manifests") or {}
    m = manifests.get(active_label) or {}
    active = results.get("activeManifest") or {}
    success = [r.get("code") for r in active.get("success", [])]
    failure = [{"code": r.get("code"), "explanation": r.get("explanation")} for r in active.get("failure", [])]
    fail_codes = [f["code"] for f in failure]
    if not active:  # older validators: one flat list
        statuses = store.get("validation_status") or []
        fail_codes = [s.get("code") for s in statuses]
        failure = [{"code": s.get("code"), "explanation": s.get("explanation")} for s in statuses]

    def verdict(prefix_ok: tuple[str, ...], prefix_bad: tuple[str, ...]) -> str:
        if any(c and c.startswith(prefix_bad) for c in fail_codes):
            return "invalid"
        if any(c and c.startswith(prefix_ok) for c in success):
            return "valid"
        return "not checked"

    signature = verdict(("claimSignature.validated",), ("claimSignature.mismatch", "claimSignature.missing",
                                                          "claimSignature.outsideValidity", "signingCredential.invalid",
                                                          "signingCredential.revoked", "timeStamp.mismatch"))
    binding = verdict(tuple(c + ".match" for c in HARD_BINDING_CODES),
                      tuple(c + ".mismatch" for c in HARD_BINDING_CODES) + ("claim.hardBindings.missing",))
    trusted = ("trusted" if "signingCredential.trusted" in success
               else "untrusted" if "signingCredential.untrusted" in fail_codes else "unknown")
    deltas = results.get("ingredientDeltas") or []
    ingredients = []
    for ing in m.get("ingredients") or []:
        entry = {k: ing.get(k) for k in ("title", "format", "relationship", "instance_id", "document_id")
                 if ing.get(k)}
        entry["has_provenance"] = bool(ing.get("active_manifest") or ing.get("manifest_data"))
        ingredients.append(entry)
    ingredient_problems = [c.get("code") for d in deltas for c in (d.get("validationDeltas") or {}).get("failure", [])]
    actions = []
    for a in m.get("assertions") or []:
        if str(a.get("label", "")).startswith("c2pa.actions"):
            for act in (a.get("data") or {}).get("actions", []):
                actions.append({k: act.get(k) for k in ("action", "when", "softwareAgent", "digitalSourceType")
                                if act.get(k)})
    sig = m.get("signature_info") or {}
    generator = m.get("claim_generator") or ", ".join(
        f"{g.get('name')} {g.get('version', '')}".strip() for g in m.get("claim_generator_info") or [])
    # A signature that checks against an unknown certificate is still "Valid" in C2PA terms; the
    # untrusted credential is reported, not counted as a failure of the file.
    real_failures = [f for f in failure if f["code"] != "signingCredential.untrusted"]
    return {
        "state": state or ("Invalid" if real_failures else "Valid"),
        "claim_signature": signature, "hard_binding": binding, "signer_trust": trusted,
        "signer": {k: sig.get(k) for k in ("issuer", "common_name", "time", "alg") if sig.get(k)},
        "claim_generator": generator, "title": m.get("title"), "label": active_label,
        "manifests": len(manifests), "actions": actions[:50], "ingredients": ingredients[:50],
        "ingredient_failures": ingredient_problems[:20], "failures": real_failures[:30],
        **({"untrusted_signer": True} if trusted == "untrusted" else {}),
    }


_XMP_START = re.compile(rb"<x:xmpmeta[\s>]")
_XMP_END = b"</x:xmpmeta>"


def read_xmp(path: Path) -> dict | None:
    """The embedded XMP packet as ``{prefix:name: value}`` (first packet, at most 512 KiB)."""
    try:
        with open(path, "rb") as f:
            data = f.read(XMP_SCAN_BYTES)
    except OSError:
        return None
    m = _XMP_START.search(data)
    if not m:
        return None
    end = data.find(_XMP_END, m.start())
    if end < 0 or end - m.start() > MAX_XMP:
        return None
    packet = data[m.start():end + len(_XMP_END)]
    try:
        from defusedxml import ElementTree as ET  # noqa: N817 - refuses entity expansion and external DTDs

        root = ET.fromstring(packet)
    except Exception:  # noqa: BLE001 - a malformed packet is not an error of the file
        return {"_unparsed": packet[:2000].decode("utf-8", "replace")}
    ns = {v: k for k, v in _namespaces(packet).items()}
    out: dict = {}

    def name(tag: str) -> str:
        if tag.startswith("{"):
            uri, local = tag[1:].split("}", 1)
            return f"{ns.get(uri, uri)}:{local}"
        return tag

    for desc in root.iter("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}Description"):
        for k, v in desc.attrib.items():
            key = name(k)
            if not key.startswith(("rdf:", "xmlns")):
                out[key] = v[:2000]
        for child in desc:
            key = name(child.tag)
            items = [li.text or "" for li in child.iter("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}li")]
            value = items if items else (child.text or "").strip()
            if value:
                out[key] = value if isinstance(value, str) else value[:100]
    return out or None


def _namespaces(packet: bytes) -> dict[str, str]:
    return {m.group(1).decode(): m.group(2).decode()
            for m in re.finditer(rb'xmlns:([A-Za-z0-9_]+)="([^"]+)"', packet)}
