"""Benchmark: the matter page (`GET /petitions/<pk>/`) at N matters, p95 and query count.

    .venv/bin/python -m bench.matter_page [--db sqlite|postgres] [--matters N] [--pages 300] [--database-url URL]

Uses the intake benchmarks' database (bench/intake_common.py: built once by `seed_demo` with the
lifecycle history, 1,000,000 matters by default). Pages are drawn from every status, so matters
with long timelines, documents, clocks, reviews and leaders' instructions are all in the sample.
They are rendered through the whole stack (session auth, middleware, scoping, the lifecycle panel
with the actions this user may take, documents, timeline, insight slot) for two users: the city
信访局 officer (widest scope, so the most expensive scoping check) and the county officer.

Baseline, same run: every SQL statement the page ran, replayed on a bare cursor — the database's
share. Target: p95 < 100 ms; the query count per page is reported (the test suite pins it for a
fixed matter in handling/tests/test_matter_page.py). Writes bench/results/matter_page_<db>.json.
"""

from __future__ import annotations

import os
import random
import statistics
import time

from bench import intake_common as common


def main() -> None:
    def extra(parser):  # noqa: ANN001, ANN202
        parser.add_argument("--pages", type=int, default=300)
        parser.add_argument("--database-url", default="",
                            help="an existing database with the demo history to read instead of the intake bench "
                                 "database (e.g. the one bench.stats_report built)")

    args = common.arguments(__doc__, extra)
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.settings")
        os.environ.setdefault("XINFANG_VAR_DIR", str(common.BENCH_DIR / "var"))  # where its keys are
        import django

        django.setup()
        db = "postgres" if args.database_url.startswith("postgres") else "sqlite"
        from petitions.models import Petition

        seed_record = {"database": args.database_url, "matters": Petition.objects.count()}
    else:
        db = common.configure(args.db)
        seed_record = common.ensure_data(db, args.matters, args.seed, history=not args.no_history)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from petitions.choices import Status
    from petitions.models import Petition

    call_command("collectstatic", interactive=False, verbosity=0)  # pages link hashed static files, as served
    rng = random.Random(args.seed)
    users = {name: User.objects.get(username=name) for name in ("city_officer", "officer")}
    clients = {}
    for name, user in users.items():
        client = Client()
        client.force_login(user)
        clients[name] = client
    # An even sample over statuses, then over ids within each status (an index range scan per status).
    per_status = max(1, args.pages // len(Status))
    sample: list[tuple[str, int]] = []
    top = Petition.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    for status in Status.values:
        ids = list(Petition.objects.filter(status=status, pk__gte=rng.randint(0, max(top - 50_000, 0)))
                   .order_by("pk").values_list("pk", flat=True)[: per_status * 5])
        for pk in rng.sample(ids, min(per_status, len(ids))):
            name = "officer" if Petition.objects.visible_to(users["officer"]).filter(pk=pk).exists() and rng.random() < 0.5 \
                else "city_officer"
            sample.append((name, pk))
    rng.shuffle(sample)

    for name, pk in sample[:10]:  # warm-up
        clients[name].get(f"/petitions/{pk}/")
    times: list[float] = []
    raw_times: list[float] = []
    queries: list[int] = []
    by_status: dict[str, list[float]] = {}
    for name, pk in sample:
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = clients[name].get(f"/petitions/{pk}/")
            elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise SystemExit(f"/petitions/{pk}/ answered {response.status_code} for {name}")
        times.append(elapsed)
        queries.append(len(captured.captured_queries))
        status = Petition.objects.filter(pk=pk).values_list("status", flat=True).get()
        by_status.setdefault(status, []).append(elapsed)
        raw_times.append(_replay([q["sql"] for q in captured.captured_queries]))

    page = common.percentiles(times)
    raw = common.percentiles(raw_times)
    result = {
        "benchmark": "matter_page", "environment": common.environment(db), "seed": seed_record,
        "target": "p95 < 100 ms", "pages": len(sample), "matter_page": page,
        "queries_per_page": {"min": min(queries), "median": int(statistics.median(queries)), "max": max(queries)},
        "by_status": {k: common.percentiles(v) for k, v in sorted(by_status.items())},
        "baseline_same_sql_raw_cursor": raw,
        "ratio_p95_to_raw_sql": round(page["p95_ms"] / raw["p95_ms"], 1) if raw["p95_ms"] else None,
    }
    rows = [("what", "n", "p50 ms", "p95 ms", "p99 ms")]
    rows.append(("GET /petitions/<pk>/", str(page["n"]), str(page["p50_ms"]), str(page["p95_ms"]), str(page["p99_ms"])))
    for status, stats in result["by_status"].items():
        rows.append((f"  {status}", str(stats["n"]), str(stats["p50_ms"]), str(stats["p95_ms"]), str(stats["p99_ms"])))
    rows.append(("same SQL, raw cursor (baseline)", str(raw["n"]), str(raw["p50_ms"]), str(raw["p95_ms"]),
                 str(raw["p99_ms"])))
    print(common.table(rows))
    print(f"queries per page: {result['queries_per_page']}; ratio p95 page / raw SQL: {result['ratio_p95_to_raw_sql']}")
    print(f"written {common.write('matter_page', db, result)}")


def _replay(statements: list[str]) -> float:
    """Run the page's SQL again on a bare cursor (reads only; the session write is skipped)."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        for sql in statements:
            if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            cursor.execute(sql)
            cursor.fetchall()
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
