"""What one request of each kind costs on an idle server: wall time, database round trips, Python time.

    .venv/bin/python bench/web/per_request.py                      # build the bench database, then measure
    .venv/bin/python bench/web/per_request.py --reuse              # measure against the existing one
    .venv/bin/python bench/web/per_request.py --reuse --kinds create_person -n 200

The requests are those of ``bench/web/load.py`` (same database, same mix of kinds), made one at a time
in this process through the ASGI application (no network, no other load), so the figures show where
a request's time goes before any queueing: the load benchmark's latencies are these plus waiting.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import load  # noqa: E402  (the load benchmark: database set-up and the request mix)
from sqlalchemy import event  # noqa: E402

KINDS = [k for k, _ in load.READS] + [k for k, _ in load.WRITES]


def request(client, kind: str, rng: random.Random, setup: dict, serial: int):
    ids = setup["ids"]
    reader = {"Authorization": f"Bearer {setup['tokens']['viewer']}"}
    writer = {"Authorization": f"Bearer {setup['tokens']['investigator']}"}
    person = rng.choice(ids["persons"])
    if kind == "api_person":
        return client.get(f"/api/persons/{person}", headers=reader)
    if kind == "person_page":
        return client.get(f"/persons/{person}", headers=reader)
    if kind == "api_list":
        return client.get("/api/persons", params={"offset": rng.randrange(0, 1500, 50), "limit": 50}, headers=reader)
    if kind == "search":
        q = rng.choice([rng.choice(load.FAMILY), rng.choice(load.FAMILY_FA), "Raisi", "Evin", "اوین"])
        return client.get("/api/search", params={"q": q}, headers=reader)
    if kind == "api_claims":
        return client.get("/api/claims", params={"subject_id": person}, headers=reader)
    if kind == "dashboard":
        return client.get("/", headers=reader)
    if kind == "timeline":
        return client.get("/timeline", headers=reader)
    if kind == "map":
        return client.get("/api/map", headers=reader)
    if kind == "create_person":
        return client.post("/api/persons", headers=writer, json={
            "names": [{"text": f"حسین perreq{serial}"}, {"text": f"Hossein perreq{serial}"}],
            "description": "per-request benchmark"})
    if kind == "create_claim":
        return client.post("/api/claims", headers=writer, json={
            "subject_id": person, "predicate": "statement", "statement": f"per-request benchmark {serial}",
            "citations": [{"source_id": rng.choice(ids["sources"]), "quotation": "benchmark"}]})
    if kind == "patch_event":
        return client.patch(f"/api/events/{rng.choice(ids['events'])}", headers=writer,
                            json={"description": f"per-request benchmark {serial}"})
    raise ValueError(kind)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", default=os.environ.get("DADKHAH_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres"))
    p.add_argument("--database", default="dadkhah_bench_requests",
                   help="(not the load benchmark's database: that one is rebuilt by each load run)")
    p.add_argument("--persons", type=int, default=2000)
    p.add_argument("--reuse", action="store_true", help="use the existing bench database (its users and tokens)")
    p.add_argument("-n", type=int, default=60, help="requests of each kind")
    p.add_argument("--kinds", nargs="*", default=KINDS)
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)

    from fastapi.testclient import TestClient
    from sqlalchemy.engine import make_url

    from dadkhah.case import Case
    from dadkhah.web.app import create_app, warm_up

    data_dir = Path(tempfile.mkdtemp(prefix="dadkhah-perreq-"))
    state = Path(tempfile.gettempdir()) / f"{args.database}-per-request.json"
    db_url = make_url(args.db).set(database=args.database).render_as_string(hide_password=False)
    if args.reuse and state.exists():
        setup = json.loads(state.read_text())
    else:
        print(f"building {args.database} …", file=sys.stderr)
        db_url = load.fresh_database(args.db, args.database)
        setup = load.prepare(db_url, data_dir, args.persons)
        state.write_text(json.dumps(setup))

    os.environ.setdefault("DADKHAH_ADMIN_PASSWORD", secrets.token_urlsafe(16))
    case = Case.open(db_url=db_url, data_dir=data_dir, actor="dadkhah-web")
    app = create_app(case)
    warm_up(case)
    queries = [0]

    @event.listens_for(case.engine, "before_cursor_execute")
    def _count(*_a, **_k):
        queries[0] += 1

    rng = random.Random(7)
    out = {}
    with TestClient(app) as client:
        for kind in args.kinds:
            for i in range(5):  # first use of a path: not counted
                request(client, kind, rng, setup, -i - 1).raise_for_status()
            times, counts, cpu = [], [], []
            for i in range(args.n):
                q0, c0, t0 = queries[0], time.process_time(), time.perf_counter()
                r = request(client, kind, rng, setup, i + int(time.time()))
                times.append((time.perf_counter() - t0) * 1000)
                cpu.append((time.process_time() - c0) * 1000)
                counts.append(queries[0] - q0)
                r.raise_for_status()
            out[kind] = {"ms_median": round(statistics.median(times), 1), "ms_mean": round(statistics.fmean(times), 1),
                         "cpu_ms_mean": round(statistics.fmean(cpu), 1),
                         "queries": round(statistics.fmean(counts), 1)}
    case.close()
    if args.json:
        print(json.dumps(out, indent=1))
    else:
        print(f"{'kind':<15}{'ms (median)':>12}{'ms (mean)':>11}{'CPU ms':>9}{'queries':>9}")
        for kind, f in out.items():
            print(f"{kind:<15}{f['ms_median']:>12}{f['ms_mean']:>11}{f['cpu_ms_mean']:>9}{f['queries']:>9}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
