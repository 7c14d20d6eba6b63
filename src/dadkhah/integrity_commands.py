"""CLI commands that protect the case's integrity over time: anchor, backup, restore, check-backup.

(``verify`` itself is a core command, in :mod:`dadkhah.commands`.)
"""

from __future__ import annotations

from pathlib import Path

import typer

from dadkhah.cliutil import emit_json, err, fail, open_case


def register(app: typer.Typer) -> None:
    app.command("anchor")(anchor)
    app.command("backup")(backup)
    app.command("restore")(restore)
    app.command("check-backup")(check_backup)


def anchor(ctx: typer.Context,
           to: str = typer.Option(None, "--to", envvar="DADKHAH_ANCHOR_DIR",
                                  help="Where to keep the anchor, outside the case: a folder (another disk, a share) "
                                       "or a second database URL (postgresql://…, sqlite:///…)"),
           tsa_url: str = typer.Option(None, "--tsa-url", envvar="DADKHAH_TSA_URL",
                                       help="RFC 3161 timestamp authority to countersign the anchor"),
           every: int = typer.Option(None, "--every", envvar="DADKHAH_ANCHOR_EVERY",
                                     help="The automatic anchoring interval in force (entries), recorded in the "
                                          "anchor so verify can tell a missing one"),
           json_: bool = typer.Option(False, "--json")) -> None:
    """Sign the audit chain's head with the case key (and timestamp it) into a folder outside the case.
    Later, `dadkhah verify --anchors DIR` detects a truncated chain or one rewritten with new hashes.
    Run it from cron for anchors on a schedule; DADKHAH_ANCHOR_EVERY=N anchors every N entries."""
    from dadkhah.vault.anchor import AnchorError, anchor_case
    from dadkhah.vault.signing import SigningKeyError
    from dadkhah.vault.timestamp import TimestampError

    if not to:
        fail("say where to write the anchor: --to DIR or --to DATABASE-URL (or DADKHAH_ANCHOR_DIR), outside the case")
    case = open_case(ctx)
    try:
        result = anchor_case(case, to, tsa_url=tsa_url, every=every)
    except (AnchorError, SigningKeyError, TimestampError, OSError) as exc:
        fail(str(exc))
    if json_:
        emit_json(result)
    else:
        err.print(f"anchored entry {result['seq']} (head {result['head'][:16]}…) in {result['file']}"
                  + (" with an RFC 3161 timestamp" if result.get("timestamp") else ""))


def backup(ctx: typer.Context, output: Path = typer.Option(..., "-o", "--output", help="The backup file (.tar or "
                                                           ".tar.gz)"),
           anchors: str = typer.Option(None, "--anchors", envvar="DADKHAH_ANCHOR_DIR", help="Anchor folder to include"),
           json_: bool = typer.Option(False, "--json")) -> None:
    """A whole backup: every row, the audit chain as it is, every stored file and the anchors."""
    from dadkhah.backup import BackupError
    from dadkhah.backup import backup as run_backup

    case = open_case(ctx)
    try:
        manifest = run_backup(case, output, anchors=anchors, step=lambda m: err.print(f"… {m}"))
    except (BackupError, OSError) as exc:
        fail(str(exc))
    summary = {k: v for k, v in manifest.items() if k != "members"}
    if json_:
        emit_json({"file": str(output), **summary})
    else:
        err.print(f"wrote {output}: {sum(manifest['rows'].values())} rows, {manifest['audit']['entries']} audit "
                  f"entries (head {manifest['audit']['head'][:16]}…), {manifest['files']} files, "
                  f"{manifest['anchors']} anchors")


def restore(ctx: typer.Context, file: Path = typer.Argument(..., exists=True, dir_okay=False),
            anchors_to: str = typer.Option(None, "--anchors-to", help="Folder to put the backup's anchors in"),
            json_: bool = typer.Option(False, "--json")) -> None:
    """Restore a backup into an empty case, re-verifying everything; refuses a backup that does not match."""
    from dadkhah.backup import BackupError
    from dadkhah.backup import restore as run_restore
    from dadkhah.integrity import EXIT_CODES

    case = open_case(ctx, create=True)
    try:
        result = run_restore(case, file, anchors_to=anchors_to, step=lambda m: err.print(f"… {m}"))
    except (BackupError, OSError) as exc:
        fail(f"{exc}")
    if json_:
        emit_json(result)
    status = result["verify"]["status"]
    err.print(f"restored {file}: verify says {status}")
    if status != "intact":
        raise typer.Exit(EXIT_CODES.get(status, 1))


def check_backup(file: Path = typer.Argument(..., exists=True, dir_okay=False),
                 json_: bool = typer.Option(False, "--json")) -> None:
    """Check a backup without restoring it: every member's hash, its audit chain and its anchors."""
    from dadkhah.backup import BackupError
    from dadkhah.backup import check_backup as run_check

    try:
        manifest = run_check(file)
    except BackupError as exc:
        if json_:
            emit_json({"ok": False, "problem": str(exc)})
        fail(str(exc))
    summary = {k: v for k, v in manifest.items() if k != "members"}
    if json_:
        emit_json({"ok": True, **summary})
    else:
        err.print(f"{file} is whole: {manifest['audit']['entries']} audit entries, {manifest['files']} files")
