"""CLI commands of the capture capability (registered by dadkhah.cli).

    dadkhah capture URL… [--from FILE]     preserve web pages: WACZ, screenshot, PDF, text, signed record
    dadkhah captures [--url URL]           the captures of the case (and the failed attempts)
    dadkhah verify-capture ID              check a capture's signed record, files and timestamp
    dadkhah evidence similar ITEM          near-duplicate images and videos (perceptual hashes)
"""

from __future__ import annotations

from pathlib import Path

import typer

from dadkhah.cliutil import emit_json, err, fail, open_case, out, progress
from dadkhah.cliutil import guard as _guard  # the one guard: any DadkhahError → a clear error


def register(app: typer.Typer) -> None:
    app.command("capture")(capture)
    app.command("captures")(captures)
    app.command("verify-capture")(verify_capture)


def capture(ctx: typer.Context,
            urls: list[str] = typer.Argument(None, help="URLs to capture"),
            from_file: Path = typer.Option(None, "--from", help="A file of URLs, one a line (# comments)"),
            sensitivity: str = typer.Option("restricted", "--sensitivity", help="public, restricted or confidential"),
            source: str = typer.Option(None, "--source", help="Id of the source these pages belong to"),
            note: str = typer.Option(None, "--note", help="A note kept with each capture and its custody entry"),
            tsa_url: str = typer.Option(None, "--tsa-url", envvar="DADKHAH_TSA_URL",
                                        help="RFC 3161 Time-Stamp Authority for the capture records"),
            timeout: float = typer.Option(30.0, "--timeout", help="Seconds a page may take to load"),
            max_size: str = typer.Option("200M", "--max-size", help="Most bytes one page may load (e.g. 200M)"),
            no_ocr: bool = typer.Option(False, "--no-ocr", help="Do not OCR captured images and scanned PDFs"),
            batch: str = typer.Option(None, "--batch", help="Batch id (default: derived from the URL list, so "
                                                            "running the same list again resumes it)"),
            json_: bool = typer.Option(False, "--json", help="Print the report as one JSON document")) -> None:
    """Capture web pages as evidence: WACZ of every request, screenshot, PDF, text, signature, custody."""
    from rich.markup import escape

    from dadkhah.access import operator
    from dadkhah.capture.browser import FetchOptions
    from dadkhah.capture.service import CaptureOptions, capture_urls, read_url_file
    from dadkhah.ingest.limits import parse_size

    all_urls = list(urls or [])
    if from_file is not None:
        all_urls += _guard(read_url_file, from_file)
    if not all_urls:
        fail("give at least one URL, or --from FILE")
    try:
        max_bytes = parse_size(max_size)
    except ValueError as exc:
        fail(str(exc))
    options = CaptureOptions(sensitivity=sensitivity, source_id=source, note=note, tsa_url=tsa_url, ocr=not no_ocr,
                             fetch=FetchOptions(timeout=timeout, max_bytes=max_bytes))
    case = open_case(ctx)
    with progress() as bar:
        task = bar.add_task("capturing", total=len(all_urls))

        def on_result(r: dict) -> None:
            bar.update(task, advance=1, description=f"capturing {r['url'][:50]}")
            if r["status"] == "failed":
                err.print(f"[red]failed[/]   {escape(r['url'])}: {escape('[' + r['failure'] + ']')} "
                          f"{escape(r['error'])}", highlight=False)
            elif r["status"] == "skipped":
                err.print(f"[dim]skipped[/]  {r['url']}: {r['note']} ({r['capture']})", highlight=False)
            else:
                err.print(f"[green]captured[/] {r['url']} → {r['item']} ({r['http_status']}, {r['kind']})",
                          highlight=False)
                for p in r.get("problems", []):
                    err.print(f"[yellow]warning[/]  {r['url']}: {p}", highlight=False)

        report = _guard(capture_urls, case, all_urls, options=options, batch=batch, on_result=on_result,
                        principal=operator(case.actor))
    if json_:
        emit_json(report)
    err.print(f"{report['captured']} captured, {report['skipped']} skipped (done before), "
              f"{report['failed']} failed — batch {report['batch']}")
    if not report["ok"]:
        raise typer.Exit(1)


def captures(ctx: typer.Context, url: str = typer.Option(None, "--url", help="Only the captures of this URL"),
             capture_id: str = typer.Option(None, "--show", help="One capture in full (its signed record)"),
             limit: int = typer.Option(200, "--limit"),
             json_: bool = typer.Option(False, "--json")) -> None:
    """The case's web captures, newest first (failed attempts too)."""
    from dadkhah.access import operator
    from dadkhah.capture.service import capture_to_dict, get_capture, list_captures

    case = open_case(ctx)
    principal = operator(case.actor)
    with case.reader(principal) as s:
        if capture_id:
            d = capture_to_dict(_guard(get_capture, s, capture_id, principal), full=True)
            if json_:
                emit_json(d)
            else:
                out.print_json(data=d)
            return
        rows = [capture_to_dict(c) for c in list_captures(s, principal, url=url, limit=limit)]
    if json_:
        emit_json(rows)
        return
    for r in rows:
        what = r.get("item") or f"[{r.get('failure')}] {r.get('error', '')[:80]}"
        out.print(f"{r['id']}  {r['status']:<8} {r.get('captured_at', '')[:19]}  {r['url'][:70]}  {what}",
                  highlight=False)


def verify_capture(ctx: typer.Context, capture_id: str = typer.Argument(..., help="Capture id (or its item id)"),
                   tsa_ca: Path = typer.Option(None, "--tsa-ca", help="CA file of the TSA, to check its chain"),
                   json_: bool = typer.Option(False, "--json")) -> None:
    """Check a capture: its record against the stored files, the case's signature, the RFC 3161 token."""
    from dadkhah.access import operator
    from dadkhah.capture.service import verify_capture as verify

    case = open_case(ctx)
    result = _guard(verify, case, capture_id, operator(case.actor), tsa_ca=tsa_ca)
    if json_:
        emit_json(result)
    else:
        for p in result["problems"]:
            err.print(f"[red]problem[/] {p}", highlight=False)
        out.print(f"{result['capture']}: {'ok' if result['ok'] else 'FAILED'}", highlight=False)
    if not result["ok"]:
        raise typer.Exit(1)
