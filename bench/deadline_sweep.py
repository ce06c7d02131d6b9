"""Benchmark: the deadline sweep over N running clocks (default 1,000,000 open matters).

    .venv/bin/python -m bench.deadline_sweep [--rows N] [--rebuild]

Database: a temporary SQLite file, or — when DATABASE_URL is a postgres:// URL — a separate
database `bench_deadlines` on that server. The data is built once (matters and clocks by
INSERT ... SELECT) and reused by later runs with the same --rows.

Scenario: a steady day. Clocks are due from 120 days ago to 90 days ahead (about N/211 per day, stored
in start order),
and the database is in the state yesterday's sweeps left it in. Today's sweep then has one day's
worth of work per step: reminders for clocks due in 3 days, overdue flags and level-1 supervision
orders for clocks due yesterday, level-2 escalation for clocks due 6 days ago — each with its
events and notifications. The baseline is the same four UPDATEs in raw SQL (no events, no
notifications), measured in the same run on the same data. A second sweep right after the first
(the every-10-minutes case: nothing to do) is timed too.

Writes bench/results/deadline_sweep.json.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "deadline_sweep.json"
TODAY = datetime.date(2026, 6, 15)
YESTERDAY_TS = "2026-06-14 02:00:00"  # 10:00 Beijing time, stored in UTC
DEPARTMENTS = 20
SPREAD_DAYS, PAST_DAYS = 211, 120
BENCH_PREFIX = "BENCH-"


def configure_database() -> tuple[str, str]:
    """Point Django at the benchmark database before settings load. Returns (vendor, url)."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        parts = urlsplit(url)
        bench_url = urlunsplit(parts._replace(path="/bench_deadlines"))
        admin_url = urlunsplit(parts._replace(path="/postgres"))
        import psycopg

        with psycopg.connect(admin_url.replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = 'bench_deadlines'").fetchone()
            if not exists:
                conn.execute("CREATE DATABASE bench_deadlines")
        os.environ["DATABASE_URL"] = bench_url
        return "postgresql", bench_url
    path = Path(tempfile.gettempdir()) / "xinfang_bench_deadlines.sqlite3"
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    return "sqlite", os.environ["DATABASE_URL"]


def literal(value: Any) -> str:
    """SQL literal for the benchmark's own constants (never user input)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dict | list):
        value = json.dumps(value)
    return "'" + str(value).replace("'", "''") + "'"


def series(n: int, vendor: str) -> tuple[str, str]:
    """(WITH clause, FROM clause) producing column i = 1..n."""
    if vendor == "sqlite":
        return f"WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {n}) ", "FROM s"
    return "", f"FROM generate_series(1, {n}) AS s(i)"


def insert_select(model: Any, n: int, vendor: str, exprs: dict[str, str]) -> None:
    """INSERT n rows of `model` in one statement: `exprs` for the columns we choose, each other
    column its model default (or NULL), so the benchmark follows model changes."""
    from django.db import connection
    from django.db.models import NOT_PROVIDED

    columns, values = [], []
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S")
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        if field.column in exprs:
            expr = exprs[field.column]
        elif field.default is not NOT_PROVIDED:
            expr = literal(field.get_default())
        elif getattr(field, "auto_now_add", False) or getattr(field, "auto_now", False):
            expr = literal(now)
        elif field.null:
            expr = "NULL"
        elif getattr(field, "blank", False) and field.get_internal_type() in ("CharField", "TextField"):
            expr = "''"
        else:
            raise SystemExit(f"bench: no value for required column {model._meta.db_table}.{field.column}")
        columns.append(connection.ops.quote_name(field.column))
        values.append(expr)
    with_clause, from_clause = series(n, vendor)
    sql = (f"{with_clause}INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "
           f"SELECT {', '.join(values)} {from_clause}")
    with connection.cursor() as cursor:
        cursor.execute(sql)


def build(rows: int, vendor: str) -> dict[str, Any]:
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction

    from accounts.models import User
    from deadlines.models import RulePack
    from orgs.choices import Level, UnitKind
    from orgs.models import Unit
    from orgs.services import create_unit
    from petitions.models import Petition

    started = time.perf_counter()
    with transaction.atomic():
        with connection.cursor() as cursor:
            if vendor == "sqlite":
                for table in ("deadlines_supervisionorder", "notifications_notification", "petitions_event",
                              "deadlines_clock", "petitions_petitionaccess", "petitions_petition"):
                    cursor.execute(f"DELETE FROM {table}")
            else:  # the benchmark's own database: empty every table that hangs off the matters at once
                cursor.execute("TRUNCATE petitions_petition CASCADE")
        county = Unit.objects.filter(code="BENCH-K").first()
        if county is None:
            province = create_unit(code="BENCH-P", name="基准省", level=Level.PROVINCE, kind=UnitKind.GOVERNMENT,
                                   division_code="990000")
            city = create_unit(code="BENCH-C", name="基准市", level=Level.CITY, kind=UnitKind.GOVERNMENT,
                               division_code="990100", parent=province)
            county = create_unit(code="BENCH-K", name="基准县", level=Level.COUNTY, kind=UnitKind.GOVERNMENT,
                                 division_code="990101", parent=city)
            create_unit(code="BENCH-K-XFJ", name="基准县信访局", level=Level.COUNTY, kind=UnitKind.BUREAU,
                        division_code="990101", parent=county)
            for d in range(DEPARTMENTS):
                create_unit(code=f"BENCH-D{d:02d}", name=f"基准县第{d + 1}局", level=Level.COUNTY,
                            kind=UnitKind.DEPARTMENT, division_code="990101", parent=county)
        departments = list(Unit.objects.filter(code__startswith="BENCH-D").order_by("id").values_list("id", flat=True))
        first = departments[0]
        if departments != list(range(first, first + DEPARTMENTS)):
            raise SystemExit("bench: department ids are not contiguous; run with --rebuild on an empty database")
        if not User.objects.filter(username__startswith="bench_").exists():
            unusable = make_password(None)
            users = [User(username="bench_leader", unit=county, role="leader", password=unusable)]
            for i, unit_id in enumerate(departments):
                users += [User(username=f"bench_h{i}a", unit_id=unit_id, role="handler", password=unusable),
                          User(username=f"bench_h{i}b", unit_id=unit_id, role="handler", password=unusable),
                          User(username=f"bench_head{i}", unit_id=unit_id, role="unit_head", password=unusable)]
            User.objects.bulk_create(users)
        bureau = Unit.objects.get(code="BENCH-K-XFJ")
        received = literal(f"{TODAY - datetime.timedelta(days=30)} 02:00:00")
        insert_select(Petition, rows, vendor, {
            "number": f"'{BENCH_PREFIX}' || i", "query_code": "'Q' || i", "title": "'基准事项'",
            "content": "'基准事项内容'", "channel": "'letter'", "status": "'in_handling'",
            "receiving_unit_id": str(bureau.pk), "handling_unit_id": f"{first} + (i % {DEPARTMENTS})",
            "received_at": received, "registered_at": received,
        })
        pack = RulePack.objects.get(code="reg2022")
        # Clocks are stored in the order they started, so those due on one day sit together, as in
        # a real table; each day holds rows / SPREAD_DAYS clocks.
        first_id = Petition.objects.filter(number__startswith=BENCH_PREFIX).order_by("id").values_list("id", flat=True)[0]
        offset = f"(((p.id - {first_id}) * {SPREAD_DAYS}) / {rows}) - {PAST_DAYS}"
        if vendor == "sqlite":
            due = f"date('{TODAY}', ({offset}) || ' days')"
            started_on = f"date({due}, '-60 days')"
            flag_if = lambda cond: f"CASE WHEN {cond} THEN '{YESTERDAY_TS}' ELSE NULL END"  # noqa: E731
        else:
            due = f"(DATE '{TODAY}' + ({offset})::integer)"
            started_on = f"({due} - 60)"
            flag_if = lambda cond: f"CASE WHEN {cond} THEN TIMESTAMPTZ '{YESTERDAY_TS}+00' ELSE NULL END"  # noqa: E731
        # The state yesterday's sweep left: reminded up to today + 2, flagged and level 1 up to
        # today - 2 (due before yesterday), level 2 up to today - 7.
        with connection.cursor() as cursor:
            cursor.execute(f"""
                INSERT INTO deadlines_clock (petition_id, kind, unit_id, pack_id, days, day_unit, started_on, due_on,
                    state, paused_days, extended_days, supervision_level, created_at, reminded_at, overdue_at)
                SELECT p.id, 'handling', p.handling_unit_id, {pack.pk}, 60, 'calendar', {started_on}, {due},
                    'running', 0, 0,
                    CASE WHEN {offset} <= -7 THEN 2 WHEN {offset} <= -2 THEN 1 ELSE 0 END,
                    {literal(YESTERDAY_TS)}, {flag_if(f"{offset} <= 2")}, {flag_if(f"{offset} <= -2")}
                FROM petitions_petition p WHERE p.number LIKE '{BENCH_PREFIX}%'
            """)
            cursor.execute("ANALYZE")
    return {"build_seconds": round(time.perf_counter() - started, 1)}


def reset(vendor: str, watermark: dict[str, int]) -> None:
    """Put the clocks the sweep touches back into yesterday's state and drop what it wrote."""
    from django.db import connection, transaction

    low, high = TODAY - datetime.timedelta(days=8), TODAY + datetime.timedelta(days=4)
    ts = f"'{YESTERDAY_TS}'" if vendor == "sqlite" else f"TIMESTAMPTZ '{YESTERDAY_TS}+00'"
    days = "(julianday(due_on) - julianday(%s))" if vendor == "sqlite" else "(due_on - %s::date)"  # whole days
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"""
            UPDATE deadlines_clock SET
              reminded_at = CASE WHEN {days} <= 2 THEN {ts} ELSE NULL END,
              overdue_at = CASE WHEN {days} <= -2 THEN {ts} ELSE NULL END,
              supervision_level = CASE WHEN {days} <= -7 THEN 2 WHEN {days} <= -2 THEN 1 ELSE 0 END
            WHERE state = 'running' AND due_on BETWEEN %s AND %s
        """, [TODAY, TODAY, TODAY, TODAY, low, high])
        # Orders a run left behind (e.g. one stopped half-way) would clash with the sweep's own.
        cursor.execute("DELETE FROM deadlines_supervisionorder WHERE clock_id IN "
                       "(SELECT id FROM deadlines_clock WHERE due_on BETWEEN %s AND %s)", [low, high])
        for table, last in watermark.items():
            if table != "audit_auditentry":  # append-only (a trigger on PostgreSQL): one summary row per run stays
                cursor.execute(f"DELETE FROM {table} WHERE id > %s", [last])


