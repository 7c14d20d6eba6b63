"""Ingest: hashing and storing files as evidence, reading their metadata and text (with OCR).

``ingest_paths(case, paths, options=IngestOptions(...))`` is what ``dadkhah ingest PATH…`` runs;
:mod:`~dadkhah.ingest.text` and :mod:`~dadkhah.ingest.metadata` can be used on their own.
"""

from dadkhah.ingest.limits import DEFAULT_LIMITS, Limits
from dadkhah.ingest.pipeline import FileResult, IngestOptions, IngestReport, collect_files, ingest_paths

__all__ = ["DEFAULT_LIMITS", "Limits", "FileResult", "IngestOptions", "IngestReport", "collect_files",
           "ingest_paths"]
