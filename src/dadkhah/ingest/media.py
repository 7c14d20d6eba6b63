"""What ingest adds to an image, video or signed file beyond its metadata and text: perceptual
fingerprints (:mod:`dadkhah.ingest.fingerprints`) and provenance (:mod:`dadkhah.ingest.provenance`).

:func:`examine` is called by the pipeline for each stored original; its results are kept in the item's
``meta`` (``provenance``) and in the ``media_fingerprint`` table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from dadkhah.ingest import fingerprints, provenance

fingerprints._register_heif()  # HEIC/HEIF/AVIF photos open in Pillow (EXIF, OCR, hashes) from here on


@dataclass
class MediaFindings:
    meta: dict = field(default_factory=dict)
    fingerprints: list = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def examine(path: str | Path, media_type: str) -> MediaFindings:
    path = Path(path)
    found = MediaFindings()
    prov, problems = provenance.read_provenance(path, media_type)
    if prov:
        found.meta["provenance"] = prov
    found.problems += problems
    fps, problems = fingerprints.fingerprint_file(path, media_type)
    found.fingerprints, found.problems = fps, found.problems + problems
    return found


def store(session, item_id: str, findings: MediaFindings | None) -> None:
    if findings is not None:
        fingerprints.store(session, item_id, findings.fingerprints)
