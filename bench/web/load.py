"""Load benchmark of the web application: concurrent users on loopback, mixed reads and writes.

    .venv/bin/python bench/web/load.py --users 50 --duration 60
    .venv/bin/python bench/web/load.py --db postgresql://postgres@127.0.0.1:5432/postgres --workers 2 --json

What it does:

1. makes a fresh PostgreSQL database (``dadkhah_bench``; dropped and re-created on the server of ``--db``),
   builds the demo case in it plus ``--persons`` synthetic people, and adds two users with API tokens;
2. starts ``dadkhah serve`` on a free loopback port, in its own process(es);
3. runs ``--users`` simulated users (httpx, asyncio) for ``--warmup`` + ``--duration`` seconds; only
   requests started after the warm-up are timed (all are checked). Each user repeatedly
   waits a think time (exponential, mean ``--think`` s) and then makes one request: 80 % reads (record
   pages and API records, lists, name search, claims, timeline, map) and 20 % writes (create a person,
   record a claim with its source, change an event);
   (``--writes`` sets the share of writes)
4. prints latency percentiles (overall, reads, writes, per kind of request), errors and throughput, and
   checks that no write was lost: every person and claim the server acknowledged (201) is in the
   database, and the number of rows written with this run's tag equals the number acknowledged;
5. prints what the figures depend on: the CPUs, a calibration time (a fixed Python workload), the share
   of CPU time the hypervisor took (steal) during the run, and the load generator's own CPU use (it runs
   on the same machine as the server).

Exit status 1 when a target is missed: p95 over ``--p95`` ms, any error, or any lost write.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from dadkhah.access import SYSTEM

ROOT = Path(__file__).resolve().parents[2]
GIVEN = ["Hossein", "Reza", "Ali", "Mohammad", "Maryam", "Zahra", "Fatemeh", "Mehdi", "Hassan", "Parvin",
         "Mahmoud", "Akbar", "Shirin", "Nasrin", "Javad", "Saeed", "Ahmad", "Roya", "Behrouz", "Mojgan"]
FAMILY = ["Karimi", "Ahmadi", "Hosseini", "Rahimi", "Rezaei", "Moradi", "Jafari", "Sadeghi", "Mohammadi",
          "Kazemi", "Ebrahimi", "Ghasemi", "Naderi", "Taheri", "Sharifi", "Amini", "Bagheri", "Zamani"]
GIVEN_FA = ["حسین", "رضا", "علی", "محمد", "مریم", "زهرا", "فاطمه", "مهدی", "حسن", "پروین"]
FAMILY_FA = ["کریمی", "احمدی", "حسینی", "رحیمی", "رضایی", "مرادی", "جعفری", "صادقی", "محمدی", "کاظمی"]


# --- setting up --------------------------------------------------------------------------------------------

def fresh_database(admin_url: str, name: str) -> str:
    """Drop and create database ``name`` on the server of ``admin_url``; returns its URL."""
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(admin_url)
    plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.set(database=name).render_as_string(hide_password=False)


def prepare(db_url: str, data_dir: Path, persons: int) -> dict:
    """The demo case plus synthetic people; users and tokens; the ids the simulated users need."""
    from sqlalchemy import select

    from dadkhah import records
    from dadkhah.case import Case
    from dadkhah.demo import build_demo
    from dadkhah.model import Event, Person, Source
    from dadkhah.web.users import create_user, issue_token

    case = Case.open(db_url=db_url, data_dir=data_dir, create=True, actor="bench")
    build_demo(case)
    rng = random.Random(1988)
    batch = 250
    for start in range(0, persons, batch):
        with case.session(actor="bench") as s:
            for i in range(start, min(start + batch, persons)):
                g, f = rng.randrange(len(GIVEN_FA)), rng.randrange(len(FAMILY_FA))
                records.add_person(s, names=[f"{GIVEN_FA[g]} {FAMILY_FA[f]}", f"{GIVEN[g]} {FAMILY[f]}"],
                                   birth=str(rng.randint(1940, 1970)), id=f"person-bench-{i:05d}")
    with case.session(actor="bench") as s:
        tokens = {}
        for role in ("investigator", "viewer"):
            user = create_user(s, f"bench-{role}", role, secrets.token_urlsafe(16))
            tokens[role] = issue_token(s, user, "load benchmark")
    case.refresh_statistics()  # as autovacuum would soon after a bulk load
    with case.reader(SYSTEM) as s:
        ids = {
            "persons": list(s.scalars(select(Person.id).limit(400))),
            "events": list(s.scalars(select(Event.id))),
            "sources": list(s.scalars(select(Source.id).where(Source.sensitivity == "public"))),
        }
    case.close()
    return {"tokens": tokens, "ids": ids}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(db_url: str, data_dir: Path, port: int, workers: int) -> subprocess.Popen:
    env = {**os.environ, "DADKHAH_ADMIN_PASSWORD": secrets.token_urlsafe(16), "DADKHAH_DB": db_url,
           "DADKHAH_DATA": str(data_dir)}
    launcher = os.environ.get("DADKHAH_BENCH_LAUNCHER")  # to try a variant of the server (experiments)
    cmd = [sys.executable, *([launcher] if launcher else ["-m", "dadkhah.cli"]), "serve", "--host", "127.0.0.1",
           "--port", str(port)]
    if workers > 1:
        cmd += ["--workers", str(workers)]
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/me", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not start within 120 s")


def stop_server(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, signal.SIGKILL)


# --- the simulated users -----------------------------------------------------------------------------------

@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[tuple[str, str]] = field(default_factory=list)
    acknowledged_persons: list[str] = field(default_factory=list)
    acknowledged_claims: list[str] = field(default_factory=list)
    requests: int = 0
    measured: int = 0  # requests timed (started after the warm-up)
    trace: list[tuple[float, str, float]] = field(default_factory=list)  # (start, kind, ms) of each request


READS = [("api_person", 18), ("person_page", 14), ("api_list", 10), ("search", 16), ("api_claims", 8),
         ("dashboard", 6), ("timeline", 4), ("map", 4)]
WRITES = [("create_person", 10), ("create_claim", 6), ("patch_event", 4)]


def choose(rng: random.Random, write_share: float) -> str:
    table = READS if rng.random() >= write_share else WRITES
    return rng.choices([k for k, _ in table], weights=[w for _, w in table])[0]


def make_client(base: str) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=2, max_keepalive_connections=2)
    return httpx.AsyncClient(base_url=base, timeout=30, limits=limits)


async def user(n: int, client: httpx.AsyncClient, setup: dict, tag: str, until: float, think: float,
               write_share: float, results: Results, measure_from: float = 0.0) -> None:
    rng = random.Random(n)
    ids = setup["ids"]
    reader = {"Authorization": f"Bearer {setup['tokens']['viewer']}"}
    writer = {"Authorization": f"Bearer {setup['tokens']['investigator']}"}
    async with client:
        serial = 0
        while True:
            await asyncio.sleep(rng.expovariate(1 / think))
            if time.monotonic() >= until:
                return
            kind = choose(rng, write_share)
            serial += 1
            person = rng.choice(ids["persons"])
            if kind == "api_person":
                call = client.get(f"/api/persons/{person}", headers=reader)
            elif kind == "person_page":
                call = client.get(f"/persons/{person}", headers=reader)
            elif kind == "api_list":
                call = client.get("/api/persons", params={"offset": rng.randrange(0, 1500, 50), "limit": 50},
                                  headers=reader)
            elif kind == "search":
                q = rng.choice([rng.choice(FAMILY), rng.choice(FAMILY_FA), f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}",
                                "Raisi", "Evin", "اوین"])
                call = client.get("/api/search", params={"q": q}, headers=reader)
            elif kind == "api_claims":
                call = client.get("/api/claims", params={"subject_id": person}, headers=reader)
            elif kind == "dashboard":
                call = client.get("/", headers=reader)
            elif kind == "timeline":
                call = client.get("/timeline", headers=reader)
            elif kind == "map":
                call = client.get("/api/map", headers=reader)
            elif kind == "create_person":
                g = rng.randrange(len(GIVEN_FA))
                call = client.post("/api/persons", headers=writer, json={
                    "names": [{"text": f"{GIVEN_FA[g]} {tag}{n}x{serial}"}, {"text": f"{GIVEN[g]} {tag}{n}x{serial}"}],
                    "description": f"load benchmark {tag}"})
            elif kind == "create_claim":
                call = client.post("/api/claims", headers=writer, json={
                    "subject_id": person, "predicate": "statement", "statement": f"load benchmark {tag} {n}/{serial}",
                    "citations": [{"source_id": rng.choice(ids["sources"]), "quotation": "benchmark"}]})
            else:
                call = client.patch(f"/api/events/{rng.choice(ids['events'])}", headers=writer,
                                    json={"description": f"load benchmark {tag} {n}/{serial}"})
            start = time.perf_counter()
            try:
                response = await call
            except httpx.HTTPError as exc:
                results.errors.append((kind, f"{type(exc).__name__}: {exc}"))
                continue
            finally:
                results.requests += 1
            ms = (time.perf_counter() - start) * 1000
            if start >= measure_from:  # requests in the warm-up are made (and checked) but not timed
                results.latencies[kind].append(ms)
                results.measured += 1
            results.trace.append((start, kind, ms))
            if response.status_code >= 400:
                results.errors.append((kind, f"HTTP {response.status_code}: {response.text[:200]}"))
            elif kind == "create_person":
                results.acknowledged_persons.append(response.json()["id"])
            elif kind == "create_claim":
                results.acknowledged_claims.append(response.json()["id"])


def check_writes(db_url: str, data_dir: Path, tag: str, results: Results) -> dict:
    """Every acknowledged write is stored, and nothing was stored that was not acknowledged."""
    from sqlalchemy import func, select

    from dadkhah.case import Case
    from dadkhah.model import Claim, Person

    case = Case.open(db_url=db_url, data_dir=data_dir)
    with case.reader(SYSTEM) as s:
        stored_persons = set(s.scalars(select(Person.id).where(Person.description == f"load benchmark {tag}")))
        stored_claims = s.scalar(select(func.count()).select_from(Claim)
                                 .where(Claim.statement.like(f"load benchmark {tag} %")))
        claims_found = set(s.scalars(select(Claim.id).where(Claim.id.in_(results.acknowledged_claims))))
    case.close()
    acked_p, acked_c = set(results.acknowledged_persons), set(results.acknowledged_claims)
    return {
        "persons_acknowledged": len(acked_p), "persons_stored": len(stored_persons),
        "persons_lost": len(acked_p - stored_persons), "persons_unacknowledged": len(stored_persons - acked_p),
        "claims_acknowledged": len(acked_c), "claims_stored": stored_claims,
        "claims_lost": len(acked_c - claims_found),
        "claims_unacknowledged": stored_claims - len(claims_found),
    }


# --- the machine ---------------------------------------------------------------------------------------

def cpu_ticks() -> tuple[int, int] | None:
    """(steal, total) jiffies of all CPUs so far (Linux), to report the share of time the hypervisor took."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    except (OSError, ValueError):
        return None
    return fields[7], sum(fields)