def analyze(vendor: str) -> None:
    """Fresh statistics (and, on PostgreSQL, no dead row versions from the last reset), as autovacuum
    would leave a production table."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if vendor == "sqlite" else "VACUUM ANALYZE deadlines_clock")


def watermarks() -> dict[str, int]:
    from django.db import connection

    marks = {}
    with connection.cursor() as cursor:
        for table in ("petitions_event", "notifications_notification", "deadlines_supervisionorder",
                      "audit_auditentry"):
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
            marks[table] = cursor.fetchone()[0]
    return marks


def rows_since(marks: dict[str, int]) -> dict[str, int]:
    from django.db import connection

    counts = {}
    with connection.cursor() as cursor:
        for table, last in marks.items():
            cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE id > %s", [last])
            counts[table] = cursor.fetchone()[0]
    return counts


def raw_baseline() -> tuple[float, dict[str, int]]:
    """The same four UPDATEs as the sweep, set-based in raw SQL, nothing else."""
    from django.db import connection, transaction
    from django.utils import timezone

    now = timezone.now()
    d = datetime.timedelta
    started = time.perf_counter()
    counts = {}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE deadlines_clock SET reminded_at = %s WHERE state = 'running' AND reminded_at IS NULL "
                       "AND due_on >= %s AND due_on <= %s", [now, TODAY, TODAY + d(days=3)])
        counts["reminded"] = cursor.rowcount
        cursor.execute("UPDATE deadlines_clock SET overdue_at = %s WHERE state = 'running' AND overdue_at IS NULL "
                       "AND due_on < %s", [now, TODAY])
        counts["overdue"] = cursor.rowcount
        cursor.execute("UPDATE deadlines_clock SET supervision_level = 1 WHERE state = 'running' "
                       "AND overdue_at IS NOT NULL AND supervision_level = 0 AND due_on < %s", [TODAY])
        counts["supervised"] = cursor.rowcount
        cursor.execute("UPDATE deadlines_clock SET supervision_level = 2 WHERE state = 'running' "
                       "AND overdue_at IS NOT NULL AND supervision_level = 1 AND due_on < %s", [TODAY - d(days=5)])
        counts["escalated"] = cursor.rowcount
    return time.perf_counter() - started, counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="running clocks (open matters)")
    parser.add_argument("--rebuild", action="store_true", help="build the data again even if present")
    args = parser.parse_args(argv)

    vendor, url = configure_database()
    os.environ.setdefault("XINFANG_LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from deadlines.models import Clock
    from deadlines.services import sweep

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    info: dict[str, Any] = {"build_seconds": None}
    if args.rebuild or Clock.objects.filter(state="running").count() != args.rows:
        print(f"building {args.rows:,} matters and running clocks on {vendor} ...", flush=True)
        info = build(args.rows, vendor)
    marks = watermarks()
    from django.urls import reverse

    reverse("petitions:detail", args=[1])  # load the URLconf outside the timing, as a warm worker has

    reset(vendor, marks)
    analyze(vendor)
    baseline_s, baseline_counts = raw_baseline()
    reset(vendor, marks)
    analyze(vendor)
    started = time.perf_counter()
    result = sweep(today=TODAY)
    sweep_s = time.perf_counter() - started
    started = time.perf_counter()
    again = sweep(today=TODAY)
    noop_s = time.perf_counter() - started
    noop_baseline_s, _ = raw_baseline()
    counts = {"reminded": result.reminded, "overdue": result.overdue, "supervised": result.supervised,
              "escalated": result.escalated}
    written = rows_since(marks)
    reset(vendor, marks)

    if counts != baseline_counts:
        print(f"MISMATCH: sweep {counts} vs raw SQL {baseline_counts}", file=sys.stderr)
        return 1
    if any((again.reminded, again.overdue, again.supervised, again.escalated)):
        print(f"NOT IDEMPOTENT: second sweep changed {again}", file=sys.stderr)
        return 1
    report = {
        "benchmark": "deadline_sweep", "database": vendor,
        "db_version": str(getattr(connection, "pg_version", "")) if vendor == "postgresql" else sqlite3.sqlite_version,
        "rows": args.rows, "today": TODAY.isoformat(), "changed": counts, "changed_total": sum(counts.values()),
        "notifications": result.notifications, "rows_written": written,
        "sweep_seconds": round(sweep_s, 3), "raw_sql_updates_seconds": round(baseline_s, 3),
        "ratio": round(sweep_s / baseline_s, 2) if baseline_s else None,
        "noop_sweep_seconds": round(noop_s, 3), "noop_raw_sql_seconds": round(noop_baseline_s, 3),
        "target_seconds": 10, **info, "load_average_1m": round(os.getloadavg()[0], 2), "python": platform.python_version(), "cpus": os.cpu_count(),
        "measured_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }
    print(f"\ndeadline sweep — {args.rows:,} running clocks on {vendor} ({report['db_version']})")
    print(f"{'step':<34}{'seconds':>10}")
    print(f"{'sweep (ORM + events + notices)':<34}{sweep_s:>10.3f}")
    print(f"{'raw SQL: the same 4 UPDATEs':<34}{baseline_s:>10.3f}")
    print(f"{'ratio sweep / raw SQL':<34}{report['ratio']:>10}")
    print(f"{'second sweep (nothing to do)':<34}{noop_s:>10.3f}")
    print(f"{'raw SQL, nothing to do':<34}{noop_baseline_s:>10.3f}")
    print(f"changed: {counts}; notifications {result.notifications}; rows written {written}")
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs (other work on the machine slows every figure)")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    existing = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    if not isinstance(existing, dict) or "runs" not in existing:
        existing = {"runs": {}}
    existing["runs"][f"{vendor}-{args.rows}"] = report
    RESULTS.write_text(json.dumps(existing, ensure_ascii=False, indent=2) + "\n")
    print(f"written {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
