"""Shared set-up of the intake benchmarks: a separate database holding N demo matters.

Database: `--db sqlite` (default) is a SQLite file in $XINFANG_BENCH_DIR (default
/tmp/bench_intake); `--db postgres` is the database `bench_intake` ($XINFANG_BENCH_PG_DB) on the
server of DATABASE_URL (default postgres://postgres@127.0.0.1:5432/). The data is generated once by the demo generator
(`seed_demo`'s bulk path) and reused by later runs; the time that took is kept in a marker and
reported as the "demo data at scale" figure.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
BENCH_DIR = Path(os.environ.get("XINFANG_BENCH_DIR", "/tmp/bench_intake"))  # noqa: S108 - a scratch database


def arguments(description: str, extra: Any = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--matters", type=int, default=1_000_000, help="demo matters in the bench database")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--no-history", action="store_true",
                        help="build the bench database without the lifecycle history (seed_demo --no-history)")
    if extra:
        extra(parser)
    return parser.parse_args()


def configure(db: str) -> str:
    """Point Django at the bench database before settings load. Returns a label for the results."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    os.environ["XINFANG_VAR_DIR"] = str(BENCH_DIR / "var")
    os.environ["XINFANG_INSIGHT_DIR"] = str(insight_dir(db))  # indexes built from this database only
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.settings")
    os.environ["XINFANG_LOG_LEVEL"] = "WARNING"
    if db == "postgres":
        base = os.environ.get("DATABASE_URL", "")
        if not base.startswith(("postgres://", "postgresql://")):
            base = "postgres://postgres@127.0.0.1:5432/postgres"
        parts = urlsplit(base)
        name = os.environ.get("XINFANG_BENCH_PG_DB", "bench_intake")
        _ensure_pg_database(urlunsplit(parts._replace(path="/postgres")), name)
        os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{BENCH_DIR / 'bench.sqlite3'}"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    return db


def delete_matters(petition_ids: Any, **only: Any) -> None:
    """Delete these matters (those of them matching `only`, e.g. registered_at__gte=…) in chunks, with
    everything hanging off them: what a bench adds, it takes away again."""
    from petitions.models import Petition

    pks = sorted(set(petition_ids))
    for start in range(0, len(pks), 500):
        Petition.objects.filter(pk__in=pks[start : start + 500], **only).delete()


def insight_dir(db: str) -> Path:
    return BENCH_DIR / "var" / f"insight-{db}"


def _ensure_pg_database(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def _marker(db: str) -> Path:
    return BENCH_DIR / f"seeded-{db}.json"


def ensure_data(db: str, matters: int, seed: int, *, history: bool = True) -> dict[str, Any]:
    """Migrate and fill the bench database up to `matters` demo matters (once). Returns the seed record."""
    from django.core.management import call_command

    from petitions.models import Contact, Petition, Petitioner

    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)
    marker = _marker(db)
    record = json.loads(marker.read_text()) if marker.exists() else {}
    have = Petition.objects.count()
    if have >= matters:
        return record
    print(f"生成演示数据：{have} → {matters} 件（只需一次）……", flush=True)
    # Exactly what `manage.py seed_demo --petitions N --seed S` does, lifecycle history included: an
    # empty database is loaded with its plain indexes built at the end, then analysed.
    load_before = list(os.getloadavg())
    started = time.perf_counter()
    cpu_started = _cpu()
    call_command("seed_demo", petitions=matters - have, seed=seed if have == 0 else seed + have,
                 no_history=not history, stdout=sys.stdout)
    elapsed = time.perf_counter() - started
    cpu = _cpu() - cpu_started
    record = {"matters": matters, "generated": matters - have, "lifecycle_history": history,
              "contacts": Contact.objects.count(), "petitioners": Petitioner.objects.count(),
              "seconds": round(elapsed, 1), "process_cpu_seconds": round(cpu, 1),
              "load_average_before": load_before, "load_average_after": list(os.getloadavg()),
              "matters_per_second": round((matters - have) / elapsed, 1)}
    marker.write_text(json.dumps(record))
    print(f"演示数据完成：{record}", flush=True)
    return record


def _cpu() -> float:
    import resource

    # This process and its finished children (seed_demo's parallel writers on PostgreSQL).
    return sum(u.ru_utime + u.ru_stime for u in (resource.getrusage(resource.RUSAGE_SELF),
                                                 resource.getrusage(resource.RUSAGE_CHILDREN)))


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def pick(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]

    return {"n": len(ordered), "p50_ms": round(pick(0.5) * 1000, 2), "p95_ms": round(pick(0.95) * 1000, 2),
            "p99_ms": round(pick(0.99) * 1000, 2), "mean_ms": round(statistics.fmean(ordered) * 1000, 2),
            "max_ms": round(ordered[-1] * 1000, 2)}


def environment(db: str) -> dict[str, Any]:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("select sqlite_version()")
        else:
            cursor.execute("show server_version")
        version = cursor.fetchone()[0]
    return {"db": db, "db_version": version, "python": platform.python_version(), "machine": platform.machine(),
            "cpus": os.cpu_count(), "load_average": list(os.getloadavg()),
            "at": time.strftime("%Y-%m-%d %H:%M:%S")}


def write(name: str, db: str, payload: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}_{db}.json"
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2))
    return path


def table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for index, r in enumerate(rows):
        lines.append("  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)))
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
