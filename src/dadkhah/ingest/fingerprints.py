"""Perceptual fingerprints of images and video keyframes, and the near-duplicates they reveal.

Two copies of one photograph rarely share their bytes: a messenger re-encodes it, a site resizes it,
someone crops or mirrors it or stamps a logo on it. Their *perceptual* hashes stay close:

- **PDQ** (Meta's 256-bit hash, through ``pdqhash``) — built for this (re-encoding, resizing, small
  crops); two images are the same picture when their Hamming distance is at most
  :data:`PDQ_THRESHOLD` (31, Meta's recommended threshold). PDQ also reports a *quality* (0–100);
  below 50 (flat or almost blank images) the hash says little and is not used for matching.
- **pHash** (64-bit DCT hash, through ``imagehash``), kept beside it: it survives crops and
  watermarks, which PDQ at its threshold misses (see docs/benchmarks.md), and it is what many other
  tools record. Two images match on pHash at distance ≤ :data:`PHASH_THRESHOLD` (18).

A mirrored copy is caught by also hashing the mirror image (``pdq-mirror``, ``phash-mirror``) at ingest.
Videos are fingerprinted on their keyframes (ffmpeg, at most :data:`MAX_KEYFRAMES`); without ffmpeg a
video is skipped with a clear message in the item's problems.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from dadkhah.model.base import Base

PDQ_THRESHOLD = 31  # of 256 bits
PHASH_THRESHOLD = 18  # of 64 bits: chosen on half of bench/capture/bench_pdq.py's images, judged on the other half
PDQ_MIN_QUALITY = 50
MAX_KEYFRAMES = 12
MAX_PIXELS = 80_000_000
KINDS = ("pdq", "pdq-mirror", "phash", "phash-mirror")


class MediaFingerprint(Base):
    """One perceptual hash of an item's image (``frame`` 0) or of one of its video keyframes."""

    __tablename__ = "media_fingerprint"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("evidence_item.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)  # KINDS
    frame: Mapped[int] = mapped_column(Integer, default=0)
    value: Mapped[str] = mapped_column(String(64))  # hex
    quality: Mapped[int | None] = mapped_column(Integer)


@dataclass
class Fingerprint:
    kind: str
    value: str
    frame: int = 0
    quality: int | None = None

    def to_dict(self) -> dict:
        return {"kind": self.kind, "value": self.value, "frame": self.frame, "quality": self.quality}


def _bits_to_hex(bits) -> str:
    n = 0
    for b in bits:
        n = (n << 1) | int(bool(b))
    return f"{n:0{len(bits) // 4}x}"


def distance(a: str, b: str) -> int:
    """Hamming distance between two hex hashes of equal length."""
    return (int(a, 16) ^ int(b, 16)).bit_count()


def pdq(image) -> tuple[str, int]:
    """PDQ hash (64 hex digits) and quality of a PIL image."""
    import numpy as np
    import pdqhash

    arr = np.asarray(image.convert("RGB"), dtype=np.uint8)
    vec, quality = pdqhash.compute(arr)
    return _bits_to_hex(vec), int(quality)


def phash(image) -> str:
    import imagehash

    return str(imagehash.phash(image.convert("RGB")))


def image_fingerprints(image, frame: int = 0) -> list[Fingerprint]:
    from PIL import ImageOps

    image = image.convert("RGB")
    if max(image.size) > 1024:  # hashes are computed on small images anyway; keep memory low
        image.thumbnail((1024, 1024))
    value, quality = pdq(image)
    mirror = ImageOps.mirror(image)
    mirrored, _ = pdq(mirror)
    return [Fingerprint("pdq", value, frame, quality), Fingerprint("pdq-mirror", mirrored, frame, quality),
            Fingerprint("phash", phash(image), frame), Fingerprint("phash-mirror", phash(mirror), frame)]


def fingerprint_bytes(data: bytes) -> list[Fingerprint]:
    import io

    from PIL import Image

    with Image.open(io.BytesIO(data)) as im:
        im.load()
        return image_fingerprints(im)


def fingerprint_file(path: str | Path, media_type: str) -> tuple[list[Fingerprint], list[str]]:
    """Fingerprints of an image or video file, and any problem (each a sentence)."""
    path = Path(path)
    if media_type.startswith("image/"):
        return _image_file(path)
    if media_type.startswith("video/"):
        return video_fingerprints(path)
    return [], []


def _image_file(path: Path) -> tuple[list[Fingerprint], list[str]]:
    from PIL import Image

    _register_heif()
    try:
        with Image.open(path) as im:
            if im.width * im.height > MAX_PIXELS:
                return [], [f"image of {im.width}×{im.height} pixels is too large to fingerprint"]
            im.draft("RGB", (1024, 1024))
            im.load()
            return image_fingerprints(im), []
    except Exception as exc:  # noqa: BLE001 - a broken image is still evidence; say why it has no hash
        return [], [f"no perceptual hash could be computed: {type(exc).__name__}: {str(exc)[:200]}"]


def _register_heif() -> None:
    try:
        import pillow_heif

        pillow_heif.register_heif_opener()
    except ImportError:
        pass


def video_fingerprints(path: Path) -> tuple[list[Fingerprint], list[str]]:
    exe = shutil.which("ffmpeg")
    if not exe:
        return [], ["video keyframes not fingerprinted: ffmpeg is not installed (Debian: apt-get install ffmpeg)"]
    from PIL import Image

    with tempfile.TemporaryDirectory(prefix="dadkhah-kf-") as tmp:
        cmd = [exe, "-nostdin", "-v", "error", "-skip_frame", "nokey", "-i", str(path), "-vf", "scale=512:-2",
               "-fps_mode", "vfr", "-frames:v", str(MAX_KEYFRAMES), str(Path(tmp) / "kf-%03d.png")]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        except subprocess.TimeoutExpired:
            return [], ["video keyframes could not be extracted within 5 minutes"]
        frames = sorted(Path(tmp).glob("kf-*.png"))
        if not frames:
            detail = (proc.stderr.strip().splitlines() or ["no keyframes"])[-1][:200]
            return [], [f"no video keyframes could be extracted: {detail}"]
        out: list[Fingerprint] = []
        for n, f in enumerate(frames):
            with Image.open(f) as im:
                out += image_fingerprints(im, frame=n)
        return out, []


def store(session: Session, item_id: str, fingerprints: list[Fingerprint]) -> None:
    for f in fingerprints:
        session.add(MediaFingerprint(item_id=item_id, kind=f.kind, frame=f.frame, value=f.value, quality=f.quality))


def fingerprints_of(session: Session, item_id: str) -> list[MediaFingerprint]:
    return list(session.scalars(select(MediaFingerprint).where(MediaFingerprint.item_id == item_id)
                                .order_by(MediaFingerprint.id)))


def similar_items(session: Session, item_id: str, principal, *, limit: int = 50,
                  pdq_threshold: int = PDQ_THRESHOLD, phash_threshold: int = PHASH_THRESHOLD) -> list[dict]:
    """Items whose image or keyframes look like ``item_id``'s, closest first, visible to ``principal``.

    A pair matches on PDQ (distance ≤ ``pdq_threshold``, either image mirrored, both of usable quality)
    or on pHash (distance ≤ ``phash_threshold``, either image mirrored). PDQ is preferred when both match.
    """
    from dadkhah.access import allowed_sensitivities
    from dadkhah.vault.tables import EvidenceItem

    mine = fingerprints_of(session, item_id)
    if not mine:
        return []
    pdq_mine = [f for f in mine if f.kind == "pdq" and (f.quality or 0) >= PDQ_MIN_QUALITY]
    ph_mine = [f for f in mine if f.kind == "phash"]
    allowed = allowed_sensitivities(principal)
    rows = session.execute(
        select(MediaFingerprint, EvidenceItem.title, EvidenceItem.media_type)
        .join(EvidenceItem, EvidenceItem.id == MediaFingerprint.item_id)
        .where(MediaFingerprint.item_id != item_id, EvidenceItem.sensitivity.in_(allowed))).all()
    best: dict[str, dict] = {}
    for f, title, media_type in rows:
        if f.kind in ("pdq", "pdq-mirror"):
            if (f.quality or 0) < PDQ_MIN_QUALITY:
                continue
            d = min((distance(m.value, f.value) for m in pdq_mine), default=None)
            if d is None or d > pdq_threshold:
                continue
            score = d / 256
            how = "pdq" if f.kind == "pdq" else "pdq (mirrored)"
        elif f.kind in ("phash", "phash-mirror"):
            d = min((distance(m.value, f.value) for m in ph_mine), default=None)
            if d is None or d > phash_threshold:
                continue
            score = d / 64
            how = "phash" if f.kind == "phash" else "phash (mirrored)"
        else:
            continue
        entry = best.get(f.item_id)
        if entry is None or score < entry["score"]:
            best[f.item_id] = {"item": f.item_id, "title": title, "media_type": media_type, "method": how,
                               "distance": d, "score": round(score, 4), "frame": f.frame}
    return sorted(best.values(), key=lambda e: (e["score"], e["item"]))[:limit]