def calibration_ms(rounds: int = 7) -> float:
    """Fastest of ``rounds`` runs of a fixed single-threaded Python workload (hashing, dicts, JSON): how fast
    this machine runs Python, so latencies measured on different machines can be compared."""
    import hashlib

    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        rows = [{"id": i, "key": hashlib.sha256(str(i).encode()).hexdigest()[:12]} for i in range(20_000)]
        json.loads(json.dumps(rows))
        times.append((time.perf_counter() - t) * 1000)
    return round(min(times), 1)


def machine_facts(before: tuple[int, int] | None, after: tuple[int, int] | None, generator_cpu_s: float,
                  wall: float) -> dict:
    model = ""
    try:
        model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                      if line.startswith("model name")), "")
    except OSError:
        pass
    steal = None
    if before and after and after[1] > before[1]:
        steal = round(100 * (after[0] - before[0]) / (after[1] - before[1]), 2)
    return {"cpus": os.cpu_count(), "cpu_model": model, "calibration_ms": calibration_ms(),
            "steal_percent": steal, "generator_cpu_percent": round(100 * generator_cpu_s / wall, 1)}


def pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def summary(results: Results, wall: float) -> dict:
    every = [v for vs in results.latencies.values() for v in vs]
    reads = [v for k, vs in results.latencies.items() if k in dict(READS) for v in vs]
    writes = [v for k, vs in results.latencies.items() if k in dict(WRITES) for v in vs]

    def stats(vs: list[float]) -> dict:
        return {"n": len(vs), "p50_ms": round(pct(vs, 50), 1), "p95_ms": round(pct(vs, 95), 1),
                "p99_ms": round(pct(vs, 99), 1), "mean_ms": round(statistics.fmean(vs), 1) if vs else 0.0}

    return {"requests": results.requests, "timed": results.measured, "errors": len(results.errors),
            "seconds": round(wall, 1), "throughput_rps": round(results.requests / wall, 1),
            "all": stats(every), "reads": stats(reads),
            "writes": stats(writes), "by_kind": {k: stats(v) for k, v in sorted(results.latencies.items())},
            "error_samples": results.errors[:10]}


