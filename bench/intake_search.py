"""Benchmark: Chinese full-text search with a two-character term plus filters, on N matters.

    .venv/bin/python -m bench.intake_search [--db sqlite|postgres] [--matters N] [--rounds 2]

Each query is `GET /api/petitions/?search=<two characters>&<filters>` through the whole stack
(token auth, scoping, the bigram index, filters, first page of 20, count capped at 10,000), for
three users with different scopes (city 信访局 officer: everything; county officer; town front desk)
and counts capped at 1,000 ("1000+")
and a mix of filters (period, channel, kind, category, locality, unit, status).

Baselines, same run: (1) the exact SQL the API runs (one scan of up to 1,001 matches, then the
page), executed with a bare cursor — the database's share; (2) brute force: the same filters with `LIKE '%term%'` over
title and content instead of the index, on a sample of the queries. Target: p95 < 300 ms.
Writes bench/results/intake_search_<db>.json.
"""

from __future__ import annotations

import datetime
import itertools
import time
from urllib.parse import urlencode

from bench import intake_common as common

TERMS = ["工资", "物业", "噪声", "低保", "征地", "路灯", "补贴", "学校", "污染", "拆迁", "医保", "停水", "公交", "欠款",
         "违建", "扬尘"]


def main() -> None:
    args = common.arguments(__doc__, lambda p: p.add_argument("--rounds", type=int, default=2))
    db = common.configure(args.db)
    seed_record = common.ensure_data(db, args.matters, args.seed, history=not args.no_history)
    from django.test import Client
    from django.utils import timezone

    from accounts.models import User
    from accounts.services import issue_token
    from orgs.models import Unit
    from petitions.models import Category

    today = timezone.localdate()
    county = Unit.objects.get(code="349902")
    town = Unit.objects.get(code="349902001")
    labour = Category.objects.get(full_name="劳动和社会保障")
    filters = [
        {},
        {"received_from": (today - datetime.timedelta(days=90)).isoformat()},
        {"channel": "visit"},
        {"kind": "claim", "category": labour.pk},
        {"locality": county.pk, "received_from": (today - datetime.timedelta(days=365)).isoformat()},
        {"unit": town.pk, "status": "registered"},
        {"channel": "online", "received_from": (today - datetime.timedelta(days=30)).isoformat(),
         "received_to": today.isoformat()},
    ]
    users = {name: User.objects.get(username=name) for name in ("city_officer", "officer", "desk")}
    clients = {name: Client(HTTP_AUTHORIZATION=f"Token {issue_token(u)}") for name, u in users.items()}
    queries = [(name, term, f) for name, term, f in itertools.product(users, TERMS, filters)]

    for name, term, f in queries[:10]:  # warm-up
        clients[name].get("/api/petitions/", {"search": term, **f})
    api_times: list[float] = []
    by_user: dict[str, list[float]] = {name: [] for name in users}
    counts = []
    for _ in range(args.rounds):
        for name, term, f in queries:
            started = time.perf_counter()
            response = clients[name].get("/api/petitions/", {"search": term, **f})
            elapsed = time.perf_counter() - started
            if response.status_code != 200:
                raise SystemExit(f"search answered {response.status_code}: {response.content[:200]!r}")
            api_times.append(elapsed)
            by_user[name].append(elapsed)
            counts.append(response.json()["count"])

    raw_times = [_raw(users[name], term, f) for name, term, f in queries]
    sample = queries[:: max(1, len(queries) // 12)]
    brute_times = [_brute(users[name], term, f) for name, term, f in sample]

    api = common.percentiles(api_times)
    raw = common.percentiles(raw_times)
    brute = common.percentiles(brute_times)
    result = {
        "benchmark": "intake_search", "environment": common.environment(db), "seed": seed_record,
        "target": "p95 < 300 ms", "queries": len(queries), "rounds": args.rounds,
        "search_api": api, "by_user": {k: common.percentiles(v) for k, v in by_user.items()},
        "baseline_same_sql_raw_cursor": raw, "baseline_brute_force_like": brute,
        "ratio_p95_to_raw_sql": round(api["p95_ms"] / raw["p95_ms"], 1) if raw["p95_ms"] else None,
        "ratio_p95_brute_force_to_api": round(brute["p95_ms"] / api["p95_ms"], 1) if api["p95_ms"] else None,
        "result_counts": {"min": min(counts), "median": sorted(counts)[len(counts) // 2], "max": max(counts)},
        "example_urls": ["/api/petitions/?" + urlencode({"search": t, **f}) for _, t, f in queries[:3]],
    }
    rows = [("what", "n", "p50 ms", "p95 ms", "p99 ms")]
    rows.append(("GET /api/petitions/?search=… (all users)", str(api["n"]), str(api["p50_ms"]), str(api["p95_ms"]),
                 str(api["p99_ms"])))
    for name, stats in result["by_user"].items():
        rows.append((f"  as {name}", str(stats["n"]), str(stats["p50_ms"]), str(stats["p95_ms"]), str(stats["p99_ms"])))
    rows.append(("same SQL, raw cursor (baseline)", str(raw["n"]), str(raw["p50_ms"]), str(raw["p95_ms"]),
                 str(raw["p99_ms"])))
    rows.append(("LIKE '%term%' brute force (baseline)", str(brute["n"]), str(brute["p50_ms"]), str(brute["p95_ms"]),
                 str(brute["p99_ms"])))
    print(common.table(rows))
    print(f"ratio p95 API / raw SQL: {result['ratio_p95_to_raw_sql']}; "
          f"brute force / API: {result['ratio_p95_brute_force_to_api']}")
    print(f"written {common.write('intake_search', db, result)}")


def _raw(user, term: str, f: dict) -> float:  # noqa: ANN001
    """The SQL the API runs for one search (scan of the matches, then the page), on a bare cursor."""
    from django.db import connection

    from petitions.models import Petition
    from petitions.paginators import SearchPaginator, serial_plans
    from petitions.selectors import filter_petitions

    params = {"search": term, **{k: str(v) for k, v in f.items()}}
    base = Petition.objects.visible_to(user).select_related("receiving_unit", "handling_unit", "category")
    page_qs, _ = filter_petitions(base, params, ordered_page=True, user=user)
    matches, _ = filter_petitions(Petition.objects.visible_to(user), params, user=user)
    scan_sql, scan_params = matches.order_by().values_list("pk", "received_at")[
        : SearchPaginator.COUNT_CAP + 1].query.sql_with_params()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(scan_sql, scan_params)
        rows = cursor.fetchall()
        if len(rows) > SearchPaginator.COUNT_CAP:  # the page's ids by the ordered-page plan, as the paginator reads them
            ids_sql, ids_params = page_qs.values_list("pk", flat=True)[:20].query.sql_with_params()
            with serial_plans():
                cursor.execute(ids_sql, ids_params)
                ids = [row[0] for row in cursor.fetchall()] or [0]
        else:
            ids = [pk for pk, _ in sorted(rows, key=lambda r: (r[1], r[0]), reverse=True)[:20]] or [0]
        sql, sql_params = base.filter(pk__in=ids).query.sql_with_params()
        cursor.execute(sql, sql_params)
        cursor.fetchall()
    return time.perf_counter() - started


def _brute(user, term: str, f: dict) -> float:  # noqa: ANN001
    from django.db.models import Q

    from petitions.models import Petition
    from petitions.paginators import SearchPaginator
    from petitions.selectors import filter_petitions

    qs = Petition.objects.visible_to(user)
    qs, _ = filter_petitions(qs, {k: str(v) for k, v in f.items()})
    qs = qs.filter(Q(title__contains=term) | Q(content__contains=term))
    started = time.perf_counter()
    list(qs.values_list("pk", "number", "title")[:20])
    qs.order_by()[: SearchPaginator.COUNT_CAP + 1].count()
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
