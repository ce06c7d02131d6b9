"""Benchmark: demo data at scale — `seed_demo`'s bulk path writing N matters (default 1,000,000).

    .venv/bin/python -m bench.intake_seed [--db sqlite|postgres] [--matters N] [--fresh] [--no-history]

Target: 1,000,000 matters in under 15 minutes, timed as `manage.py seed_demo --petitions N --seed S`
runs it (lifecycle history included; `--no-history` times intake's part alone and says so in the
JSON). The process CPU time and the load average before and after are recorded with it: the
machine is shared, and the wall time depends on what else runs. Baseline: the same number of matter rows written by
raw multi-row INSERTs of ready tuples into a scratch table with the petitions table's columns and
indexes (no contacts, people, events or search index), measured on a 50,000-row sample and scaled.
The bench database is kept for intake_register / intake_search / intake_import.
Writes bench/results/intake_seed_<db>.json.
"""

from __future__ import annotations

import shutil
import time

from bench import intake_common as common


def main() -> None:
    args = common.arguments(__doc__, lambda p: p.add_argument("--fresh", action="store_true",
                                                              help="drop the bench data first"))
    db = common.configure(args.db)
    from django.db import connection

    if args.fresh:
        _drop(db)
    record = common.ensure_data(db, args.matters, args.seed, history=not args.no_history)
    baseline = _raw_baseline(50_000)
    per_row = baseline["seconds"] / baseline["rows"]
    scaled = per_row * record.get("generated", args.matters)
    result = {
        "benchmark": "intake_seed", "environment": common.environment(db), "seed": record,
        "target": "1,000,000 matters < 900 s",
        "baseline_raw_petition_rows": {**baseline, "scaled_seconds": round(scaled, 1)},
        "ratio_to_baseline": round(record.get("seconds", 0) / scaled, 1) if scaled else None,
    }
    rows: list[tuple[str, ...]] = [("what", "rows", "seconds", "rows/s"),
            ("seed_demo" + ("" if record.get("lifecycle_history") else " --no-history") + " (all tables + indexes)", f"{record.get('generated', 0):,}", str(record.get("seconds")),
             f"{record.get('matters_per_second', 0):,.0f}"),
            ("raw INSERT of petition rows only", f"{baseline['rows']:,}", f"{baseline['seconds']:.2f}",
             f"{baseline['rows'] / baseline['seconds']:,.0f}")]
    print(common.table(rows))
    print(f"ratio to baseline: {result['ratio_to_baseline']}; vendor {connection.vendor}; process CPU "
          f"{record.get('process_cpu_seconds')} s; load average {record.get('load_average_before')} → "
          f"{record.get('load_average_after')}")
    print(f"written {common.write('intake_seed', db, result)}")


def _drop(db: str) -> None:
    """Start from an empty database (migrations reload the taxonomy, rule packs and holidays)."""
    from django.db import connection

    marker = common._marker(db)
    if marker.exists():
        marker.unlink()
    shutil.rmtree(common.insight_dir(db), ignore_errors=True)  # built from the data being dropped
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute("CREATE SCHEMA public")
        else:
            tables = [r[0] for r in cursor.execute(
                "SELECT name FROM sqlite_master WHERE type IN ('table') AND name NOT LIKE 'sqlite_%' "
                "AND name NOT LIKE '%_fts_%'").fetchall()]
            cursor.execute("PRAGMA foreign_keys=OFF")
            for table in tables:
                cursor.execute(f'DROP TABLE IF EXISTS "{table}"')


def _raw_baseline(rows: int) -> dict:
    from django.db import connection, transaction

    from petitions.models import Petition

    columns = ["number", "query_code", "title", "content", "demands", "kind", "channel", "status", "version",
               "receiving_unit_id", "received_at", "registered_at", "is_collective", "headcount", "joint_letter",
               "anonymous", "raised_before", "raised_before_where", "contact_count"]
    table = "bench_raw_petition"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
        if connection.vendor == "postgresql":
            cursor.execute(f"CREATE TABLE {table} (LIKE {Petition._meta.db_table} INCLUDING ALL)")
        else:
            cursor.execute(f"SELECT sql FROM sqlite_master WHERE name = '{Petition._meta.db_table}'")
            create = cursor.fetchone()[0].replace(f'"{Petition._meta.db_table}"', table, 1)
            cursor.execute(create)
            cursor.execute(f"SELECT sql FROM sqlite_master WHERE tbl_name = '{Petition._meta.db_table}' "
                           "AND type = 'index' AND sql IS NOT NULL")
            for (sql,) in cursor.fetchall():
                cursor.execute(sql.replace(f'"{Petition._meta.db_table}"', table).replace('INDEX "', 'INDEX "bench_'))
    now = "2026-01-01 00:00:00" if connection.vendor == "sqlite" else "2026-01-01T00:00:00+00:00"
    data = [(f"B-{i}", f"Q{i:09d}", "幸福小区路灯不亮", "幸福小区路灯坏了两个月，晚上出行不便，请求维修。" * 2, "", "claim",
             "online", "registered", 1, 1, now, now, False, 1, False, False, False, "", 1) for i in range(rows)]
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, rows, 5000):
            cursor.executemany(sql, data[start : start + 5000])
    elapsed = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {table}")
    return {"rows": rows, "seconds": round(elapsed, 3)}


if __name__ == "__main__":
    main()
