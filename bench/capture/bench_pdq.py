"""Near-duplicate detection: PDQ (pdqhash) against pHash (imagehash), precision and recall, same run.

Images: the sample images scikit-image ships (no download), each also cut into four quadrants, so
there are ~100 distinct base images. Each base is transformed five ways — resized to 40%, cropped by
10% (5% off each side), re-encoded as JPEG quality 25, watermarked (a text band), mirrored — giving the
*near-duplicate* pairs; as many *unrelated* pairs are drawn at random from bases of different source
images. A pair is called a duplicate when the distance is within the threshold (PDQ 31/256 with the
mirror hash as dadkhah uses it; pHash 10/64, and pHash with a mirror hash too, for a fair comparison;
and dadkhah's rule: PDQ ≤ 31 *or* mirror-aware pHash ≤ its threshold).

The source files are split in two (alternating): "best" thresholds are chosen on the *tuning* half and
every figure is reported on the *held-out* half, so no threshold is judged on the images it was picked on.

    .venv/bin/python bench/capture/bench_pdq.py [--seed 1] [--negatives 1.0]
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageOps

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))

from dadkhah.ingest.fingerprints import PDQ_THRESHOLD, PHASH_THRESHOLD, distance, pdq, phash  # noqa: E402

TRANSFORMS = ("resize", "crop10", "jpeg25", "watermark", "mirror")


def bases() -> list[tuple[str, Image.Image]]:
    import skimage

    folder = Path(skimage.__file__).parent / "data"
    out = []
    for f in sorted(folder.iterdir()):
        if f.suffix.lower() not in (".png", ".jpg") or f.stat().st_size < 5000:
            continue
        try:
            im = Image.open(f).convert("RGB")
        except OSError:
            continue
        if min(im.size) < 64:
            continue
        out.append((f.stem, im))
        w, h = im.size
        if min(w, h) >= 256:
            for x, y in ((0, 0), (w // 2, 0), (0, h // 2), (w // 2, h // 2)):
                out.append((f.stem, im.crop((x, y, x + w // 2, y + h // 2))))
    return out


def transform(im: Image.Image, how: str) -> Image.Image:
    w, h = im.size
    if how == "resize":
        return im.resize((max(16, int(w * 0.4)), max(16, int(h * 0.4))), Image.Resampling.BILINEAR)
    if how == "crop10":
        return im.crop((int(w * 0.05), int(h * 0.05), int(w * 0.95), int(h * 0.95)))
    if how == "jpeg25":
        buf = io.BytesIO()
        im.save(buf, "JPEG", quality=25)
        return Image.open(io.BytesIO(buf.getvalue())).convert("RGB")
    if how == "watermark":
        out = im.copy()
        d = ImageDraw.Draw(out)
        band = max(12, h // 10)
        d.rectangle([0, h - band, w, h], fill=(0, 0, 0))
        d.text((8, h - band + 2), "@telegram_channel_1367 · forwarded", fill=(255, 255, 255))
        return out
    if how == "mirror":
        return ImageOps.mirror(im)
    raise ValueError(how)


def hashes(im: Image.Image) -> dict:
    p, q = pdq(im)
    pm, _ = pdq(ImageOps.mirror(im))
    return {"pdq": p, "pdq_m": pm, "quality": q, "phash": phash(im), "phash_m": phash(ImageOps.mirror(im))}


def dist(a: dict, b: dict, method: str) -> int:
    if method == "dadkhah":  # PDQ within its threshold counts as distance 0; else the mirror-aware pHash
        return 0 if dist(a, b, "pdq") <= PDQ_THRESHOLD else dist(a, b, "phash+mirror")
    if method == "pdq":
        return min(distance(a["pdq"], b["pdq"]), distance(a["pdq"], b["pdq_m"]))
    if method == "phash":
        return distance(a["phash"], b["phash"])
    return min(distance(a["phash"], b["phash"]), distance(a["phash"], b["phash_m"]))  # phash+mirror


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--negatives", type=float, default=1.0, help="unrelated pairs per near-duplicate pair")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    base = bases()
    t0 = time.perf_counter()
    hb = [hashes(im) for _, im in base]
    positives = []
    for i, (_, im) in enumerate(base):
        for how in TRANSFORMS:
            positives.append((i, hashes(transform(im, how)), how))
    hash_time = time.perf_counter() - t0
    n_neg = int(len(positives) * args.negatives)
    negatives = []
    while len(negatives) < n_neg:
        i, j = rng.randrange(len(base)), rng.randrange(len(base))
        if base[i][0] != base[j][0]:
            negatives.append((i, j))
    print(f"{len(base)} base images from {len({s for s, _ in base})} files; {len(positives)} near-duplicate pairs, "
          f"{len(negatives)} unrelated pairs; hashing {(len(base) + len(positives)) / hash_time:.0f} images/s "
          f"(both hashes and their mirrors)")
    files = sorted({s for s, _ in base})
    tune_files = set(files[0::2])
    methods = {"pdq": PDQ_THRESHOLD, "phash": PHASH_THRESHOLD, "phash+mirror": PHASH_THRESHOLD,
               "dadkhah": PHASH_THRESHOLD}
    print(f"tuning half: {len(tune_files)} files; held-out half: {len(files) - len(tune_files)} files "
          "(all figures below on the held-out half)")
    print(f"{'method':<14}{'threshold':>12}{'precision':>11}{'recall':>8}{'F1':>7}   recall by transform")

    def split(tune: bool):
        pos = [(i, h, how) for i, h, how in positives if (base[i][0] in tune_files) == tune]
        neg = [(i, j) for i, j in negatives if (base[i][0] in tune_files) == tune and
               (base[j][0] in tune_files) == tune]
        return pos, neg

    (pos_t, neg_t), (pos_h, neg_h) = split(True), split(False)
    for method, thr in methods.items():
        tuned = best_threshold([(dist(hb[i], h, method), how) for i, h, how in pos_t],
                               [dist(hb[i], hb[j], method) for i, j in neg_t], method)
        pos_d = [(dist(hb[i], h, method), how) for i, h, how in pos_h]
        neg_d = [dist(hb[i], hb[j], method) for i, j in neg_h]
        for label, t in (("default", thr), ("tuned", tuned)):
            tp = sum(1 for d, _ in pos_d if d <= t)
            fp = sum(1 for d in neg_d if d <= t)
            prec = tp / (tp + fp) if tp + fp else 1.0
            rec = tp / len(pos_d)
            f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
            per = " ".join(f"{how}={np.mean([d <= t for d, h in pos_d if h == how]):.2f}" for how in TRANSFORMS)
            print(f"{method:<14}{t:>5} {label:<7}{prec:>10.3f}{rec:>8.3f}{f1:>7.3f}   {per}")
    print(f"held-out pairs: {len(pos_h)} near-duplicate, {len(neg_h)} unrelated")


def best_threshold(pos_d, neg_d, method) -> int:
    top = 128 if method == "pdq" else 32
    best, best_f1 = 0, -1.0
    for t in range(top):
        tp = sum(1 for d, _ in pos_d if d <= t)
        fp = sum(1 for d in neg_d if d <= t)
        prec = tp / (tp + fp) if tp + fp else 1.0
        rec = tp / len(pos_d)
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        if f1 > best_f1:
            best, best_f1 = t, f1
    return best


if __name__ == "__main__":
    main()
