"""Sealed exhibit bundles: originals + ``manifest.json`` + an Ed25519 signature (+ an RFC 3161 timestamp).

A bundle is one canonical zip (:mod:`dadkhah.vault.zipcanon`) laid out as a BagIt bag (RFC 8493), so
archives and court systems that take bags (``bagit.py``, the Library of Congress tools) accept it::

    bagit.txt                    BagIt 1.0, UTF-8
    bag-info.txt                 who made the bag, when, for whom; Payload-Oxum; the signing key
    manifest-sha256.txt          the SHA-256 of every payload file (under data/)
    tagmanifest-sha256.txt       the SHA-256 of every tag file (all of the files at the top)
    data/README.txt              how to verify this bundle with standard tools
    data/originals/<sha256>.pdf  each exhibit, byte for byte as stored
    data/derived/<sha256>.txt    text extracted from it (text layer or OCR), for reading
    manifest.json           every file's SHA-256 and size; each item's metadata, custody log and
                            links; the claims it bears on; who made the bundle, when, for whom
    SHA256SUMS              `sha256sum -c` list of every file above
    manifest.sig            Ed25519 signature of manifest.json (raw 64 bytes)
    signing-key.pem         the public key that made the signature
    timestamp.tsr           RFC 3161 timestamp token over manifest.json (when a TSA is configured)

What goes in is filtered for the bundle's audience by :mod:`dadkhah.access`, and no bundle ever holds a
protected witness's identity (they are never decrypted for a bundle; with the witness key available,
the manifest and texts are also scanned for them and the bundle is refused if one appears).

:func:`verify_bundle` checks all of it offline and names every file that fails.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
from pathlib import Path

from dadkhah import __version__
from dadkhah.access import audience as audience_principal
from dadkhah.errors import DadkhahError, InputError
from dadkhah.model.base import utcnow
from dadkhah.vault import custody, signing, zipcanon
from dadkhah.vault.evidence import items_for, links_of, supplier_label
from dadkhah.vault.tables import EvidenceItem

FORMAT = 2  # 2: BagIt layout (payload under data/)
SEAL_FILES = ("manifest.json", "SHA256SUMS", "manifest.sig", "signing-key.pem", "timestamp.tsr",
              "tagmanifest-sha256.txt")
PAYLOAD = "data/"
BAG_DECLARATION = b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
MAX_MEMBER = 1 << 40

README = """This is a sealed exhibit bundle made by dadkhah {version} ({created} UTC) for the audience "{audience}".

Contents (a BagIt bag: the exhibits are under data/, the files that describe them at the top)
  data/originals/   the exhibits, byte for byte as they were stored (named by their SHA-256)
  data/derived/     text extracted from them (PDF text layer or OCR), for reading only
  bagit.txt, bag-info.txt, manifest-sha256.txt, tagmanifest-sha256.txt   the BagIt files
  manifest.json  each file's SHA-256 and size; each exhibit's metadata, chain of custody
                 and links; the claims the exhibits bear on
  SHA256SUMS   the SHA-256 of every file above and of manifest.json
  manifest.sig   Ed25519 signature of manifest.json
  signing-key.pem  the public key that made it (fingerprint {fingerprint})
  timestamp.tsr  RFC 3161 timestamp token over manifest.json (if present)

Verify with standard tools (no dadkhah needed), after unzipping:
  bagit.py --validate .        (or any BagIt validator)
  sha256sum -c SHA256SUMS
  openssl pkeyutl -verify -pubin -inkey signing-key.pem -rawin -in manifest.json -sigfile manifest.sig
  openssl ts -verify -data manifest.json -in timestamp.tsr -token_in -CAfile TSA-CA.pem
Compare the key's fingerprint with the one the sender published:
  openssl pkey -pubin -in signing-key.pem -outform DER | tail -c 32 | sha256sum
