"""CLI commands of the vault capability (registered by dadkhah.cli).

    dadkhah ingest PATH…                      store files/folders as evidence, extract metadata and text
    dadkhah evidence list|show|text|link|annotate|transfer|view|export
    dadkhah bundle --person ID … -o FILE.zip  a sealed exhibit bundle
    dadkhah verify-bundle FILE.zip            check a bundle offline, naming each failing file
    dadkhah signing-key                       the public key that signs bundles
    dadkhah witness init-key|add|list|show|rotate-key|recover
    dadkhah testimony add|list|show|suggest|confirm|reject
"""

from __future__ import annotations

import os
from pathlib import Path

import typer

from dadkhah.access import SYSTEM, operator
from dadkhah.cliutil import emit_json, err, fail, open_case, out, progress
from dadkhah.cliutil import guard as _guard  # the one guard: any DadkhahError → a clear error

evidence_app = typer.Typer(help="Evidence items: list, show, link, annotate, transfer, view, export.",
                           no_args_is_help=True)
witness_app = typer.Typer(help="Protected witnesses: encrypted identities shown as pseudonyms.", no_args_is_help=True)
testimony_app = typer.Typer(help="Testimony records and the mentions of known entities in them.",
                            no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add this capability's commands to the top-level app."""
    app.command("ingest")(ingest)
    app.command("bundle")(bundle)
    app.command("verify-bundle")(verify_bundle)
    app.command("signing-key")(signing_key)
    app.add_typer(evidence_app, name="evidence")
    app.add_typer(witness_app, name="witness")
    app.add_typer(testimony_app, name="testimony")


# --- ingest ----------------------------------------------------------------------------------------

def ingest(ctx: typer.Context,
           paths: list[Path] = typer.Argument(..., help="Files and folders (folders are read recursively)"),
           source: str = typer.Option(None, "--source", help="Id of the source these files come from"),
           supplied_by: str = typer.Option(None, "--supplied-by", help="Who supplied them: a person id or a name"),
           sensitivity: str = typer.Option("restricted", "--sensitivity", help="public, restricted or confidential"),
           link: list[str] = typer.Option([], "--link", help="Link every item to this entity id (repeatable)"),
           claim: list[str] = typer.Option([], "--claim", help="Link every item to this claim id (repeatable)"),
           note: str = typer.Option(None, "--note", help="A note kept with each item and its custody entry"),
           no_ocr: bool = typer.Option(False, "--no-ocr", help="Do not OCR images and scanned pages"),
           ocr_lang: str = typer.Option("fas+eng", "--ocr-lang", help="Tesseract languages"),
           max_size: str = typer.Option("64G", "--max-size", help="Refuse files larger than this (e.g. 500M, 64G)"),
           max_ocr_pages: int = typer.Option(50, "--max-ocr-pages", help="Scanned pages OCR'd per PDF"),
           batch: int = typer.Option(50, "--batch", help="Files per database commit"),
           json_: bool = typer.Option(False, "--json", help="Print the report as JSON")) -> None:
    """Store files as evidence (once per distinct content), read their metadata and text, make them searchable."""
    from dataclasses import replace

    from dadkhah.ingest import DEFAULT_LIMITS, IngestOptions, collect_files, ingest_paths
    from dadkhah.ingest.limits import parse_size

    case = open_case(ctx)
    try:
        limits = replace(DEFAULT_LIMITS, max_file_size=parse_size(max_size), max_ocr_pages=max_ocr_pages)
    except ValueError as exc:
        fail(str(exc))
    options = IngestOptions(supplied_by=supplied_by, source_id=source, sensitivity=sensitivity,
                            link_entities=list(link), link_claims=list(claim), note=note, ocr=not no_ocr,
                            ocr_lang=ocr_lang, limits=limits, batch_size=max(1, batch))
    total = sum(1 for _ in collect_files(paths, exclude=[case.data_dir]))
    with progress() as bar:
        task = bar.add_task("ingesting", total=total)

        def on_file(result) -> None:
            bar.update(task, advance=1, description=f"ingesting {Path(result.path).name[:40]}")
            if result.status == "failed":
                err.print(f"[red]failed[/]  {result.path}: {result.error}", highlight=False)
            for p in result.problems:
                err.print(f"[yellow]warning[/] {result.path}: {p}", highlight=False)

        report = _guard(ingest_paths, case, paths, options=options, on_file=on_file)
    d = report.to_dict()
    if json_:
        emit_json(d)
    err.print(f"{d['stored']} stored, {d['duplicates']} duplicate, {d['failed']} failed "
              f"({d['files']} files, {d['bytes']} bytes)")
    if not report.ok:
        raise typer.Exit(1)


# --- evidence --------------------------------------------------------------------------------------

@evidence_app.command("list")
def evidence_list(ctx: typer.Context, limit: int = typer.Option(0, "--limit"),
                  json_: bool = typer.Option(False, "--json")) -> None:
    """Every evidence item: id, type, size, name."""
    from dadkhah.access import operator
    from dadkhah.vault.evidence import list_items

    case = open_case(ctx)
    me = operator(case.actor)
    with case.reader(me) as s:
        items = list_items(s, me, limit=limit or None)
        rows = [{"id": i.id, "sha256": i.sha256, "size": i.size, "media_type": i.media_type, "filename": i.filename,
                 "sensitivity": i.sensitivity, "text_method": i.text_method} for i in items]
    if json_:
        emit_json(rows)
        return
    for r in rows:
        out.print(f"{r['id']}  {r['media_type']:<28} {r['size']:>12}  {r['filename']}", highlight=False)


@evidence_app.command("show")
def evidence_show(ctx: typer.Context, item: str = typer.Argument(..., help="Item id or SHA-256 (prefix)"),
                  json_: bool = typer.Option(False, "--json")) -> None:
    """An item's metadata, derived files, links and chain of custody."""
    from dadkhah.access import operator
    from dadkhah.vault.evidence import get_item, item_to_dict

    case = open_case(ctx)
    me = operator(case.actor)
    with case.reader(me) as s:
        d = item_to_dict(s, _guard(get_item, s, item, me), me, with_custody=True)
    if json_:
        emit_json(d)
        return
    for key in ("id", "sha256", "size", "media_type", "filename", "title", "sensitivity", "captured_at", "latitude",
                "longitude", "text_method", "text_chars", "supplied_by", "source_id"):
        if d.get(key) not in (None, ""):
            out.print(f"[bold]{key}[/]: {d[key]}", highlight=False)
    for p in d["problems"]:
        out.print(f"[yellow]problem[/]: {p}", highlight=False)
    for link in d["links"]:
        out.print(f"[bold]link[/]: {link['relation']} → {link['target']}", highlight=False)
    out.print("[bold]custody[/]:")
    for e in d["custody"]:
        out.print(f"  {e['seq']:>3}  {e['ts']}  {e['actor']:<16} {e['action']:<10} {e['details']}", highlight=False)


@evidence_app.command("text")
def evidence_text(ctx: typer.Context, item: str = typer.Argument(...)) -> None:
    """Print the text extracted from an item (text layer or OCR)."""
    from dadkhah.access import operator
    from dadkhah.vault.evidence import get_item, item_text

    case = open_case(ctx)
    me = operator(case.actor)
    with case.reader(me) as s:
        text = item_text(s, _guard(get_item, s, item, me), case.blobs)
    typer.echo(text)


@evidence_app.command("link")
def evidence_link(ctx: typer.Context, item: str = typer.Argument(...),
                  to: str = typer.Option(None, "--to", help="Entity id: source, person, event, place, organisation"),
                  claim: str = typer.Option(None, "--claim", help="Claim id"),
                  relation: str = typer.Option("about", "--relation", help="about, supports, depicts, from…"),
                  locator: str = typer.Option("", "--locator", help="Page, timestamp or region")) -> None:
    """Link an item to an entity or a claim (recorded in its custody log)."""
    from dadkhah.vault.evidence import link_item

    case = open_case(ctx)
    with case.session() as s:
        _guard(link_item, s, item, entity_id=to, claim_id=claim, relation=relation, locator=locator)
    err.print("linked")


@evidence_app.command("annotate")
def evidence_annotate(ctx: typer.Context, item: str = typer.Argument(...), note: str = typer.Argument(...)) -> None:
    """Add an annotation to an item's custody log."""
    from dadkhah.vault.evidence import annotate

    case = open_case(ctx)
    with case.session() as s:
        _guard(annotate, s, item, note)
    err.print("annotated")


@evidence_app.command("transfer")
def evidence_transfer(ctx: typer.Context, item: str = typer.Argument(...),
                      to: str = typer.Option(..., "--to", help="Who received it"),
                      note: str = typer.Option(None, "--note")) -> None:
    """Record a transfer of custody."""
    from dadkhah.vault.evidence import transfer

    case = open_case(ctx)
    with case.session() as s:
        _guard(transfer, s, item, to=to, note=note)
    err.print("transfer recorded")


@evidence_app.command("view")
def evidence_view(ctx: typer.Context, item: str = typer.Argument(...),
                  purpose: str = typer.Option(None, "--purpose")) -> None:
    """Print where the original is (read-only); the viewing is recorded in its custody log."""
    from dadkhah.access import operator
    from dadkhah.vault.evidence import view_original

    case = open_case(ctx)
    with case.session() as s:
        location = _guard(view_original, s, item, principal=operator(case.actor), purpose=purpose)
    typer.echo(location)


@evidence_app.command("export")
def evidence_export(ctx: typer.Context, item: str = typer.Argument(...),
                    output: Path = typer.Option(..., "-o", "--output", help="File or folder"),
                    purpose: str = typer.Option(None, "--purpose")) -> None:
    """Copy an original out of the vault (recorded as an export in its custody log)."""
    from dadkhah.access import operator
    from dadkhah.vault.evidence import export_original

    case = open_case(ctx)
    try:
        with case.session() as s:
            dest = _guard(export_original, s, item, output, principal=operator(case.actor), purpose=purpose)
    except FileExistsError as exc:
        fail(f"{exc.filename} exists: not overwritten")
    err.print(f"wrote {dest}")


# --- bundles ---------------------------------------------------------------------------------------

def _keyring_or_none(case):
    from dadkhah.vault.witness import WitnessKeyError, active_key, secret_from_env, unlock

    with case.reader(SYSTEM) as s:  # the key table, not a record
        if active_key(s) is None:
            return None
        try:
            secret = secret_from_env()
            return unlock(s, secret) if secret is not None else None
        except WitnessKeyError as exc:
            fail(str(exc))


def bundle(ctx: typer.Context,
           person: list[str] = typer.Option([], "--person", help="Person id (repeatable)"),
           event: list[str] = typer.Option([], "--event", help="Event id (repeatable)"),
           claim: list[str] = typer.Option([], "--claim", help="Claim id (repeatable)"),
           entity: list[str] = typer.Option([], "--entity", help="Any entity id: source, place… (repeatable)"),
           item: list[str] = typer.Option([], "--item", help="Evidence item id (repeatable)"),
           output: Path = typer.Option(..., "-o", "--output", help="The bundle to write (FILE.zip)"),
           audience: str = typer.Option("prosecutor", "--audience", help="public, restricted, prosecutor, internal"),
           tsa_url: str = typer.Option(None, "--tsa-url", envvar="DADKHAH_TSA_URL",
                                       help="RFC 3161 timestamp authority URL"),
           no_derived: bool = typer.Option(False, "--no-derived", help="Leave out extracted text"),
           json_: bool = typer.Option(False, "--json")) -> None:
    """Write a sealed exhibit bundle: originals, manifest.json, Ed25519 signature (+ RFC 3161 timestamp)."""
    from dadkhah.vault.bundle import build_bundle

    case = open_case(ctx)
    if output.exists():
        fail(f"{output} exists: not overwritten")
    if audience not in ("public", "restricted", "prosecutor", "internal"):
        fail(f"unknown audience {audience!r}: use public, restricted, prosecutor or internal")
    keyring = _keyring_or_none(case)
    if keyring is None and audience != "internal":
        with case.reader(SYSTEM) as s:
            from dadkhah.vault.witness import protected_ids

            if protected_ids(s):
                err.print("[yellow]note[/]: the witness key is locked, so the bundle was not scanned for "
                          "protected identities (set DADKHAH_WITNESS_KEY_FILE or DADKHAH_WITNESS_PASSPHRASE)")
    summary = _guard(build_bundle, case, output, persons=person, events=event, claims=claim, entities=entity,
                     items=item, audience=audience, tsa_url=tsa_url, with_derived=not no_derived, keyring=keyring)
    if json_:
        emit_json(summary)
    err.print(f"wrote {output}: {summary['items']} exhibits, {summary['claims']} claims, signed by key "
              f"{summary['signing_key'][:16]}…" + (", timestamped" if summary["timestamped"] else ""))


def verify_bundle(ctx: typer.Context, file: Path = typer.Argument(..., help="The bundle (FILE.zip)"),
                  public_key: Path = typer.Option(None, "--public-key", help="The signer's public key (PEM) to pin"),
                  tsa_ca: list[Path] = typer.Option(
                      None, "--tsa-ca", help="Trusted root(s) for timestamps: a PEM file (several certificates: "
                      "several TSAs) or a folder; repeatable. Default: $DADKHAH_TSA_TRUST, else the system's roots"),
                  json_: bool = typer.Option(False, "--json")) -> None:
    """Verify a bundle offline: structure, every file's SHA-256, the signature, the timestamp. Exit 1 if any fails."""
    from dadkhah.vault.bundle import verify_bundle as verify

    pinned = None
    if public_key is not None:
        try:
            pinned = public_key.read_bytes()
        except OSError as exc:
            fail(f"cannot read {public_key}: {exc.strerror}")
    result = verify(file, public_key=pinned, tsa_ca=list(tsa_ca or []) or None)
    if json_:
        emit_json(result)
    else:
        for p in result["problems"]:
            err.print(f"[bold red]FAIL[/] {p['file']}: {p['problem']}", highlight=False)
        if result["ok"]:
            ts = result.get("timestamp")
            err.print(f"[green]ok[/] {file}: {result.get('files')} files intact, signature valid (key "
                      f"{result.get('signing_key', '')[:16]}…)" + (f", timestamped {ts['time']}" if ts else ""))
    if not result["ok"]:
        raise typer.Exit(1)


def signing_key(ctx: typer.Context,
                output: Path = typer.Option(None, "-o", "--output", help="Write the public key here")) -> None:
    """Print the public key that signs this case's bundles (publish it; recipients pin it)."""
    from dadkhah.cliutil import case_options
    from dadkhah.vault import signing

    key = _guard(signing.load_or_create, case_options(ctx).data_dir)
    pem = signing.public_pem(key)
    if output:
        output.write_bytes(pem)
        err.print(f"wrote {output}")
    else:
        typer.echo(pem.decode().rstrip())
    err.print(f"fingerprint (SHA-256 of the raw key): {signing.fingerprint(key)}")


# --- witnesses -------------------------------------------------------------------------------------

def _secret(key_file: Path | None, passphrase_env: str | None, *, prompt: str):
    from dadkhah.vault.witness import Secret

    if key_file is not None:
        return _guard(Secret.key_file, key_file)
    if passphrase_env:
        value = os.environ.get(passphrase_env)
        if not value:
            fail(f"${passphrase_env} is not set")
        return _guard(Secret.passphrase, value)
    value = typer.prompt(prompt, hide_input=True, confirmation_prompt=True)
    return _guard(Secret.passphrase, value)


def _unlock(s):
    from dadkhah.vault.witness import unlock

    return _guard(unlock, s)


@witness_app.command("init-key")
def witness_init_key(ctx: typer.Context,
                     key_file: Path = typer.Option(None, "--key-file", help="Protect the key with this key file"),
                     passphrase_env: str = typer.Option(None, "--passphrase-env",
                                                        help="Read the passphrase from this variable")) -> None:
    """Make the case's witness key. Prints a one-time RECOVERY CODE: store it offline."""
    from dadkhah.vault.witness import init_key

    case = open_case(ctx)
    secret = _secret(key_file, passphrase_env, prompt="New witness passphrase")
    with case.session() as s:
        keyring, code = _guard(init_key, s, secret)
    err.print(f"witness key {keyring.key_id} made. Recovery code (shown once — keep it offline, apart from the "
              "passphrase/key file):")
    typer.echo(code)


@witness_app.command("add")
def witness_add(ctx: typer.Context,
                name: list[str] = typer.Option(..., "--name", help="A real name, any script (repeatable)"),
                birth: str = typer.Option(None, "--birth"),
                father_name: str = typer.Option(None, "--father-name"),
                gender: str = typer.Option(None, "--gender"),
                address: str = typer.Option(None, "--address"),
                contact: str = typer.Option(None, "--contact"),
                notes: str = typer.Option(None, "--notes"),
                pseudonym: str = typer.Option(None, "--pseudonym", help="Default: a random W-XXXX"),
                sensitivity: str = typer.Option("restricted", "--sensitivity",
                                                help="Of the pseudonymous person record"),
                json_: bool = typer.Option(False, "--json")) -> None:
    """Register a protected witness: identity encrypted, a pseudonym everywhere else."""
    from dadkhah.vault.witness import add_protected_witness

    case = open_case(ctx)
    identity = {k: v for k, v in {"names": list(name), "birth": birth, "father_name": father_name, "gender": gender,
                                  "address": address, "contact": contact, "notes": notes}.items() if v}
    with case.session() as s:
        person = _guard(add_protected_witness, s, _unlock(s), identity=identity, pseudonym=pseudonym,
                        sensitivity=sensitivity)
        d = {"id": person.id, "label": person.label, "pseudonym": person.extra["pseudonym"]}
    if json_:
        emit_json(d)
    err.print(f"protected witness {d['id']} registered as {d['label']}")


@witness_app.command("list")
def witness_list(ctx: typer.Context, json_: bool = typer.Option(False, "--json")) -> None:
    """Protected witnesses, by pseudonym."""
    from sqlalchemy import select

    from dadkhah.vault.tables import WitnessIdentity

    case = open_case(ctx)
    with case.reader(operator(case.actor)) as s:
        rows = [{"id": w.person_id, "pseudonym": w.pseudonym, "key_id": w.key_id}
                for w in s.scalars(select(WitnessIdentity).order_by(WitnessIdentity.pseudonym))]
    if json_:
        emit_json(rows)
        return
    for r in rows:
        out.print(f"{r['pseudonym']}  {r['id']}", highlight=False)


@witness_app.command("show")
def witness_show(ctx: typer.Context, person: str = typer.Argument(...),
                 unmask: bool = typer.Option(False, "--unmask", help="Decrypt the identity (needs the key; audited)"),
                 purpose: str = typer.Option(None, "--purpose", help="Why (kept in the audit log)"),
                 json_: bool = typer.Option(False, "--json")) -> None:
    """A protected witness: pseudonym, and with --unmask the real identity."""
    from dadkhah.access import operator
    from dadkhah.vault.witness import unmask as do_unmask
    from dadkhah.vault.witness import witness_view

    case = open_case(ctx)
    principal = operator(case.actor)
    with case.session() as s:
        view = _guard(witness_view, s, person, principal)
        if unmask:
            view["identity"] = _guard(do_unmask, s, person, principal, _unlock(s), purpose=purpose)
    if json_:
        emit_json(view)
        return
    for k, v in view.items():
        out.print(f"[bold]{k}[/]: {v}", highlight=False)


@witness_app.command("rescreen")
def witness_rescreen(ctx: typer.Context, json_: bool = typer.Option(False, "--json")) -> None:
    """Screen the case again for protected witnesses' names (needs the witness key).

    Keys every witness's names afresh and indexes again every text that may name one — for a case made,
    imported or restored before the screen existed. Texts are masked for lower readers when read."""
    from dadkhah.vault.witness import rescreen_all

    case = open_case(ctx)
    with case.session() as s:
        result = _guard(rescreen_all, s, _unlock(s))
    err.print(f"{result['witnesses']} protected witness(es) screened; {result['reindexed']} indexed record(s) "
              "screened again")
    if json_:
        emit_json(result)


@witness_app.command("rotate-key")
def witness_rotate_key(ctx: typer.Context,
                       new_key_file: Path = typer.Option(None, "--new-key-file"),
                       new_passphrase_env: str = typer.Option(None, "--new-passphrase-env")) -> None:
    """New witness key: every identity re-encrypted, the old key destroyed. Prints a new recovery code."""
    from dadkhah.vault.witness import rotate_key

    case = open_case(ctx)
    new_secret = _secret(new_key_file, new_passphrase_env, prompt="New witness passphrase")
    with case.session() as s:
        keyring, code, n = _guard(rotate_key, s, _unlock(s), new_secret)
    err.print(f"witness key {keyring.key_id} made; {n} identities re-encrypted; the old key is destroyed. "
              "New recovery code (shown once):")
    typer.echo(code)


@witness_app.command("recover")
def witness_recover(ctx: typer.Context, code: str = typer.Option(..., "--code", help="The recovery code"),
                    new_key_file: Path = typer.Option(None, "--new-key-file"),
                    new_passphrase_env: str = typer.Option(None, "--new-passphrase-env")) -> None:
    """Lost passphrase or key file: open the key with its recovery code and protect it anew."""
    from dadkhah.vault.witness import recover

    case = open_case(ctx)
    new_secret = _secret(new_key_file, new_passphrase_env, prompt="New witness passphrase")
    with case.session() as s:
        keyring = _guard(recover, s, code, new_secret)
    err.print(f"witness key {keyring.key_id} is now protected by the new secret; consider `dadkhah witness "
              "rotate-key` next")


# --- testimony -------------------------------------------------------------------------------------

@testimony_app.command("add")
def testimony_add(ctx: typer.Context,
                  witness: str = typer.Option(..., "--witness", help="Person id of the witness"),
                  transcript: Path = typer.Option(None, "--transcript", help="UTF-8 text file"),
                  interviewer: str = typer.Option(None, "--interviewer"),
                  date: str = typer.Option(None, "--date", help="Any date dadkhah reads (Jalali or Gregorian)"),
                  place: str = typer.Option(None, "--place", help="Place id"),
                  language: str = typer.Option(None, "--language", help="e.g. fa, en"),
                  consent: str = typer.Option("unspecified", "--consent",
                                              help="internal, prosecution, publication, unspecified"),
                  protection: str = typer.Option(None, "--protection", help="none, pseudonymised, protected"),
                  sensitivity: str = typer.Option(None, "--sensitivity"),
                  item: list[str] = typer.Option([], "--item", help="ITEM_ID[:role] (audio, video, transcript…)"),
                  suggest: bool = typer.Option(True, "--suggest/--no-suggest", help="Suggest mentions now"),
                  json_: bool = typer.Option(False, "--json")) -> None:
    """Record a testimony (and suggest the known persons, organisations and places it mentions)."""
    from dadkhah.vault.testimony import add_testimony, suggest_mentions, testimony_to_dict
    from dadkhah.vault.witness import active_key, is_protected, unlock

    case = open_case(ctx)
    text = ""
    if transcript is not None:
        try:
            text = transcript.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            fail(f"cannot read {transcript} as UTF-8 text: {exc}")
    items = [(ref.split(":", 1)[0], ref.split(":", 1)[1] if ":" in ref else "other") for ref in item]
    with case.session() as s:
        keyring = None
        if is_protected(s, witness) and active_key(s) is not None and sensitivity not in (None, "confidential"):
            keyring = _guard(unlock, s)
        t = _guard(add_testimony, s, witness_id=witness, transcript=text, interviewer=interviewer, date=date,
                   place_id=place, language=language, consent_scope=consent, protection_level=protection,
                   sensitivity=sensitivity, items=items, keyring=keyring)
        if suggest:
            suggest_mentions(s, t.id)
        d = testimony_to_dict(s, t, s.info["principal"])
    if json_:
        emit_json(d)
    err.print(f"testimony {d['id']} recorded ({len(d['mentions'])} mention suggestions)")


@testimony_app.command("list")
def testimony_list(ctx: typer.Context, witness: str = typer.Option(None, "--witness"),
                   json_: bool = typer.Option(False, "--json")) -> None:
    from dadkhah.vault.testimony import list_testimony

    case = open_case(ctx)
    with case.reader(operator(case.actor)) as s:
        rows = [{"id": t.id, "witness_id": t.witness_id, "date": t.date_text, "language": t.language,
                 "sensitivity": t.sensitivity} for t in list_testimony(s, s.info["principal"], witness_id=witness)]
    if json_:
        emit_json(rows)
        return
    for r in rows:
        out.print(f"{r['id']}  {r['witness_id']}  {r['date'] or ''}  {r['language'] or ''}", highlight=False)


@testimony_app.command("show")
def testimony_show(ctx: typer.Context, testimony: str = typer.Argument(...),
                   json_: bool = typer.Option(False, "--json")) -> None:
    from dadkhah.vault.testimony import get_testimony, testimony_to_dict

    case = open_case(ctx)
    with case.reader(operator(case.actor)) as s:
        reader = s.info["principal"]
        d = testimony_to_dict(s, _guard(get_testimony, s, testimony, reader), reader)
    if json_:
        emit_json(d)
        return
    out.print(f"[bold]{d['id']}[/] — witness {d['witness']['label']} ({d['witness']['id']})", highlight=False)
    for m in d["mentions"]:
        out.print(f"  mention {m['id']:>4} [{m['status']}] {m['text']!r} → {m['entity']['label']} "
                  f"({m['entity']['id']}, score {m['score']})", highlight=False)


@testimony_app.command("suggest")
def testimony_suggest(ctx: typer.Context, testimony: str = typer.Argument(...)) -> None:
    """Suggest mentions of known entities (again, e.g. after adding people to the case)."""
    from dadkhah.vault.testimony import suggest_mentions

    case = open_case(ctx)
    with case.session() as s:
        new = _guard(suggest_mentions, s, testimony)
        err.print(f"{len(new)} new suggestions")


def _decide(ctx: typer.Context, mention_ids: list[int], status: str) -> None:
    from dadkhah.vault.testimony import decide_mention

    case = open_case(ctx)
    with case.session() as s:
        for mid in mention_ids:
            _guard(decide_mention, s, mid, status, actor=case.actor)
    err.print(f"{len(mention_ids)} mention(s) {status}")


@testimony_app.command("confirm")
def testimony_confirm(ctx: typer.Context, mention: list[int] = typer.Argument(..., help="Mention ids")) -> None:
    """Confirm suggested mentions."""
    _decide(ctx, mention, "confirmed")


@testimony_app.command("reject")
def testimony_reject(ctx: typer.Context, mention: list[int] = typer.Argument(..., help="Mention ids")) -> None:
    """Reject suggested mentions (they will not be suggested again)."""
    _decide(ctx, mention, "rejected")


@evidence_app.command("similar")
def evidence_similar(ctx: typer.Context, item: str = typer.Argument(..., help="Item id or SHA-256 (prefix)"),
                     limit: int = typer.Option(20, "--limit"),
                     json_: bool = typer.Option(False, "--json")) -> None:
    """Items that look like this one: near-duplicate images, screenshots and video keyframes."""
    from dadkhah.access import operator
    from dadkhah.ingest.fingerprints import fingerprints_of, similar_items
    from dadkhah.vault.evidence import get_item

    case = open_case(ctx)
    principal = operator(case.actor)
    with case.reader(principal) as s:
        item_id = _guard(get_item, s, item, principal).id
        has = bool(fingerprints_of(s, item_id))
        rows = similar_items(s, item_id, principal, limit=limit)
    if json_:
        emit_json({"item": item_id, "fingerprinted": has, "similar": rows})
        return
    if not has:
        err.print(f"{item_id} has no perceptual fingerprint (not an image or video, or it could not be decoded)")
    for r in rows:
        out.print(f"{r['item']}  {r['method']:<15} distance {r['distance']:>3}  {r['title'] or ''}", highlight=False)
    if has and not rows:
        err.print("no similar items")