async def run_users(base: str, setup: dict, tag: str, users: int, duration: float, think: float,
                    write_share: float, warmup: float = 0.0) -> tuple[Results, float]:
    results = Results()
    # Clients are made before the clock starts: making one costs a few milliseconds of the event loop
    # (its TLS context), and 50 of them inside the run would release a burst of users all at once.
    clients = [make_client(base) for _ in range(users)]
    start = time.monotonic()
    measure_from = time.perf_counter() + warmup
    await asyncio.gather(*(user(n, clients[n], setup, tag, start + warmup + duration, think, write_share, results,
                                measure_from) for n in range(users)))
    return results, time.monotonic() - start


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", default=os.environ.get("DADKHAH_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres"),
                   help="a PostgreSQL server (any database on it); the benchmark makes its own database")
    p.add_argument("--database", default="dadkhah_bench", help="name of the database to (re)create")
    p.add_argument("--users", type=int, default=50)
    p.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    p.add_argument("--think", type=float, default=1.0, help="mean think time between a user's requests (s)")
    p.add_argument("--writes", type=float, default=0.2, help="share of requests that write")
    p.add_argument("--persons", type=int, default=2000, help="synthetic people added to the demo case")
    p.add_argument("--workers", type=int, default=1, help="server processes")
    p.add_argument("--p95", type=float, default=100.0, help="target: 95th percentile latency (ms)")
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p.add_argument("--warmup", type=float, default=5.0,
                   help="seconds of load before the timed --duration (requests made and checked, not timed): "
                        "new server processes open their database connections and fill their caches")
    p.add_argument("--trace", type=Path, help="write every request (seconds from the start, kind, ms) as CSV")
    args = p.parse_args(argv)

    import tempfile

    data_dir = Path(tempfile.mkdtemp(prefix="dadkhah-bench-"))
    db_url = fresh_database(args.db, args.database)
    t = time.perf_counter()
    setup = prepare(db_url, data_dir, args.persons)
    print(f"prepared the case in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    port = free_port()
    server = start_server(db_url, data_dir, port, args.workers)
    tag = "b" + secrets.token_hex(3)
    try:
        import uvloop  # a faster event loop for the load generator, when installed

        uvloop.install()
    except ImportError:
        pass
    ticks, cpu0 = cpu_ticks(), time.process_time()
    try:
        results, wall = asyncio.run(run_users(f"http://127.0.0.1:{port}", setup, tag, args.users, args.duration,
                                              args.think, args.writes, args.warmup))
    finally:
        stop_server(server)
    doc = summary(results, wall)
    doc["machine"] = machine_facts(ticks, cpu_ticks(), time.process_time() - cpu0, wall)
    if args.trace:
        t0 = min((t for t, _, _ in results.trace), default=0.0)
        args.trace.write_text("t_s,kind,ms\n" + "".join(f"{t - t0:.3f},{k},{ms:.1f}\n"
                                                          for t, k, ms in sorted(results.trace)))
    doc["writes_check"] = check_writes(db_url, data_dir, tag, results)
    doc["settings"] = {"users": args.users, "duration_s": args.duration, "warmup_s": args.warmup,
                       "think_s": args.think, "writes": args.writes,
                       "persons": args.persons, "workers": args.workers, "backend": "postgresql"}
    lost = doc["writes_check"]["persons_lost"] + doc["writes_check"]["claims_lost"]
    extra = doc["writes_check"]["persons_unacknowledged"] + doc["writes_check"]["claims_unacknowledged"]
    doc["targets_met"] = doc["all"]["p95_ms"] <= args.p95 and doc["errors"] == 0 and lost == 0 and extra == 0
    if args.json:
        print(json.dumps(doc, indent=2, ensure_ascii=False))
    else:
        a = doc["all"]
        print(f"{doc['requests']} requests in {doc['seconds']} s ({doc['throughput_rps']}/s) by {args.users} users; "
              f"errors {doc['errors']}")
        print(f"timed: {doc['timed']} requests after a {args.warmup:g} s warm-up")
        print(f"latency  all p50 {a['p50_ms']} ms, p95 {a['p95_ms']} ms, p99 {a['p99_ms']} ms  |  reads p95 "
              f"{doc['reads']['p95_ms']} ms  |  writes p95 {doc['writes']['p95_ms']} ms")
        for kind, st in doc["by_kind"].items():
            print(f"  {kind:<14} n={st['n']:<5} p50 {st['p50_ms']:>6} ms  p95 {st['p95_ms']:>6} ms")
        w = doc["writes_check"]
        print(f"writes: persons {w['persons_acknowledged']} acknowledged / {w['persons_stored']} stored, claims "
              f"{w['claims_acknowledged']} acknowledged / {w['claims_stored']} stored; lost {lost}, unacknowledged "
              f"{extra}")
        for kind, err in doc["error_samples"]:
            print(f"  error {kind}: {err}")
        m = doc["machine"]
        print(f"machine: {m['cpus']} CPUs ({m['cpu_model'] or 'model unknown'}), calibration {m['calibration_ms']} ms, "
              f"steal {m['steal_percent']} %, load generator {m['generator_cpu_percent']} % of one CPU")
        print("targets met" if doc["targets_met"] else "TARGETS MISSED")
    return 0 if doc["targets_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