Or, with dadkhah:  dadkhah verify-bundle THIS.zip --public-key SENDER.pem
"""


class BundleError(DadkhahError, RuntimeError):
    pass


def _sha256_file(path: Path) -> str:
    from dadkhah.vault.blobs import hash_file

    return hash_file(path)[0]


def build_bundle(case, output: str | Path, *, persons=(), events=(), claims=(), entities=(), items=(),
                 audience: str = "prosecutor", tsa_url: str | None = None, with_derived: bool = True,
                 actor: str | None = None, keyring=None, allow_empty: bool = False) -> dict:
    """Write a sealed bundle of the exhibits bearing on the selection; returns a summary."""
    from dadkhah.claims.service import claim_to_dict

    output = Path(output)
    principal = audience_principal(audience)
    actor = actor or case.actor
    if not (persons or events or claims or entities or items):
        raise InputError("choose what the bundle is about: --person, --event, --claim or --item", field="selection")
    key = signing.load_or_create(case.data_dir)
    blobs = case.blobs
    created = utcnow().replace(microsecond=0).isoformat()
    with case.session(actor=actor) as s:
        from dadkhah.access.screen import read_as

        read_as(s, principal)  # what the manifest says (titles, claims, quotations) is masked for the audience
        chosen, related_claims = items_for(s, persons=persons, events=events, claims=claims, entities=entities,
                                           items=items, principal=principal)
        if not chosen and not allow_empty:
            raise InputError(f"no exhibits for this selection are visible to the {audience!r} audience",
                             field="selection")
        claim_ids = {c.id for c in related_claims}
        files: list[dict] = []
        entries: list[tuple[str, Path | bytes]] = []
        manifest_items: list[dict] = []
        with tempfile.TemporaryDirectory(prefix="dadkhah-bundle-") as tmp:
            for item in chosen:
                entry, item_files, item_claims = _item_entry(s, item, principal, blobs, Path(tmp), with_derived)
                claim_ids |= item_claims
                manifest_items.append(entry)
                for f in item_files:
                    files.append({k: f[k] for k in ("path", "sha256", "size", "role", "item")})
                    entries.append((f["path"], f["local"]))
            from dadkhah.model import Claim

            claim_dicts = []
            for cid in sorted(claim_ids):
                c = s.get(Claim, cid)
                if c is not None and c.sensitivity in _allowed(principal):
                    claim_dicts.append(claim_to_dict(c, principal))
            fp = signing.fingerprint(key)
            readme = README.format(version=__version__, created=created, audience=audience, fingerprint=fp).encode()
            files.append({"path": PAYLOAD + "README.txt", "sha256": hashlib.sha256(readme).hexdigest(),
                          "size": len(readme), "role": "readme", "item": None})
            bag = _bag_tag_files(files, created=created, actor=actor, audience=audience, fingerprint=fp,
                                 items=len(chosen))
            for name, data in bag:
                files.append({"path": name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data),
                              "role": "bagit", "item": None})
            manifest = {
                "dadkhah_bundle": FORMAT, "tool": f"dadkhah {__version__}", "created_at": created,
                "created_by": actor, "audience": audience,
                "selection": {"persons": list(persons), "events": list(events), "claims": list(claims),
                              "entities": list(entities), "items": list(items)},
                "case": {"audit_head": _audit_head(s)},
                "signature": {"algorithm": "Ed25519", "file": "manifest.sig", "public_key": "signing-key.pem",
                              "fingerprint": fp},
                "files": files, "items": manifest_items, "claims": claim_dicts,
            }
            manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")
            derived = [e for e in entries if e[0].startswith(PAYLOAD + "derived/")]
            _leak_check(s, keyring, audience, manifest_bytes, derived)
            _screen_check(s, principal, audience, manifest_bytes, derived, chosen, blobs)
            sums = _sha256sums(files, hashlib.sha256(manifest_bytes).hexdigest())
            seal = [("manifest.json", manifest_bytes), ("SHA256SUMS", sums),
                    ("manifest.sig", key.sign(manifest_bytes)), ("signing-key.pem", signing.public_pem(key))]
            if tsa_url:
                from dadkhah.vault.timestamp import request_token

                seal.append(("timestamp.tsr", request_token(manifest_bytes, tsa_url)))
            seal.append(("tagmanifest-sha256.txt", _tag_manifest([*bag, *seal])))
            partial = output.with_name(output.name + ".part")
            zipcanon.write_zip(partial, [*bag, (PAYLOAD + "README.txt", readme), *entries, *seal])
            os.replace(partial, output)
        manifest_hash = hashlib.sha256(manifest_bytes).hexdigest()
        for item in chosen:
            custody.record(s, item.id, "export", {"bundle": output.name, "audience": audience,
                                                  "manifest_sha256": manifest_hash})
    return {"bundle": str(output), "items": len(chosen), "claims": len(claim_dicts), "files": len(files),
            "bytes": output.stat().st_size, "manifest_sha256": manifest_hash, "signing_key": fp,
            "timestamped": bool(tsa_url), "audience": audience}


def _allowed(principal) -> tuple[str, ...]:
    from dadkhah.access import allowed_sensitivities

    return allowed_sensitivities(principal)


def _audit_head(session) -> str | None:
    from sqlalchemy import select

    from dadkhah.store.audit import AuditEntry, write_pending

    write_pending(session)  # the head includes this session's own writes so far
    return session.scalar(select(AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1))


def _item_entry(s, item: EvidenceItem, principal, blobs, tmp: Path, with_derived: bool):
    from sqlalchemy import select

    from dadkhah.ingest.detect import extension
    from dadkhah.model import Claim, Source
    from dadkhah.vault.evidence import link_to_dict

    files = []
    with blobs.open(item.sha256) as src:
        local = tmp / item.sha256
        with open(local, "wb") as out:
            import shutil

            shutil.copyfileobj(src, out, 1 << 20)
    if _sha256_file(local) != item.sha256:
        raise BundleError(f"the stored original of {item.id} no longer matches its SHA-256: run `dadkhah verify`")
    path = f"{PAYLOAD}originals/{item.sha256}{extension(item.media_type)}"
    files.append({"path": path, "sha256": item.sha256, "size": item.size, "role": "original", "item": item.id,
                  "local": local})
    derived = []
    if with_derived:
        for f in item.derived:
            if f.kind not in ("text", "ocr", "transcript"):
                continue
            data = blobs.read_bytes(f.sha256, "derived")
            if hashlib.sha256(data).hexdigest() != f.sha256:
                raise BundleError(f"a derived file of {item.id} no longer matches its SHA-256: run `dadkhah verify`")
            dpath = f"{PAYLOAD}derived/{f.sha256}.txt"
            files.append({"path": dpath, "sha256": f.sha256, "size": f.size, "role": f"derived {f.kind}",
                          "item": item.id, "local": data})
            derived.append({"path": dpath, "kind": f.kind, "generator": f.generator})
    links = links_of(s, item.id, principal)
    claim_ids = {link.claim_id for link in links if link.claim_id}
    source_ids = {link.entity_id for link in links if link.entity_id} | ({item.source_id} if item.source_id else set())
    if source_ids:
        from dadkhah.model import Citation

        stmt = select(Claim.id).join(Citation, Citation.claim_id == Claim.id).where(Citation.source_id.in_(source_ids))
        claim_ids |= set(s.scalars(stmt))
    source = s.get(Source, item.source_id) if item.source_id else None
    entry = {
        "id": item.id, "sha256": item.sha256, "size": item.size, "media_type": item.media_type, "path": path,
        "filename": item.filename, "title": item.title, "description": item.description,
        "captured_at": item.captured_at, "latitude": item.latitude, "longitude": item.longitude,
        "metadata": item.meta, "text_method": item.text_method, "derived": derived,
        "source": ({"id": source.id, "title": source.title} if source is not None
                   and source.sensitivity in _allowed(principal) else None),
        "supplied_by": supplier_label(s, item.supplied_by),
        "links": [link_to_dict(s, link, principal) for link in links],
        "claims": sorted(claim_ids),
        "custody": [custody.event_to_dict(e) for e in custody.custody_log(s, item.id)],
    }
    return entry, files, claim_ids


def _bag_tag_files(files: list[dict], *, created: str, actor: str, audience: str, fingerprint: str,
                   items: int) -> list[tuple[str, bytes]]:
    """``bagit.txt``, ``bag-info.txt`` and ``manifest-sha256.txt`` for the payload listed in ``files``."""
    payload = [f for f in files if f["path"].startswith(PAYLOAD)]
    octets = sum(f["size"] for f in payload)
    info = [("Bag-Software-Agent", f"dadkhah {__version__}"), ("Bagging-Date", created[:10]),
            ("Bagging-Time", created), ("Contact-Name", actor), ("Payload-Oxum", f"{octets}.{len(payload)}"),
            ("Bag-Size", f"{octets} bytes"), ("Bag-Group-Identifier", f"exhibits for the {audience} audience"),
            ("External-Description", f"{items} exhibits with their custody logs; signed manifest.json "
                                     f"(Ed25519, key {fingerprint})"),
            ("External-Identifier", f"signing-key-sha256:{fingerprint}")]
    bag_info = "".join(f"{k}: {_bag_value(v)}\n" for k, v in info).encode("utf-8")
    manifest = "".join(f"{f['sha256']}  {_bag_path(f['path'])}\n" for f in payload).encode("utf-8")
    return [("bagit.txt", BAG_DECLARATION), ("bag-info.txt", bag_info), ("manifest-sha256.txt", manifest)]


def _bag_value(v: str) -> str:
    return " ".join(str(v).split())


def _bag_path(path: str) -> str:
    """RFC 8493 §2.1.3: CR, LF and % in a manifest path are percent-encoded."""
    return path.replace("%", "%25").replace("\n", "%0A").replace("\r", "%0D")


def _tag_manifest(tag_files: list[tuple[str, bytes]]) -> bytes:
    return "".join(f"{hashlib.sha256(data).hexdigest()}  {_bag_path(name)}\n"
                   for name, data in tag_files).encode("utf-8")


def _check_bag(zf: zipfile.ZipFile, members: dict, problems: list[dict]) -> None:
    """The BagIt tag manifest must match the tag files (the payload manifest is covered by the signature)."""
    if "tagmanifest-sha256.txt" not in members:
        if "bagit.txt" in members:
            problems.append({"file": "tagmanifest-sha256.txt", "problem": "missing"})
        return
    try:
        lines = zf.read("tagmanifest-sha256.txt").decode("utf-8").splitlines()
    except (zipfile.BadZipFile, OSError, ValueError, UnicodeDecodeError, EOFError, NotImplementedError) as exc:
        problems.append({"file": "tagmanifest-sha256.txt", "problem": f"unreadable: {exc}"})
        return
    for line in lines:
        digest, _, name = line.partition("  ")
        if name not in members:
            problems.append({"file": "tagmanifest-sha256.txt", "problem": f"names {name!r}, which is missing"})
            continue
        try:
            actual = hashlib.sha256(zf.read(name)).hexdigest()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
            actual = None
        if actual != digest:
            problems.append({"file": name, "problem": "does not match tagmanifest-sha256.txt"})


def _sha256sums(files: list[dict], manifest_sha: str) -> bytes:
    lines = [f"{f['sha256']}  {f['path']}" for f in files] + [f"{manifest_sha}  manifest.json"]
    return ("\n".join(lines) + "\n").encode()


def _leak_check(session, keyring, audience: str, manifest: bytes, derived: list[tuple[str, bytes]]) -> None:
    """With the witness key at hand, refuse a bundle that would reveal a protected witness."""
    if keyring is None:
        return
    from sqlalchemy import select

    from dadkhah.vault.tables import WitnessIdentity
    from dadkhah.vault.witness import _decrypt, reveals

    rows = session.scalars(select(WitnessIdentity)).all()
    texts = [("manifest.json", manifest.decode("utf-8"))]
    texts += [(name, data.decode("utf-8", "replace")) for name, data in derived]
    for row in rows:
        identity = _decrypt(keyring, row)
        for name, text in texts:
            if reveals(text, identity):
                raise BundleError(f"{name} would reveal the identity of protected witness {row.pseudonym}: "
                                  "bundle refused (remove or redact that exhibit)")


def _screen_check(session, principal, audience: str, manifest: bytes, derived: list[tuple[str, bytes]],
                  chosen, blobs) -> None:
    """Without the witness key too: refuse a bundle for an audience that may not read witness identities
    when an exhibit's text (so its original) or the manifest names a protected witness (name screen of
    :mod:`dadkhah.access.screen`)."""
    from dadkhah.access import may_read_identities
    from dadkhah.access.screen import find_names, load_screen

    if may_read_identities(principal):
        return
    screen = load_screen(session)
    if not screen:
        return
    texts = [("manifest.json", manifest.decode("utf-8"))]
    texts += [(name, data.decode("utf-8", "replace")) for name, data in derived]
    for item in chosen:
        for f in item.derived:
            if f.kind in ("text", "ocr", "transcript"):
                texts.append((f"the original of {item.id}", blobs.read_bytes(f.sha256, "derived")
                              .decode("utf-8", "replace")))
    for name, text in texts:
        found = find_names(text, screen)
        if found:
            raise BundleError(f"{name} names a protected witness ({found[0][2]}): a bundle for the {audience!r} "
                              "audience cannot hold it (remove or redact that exhibit, or make the bundle for "
                              "the internal audience)")


# --- verification -----------------------------------------------------------------------------------

def verify_bundle(path: str | Path, *, public_key: bytes | None = None, tsa_ca=None) -> dict:
    """Verify a bundle offline. ``ok`` only when every check passes; each problem names its file. A timestamp
    must chain to the trust store (``tsa_ca``: a path or several; default in :func:`timestamp.trust_store`):
    one that does not is a problem, never "ok"."""
    path = Path(path)
    problems: list[dict] = []
    result: dict = {"bundle": str(path), "ok": False, "problems": problems}
    if not path.is_file():
        problems.append({"file": path.name, "problem": "no such file"})
        return result
    problems += zipcanon.check_structure(path)
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as exc:
        if not problems:
            problems.append({"file": path.name, "problem": f"not a readable zip file: {exc}"})
        return result
    with zf:
        members = {i.filename: i for i in zf.infolist()}

        def read(name: str) -> bytes | None:
            info = members.get(name)
            if info is None:
                return None
            if info.file_size > MAX_MEMBER:
                problems.append({"file": name, "problem": "declares an impossible size"})
                return None
            try:
                return zf.read(name)
            except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError) as exc:
                problems.append({"file": name, "problem": f"unreadable: {exc}"})
                return None

        manifest_bytes = read("manifest.json")
        if manifest_bytes is None:
            problems.append({"file": "manifest.json", "problem": "missing or unreadable: nothing can be verified"})
            return result
        sig = read("manifest.sig")
        pem = read("signing-key.pem")
        _check_signature(manifest_bytes, sig, pem, public_key, problems, result)
        try:
            manifest = json.loads(manifest_bytes)
            listed = {f["path"]: f for f in manifest["files"]}
        except (ValueError, KeyError, TypeError) as exc:
            problems.append({"file": "manifest.json", "problem": f"not a bundle manifest: {exc}"})
            return result
        result.update(files=len(listed), items=len(manifest.get("items", [])), created_at=manifest.get("created_at"),
                      audience=manifest.get("audience"))
        for name, entry in listed.items():
            _check_member(zf, members, name, entry, problems)
        for name in members:
            if name not in listed and name not in SEAL_FILES:
                problems.append({"file": name, "problem": "is in the bundle but not in the manifest"})
        _check_bag(zf, members, problems)
        sums = read("SHA256SUMS")
        expected = _sha256sums(list(listed.values()), hashlib.sha256(manifest_bytes).hexdigest())
        if sums is None:
            problems.append({"file": "SHA256SUMS", "problem": "missing"})
        elif sums != expected:
            problems.append({"file": "SHA256SUMS", "problem": "does not match the manifest"})
        if "timestamp.tsr" in members:
            from dadkhah.vault.timestamp import check_token

            token = read("timestamp.tsr")
            ts = check_token(token, manifest_bytes, ca_file=tsa_ca) if token is not None else {"ok": False}
            result["timestamp"] = ts
            if not ts["ok"]:
                problems.append({"file": "timestamp.tsr", "problem": ts.get("problem", "unreadable")})
        elif tsa_ca is not None:
            problems.append({"file": "timestamp.tsr", "problem": "missing (a timestamp was required)"})
    result["ok"] = not problems
    return result


def _check_signature(manifest: bytes, sig: bytes | None, pem: bytes | None, pinned: bytes | None,
                     problems: list[dict], result: dict) -> None:
    if sig is None:
        problems.append({"file": "manifest.sig", "problem": "missing: the manifest is not signed"})
        return
    try:
        bundled = signing.load_public(pem) if pem is not None else None
    except signing.SigningKeyError as exc:
        problems.append({"file": "signing-key.pem", "problem": str(exc)})
        bundled = None
    key = bundled
    if pinned is not None:
        try:
            key = signing.load_public(pinned)
        except signing.SigningKeyError as exc:
            problems.append({"file": "--public-key", "problem": str(exc)})
            return
        if bundled is not None and signing.fingerprint(bundled) != signing.fingerprint(key):
            problems.append({"file": "signing-key.pem", "problem": "is not the key you expected (--public-key): "
                                                                   "the bundle was signed by someone else"})
    if key is None:
        if pem is None:
            problems.append({"file": "signing-key.pem", "problem": "missing: give --public-key"})
        return
    result["signing_key"] = signing.fingerprint(key)
    if signing.verify(key, sig, manifest):
        result["signature"] = "valid"
    else:
        result["signature"] = "invalid"
        problems.append({"file": "manifest.sig", "problem": "the signature does not match manifest.json and this key "
                                                            "(the manifest, the signature or the key was altered)"})


def _check_member(zf: zipfile.ZipFile, members: dict, name: str, entry: dict, problems: list[dict]) -> None:
    info = members.get(name)
    if info is None:
        problems.append({"file": name, "problem": "is listed in the manifest but missing from the bundle"})
        return
    h = hashlib.sha256()
    size = 0
    try:
        with zf.open(info) as f:
            while chunk := f.read(1 << 20):
                h.update(chunk)
                size += len(chunk)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        pass  # a CRC failure: the hash comparison below names the file
    if h.hexdigest() != entry.get("sha256") or size != entry.get("size"):
        problems.append({"file": name, "problem": f"content changed: SHA-256 is {h.hexdigest()}, "
                                                  f"the manifest says {entry.get('sha256')}"})
