"""Benchmark: registration through the API, repeat check included, on a database of N matters.

    .venv/bin/python -m bench.intake_register [--db sqlite|postgres] [--matters N] [--requests 300]

Each request is `POST /api/petitions/` with a token and an Idempotency-Key, through the whole
Django stack (middleware, DRF, validation, the repeat check — same person by blind index, similar
matters by text — numbering, the rows, the search index, the triage clock, audit). A third of the
requests come from people already in the database (so the same-person look-up finds matters),
the rest from new people; localities follow the demo distribution. The repeat check alone
(`POST /api/petitions/check/`) is timed too.

Baseline, same run, same bodies: the same look-ups and inserts as hand-written SQL in one
transaction (person by blind index, recent matters of the locality, petition, contact, person
link, access, event, search document) — what the registration costs without Django and the
Python-side checks. Target: p95 < 150 ms. Writes bench/results/intake_register_<db>.json.

The repeat check also asks insight's near-duplicate index, which an office's scheduler builds daily:
it is built once per bench database (its build time is recorded) and loaded before the timed
requests; `--no-neardup` measures without it.
"""

from __future__ import annotations

import datetime
import json
import random
import time
import uuid

from bench import intake_common as common


def main() -> None:
    def extra(parser):  # noqa: ANN001, ANN202
        parser.add_argument("--requests", type=int, default=300)
        parser.add_argument("--no-neardup", action="store_true",
                            help="without the near-duplicate index (which the scheduler builds daily)")

    args = common.arguments(__doc__, extra)
    db = common.configure(args.db)
    seed_record = common.ensure_data(db, args.matters, args.seed, history=not args.no_history)
    neardup = None if args.no_neardup else _ensure_neardup()
    from django.test import Client
    from django.utils import timezone

    from accounts.models import User
    from accounts.services import issue_token

    officer = User.objects.get(username="officer")
    token = issue_token(officer)
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    bodies = _bodies(args.requests + 20, args.seed)

    for body in bodies[:20]:  # warm-up: imports, caches, prepared statements
        _post(client, "/api/petitions/check/", body)
    check_times = [_timed(client, "/api/petitions/check/", body, 200) for body in bodies[20:]]
    created: list[int] = []
    since = timezone.now()
    register_times = [_timed(client, "/api/petitions/", body, 201, key=str(uuid.uuid4()), created=created)
                      for body in bodies[20:]]
    baseline_times = [_raw_registration(body, officer) for body in bodies[20:]]
    _cleanup_raw()
    _forget(created, since)

    api = common.percentiles(register_times)
    check = common.percentiles(check_times)
    raw = common.percentiles(baseline_times)
    result = {
        "benchmark": "intake_register", "environment": common.environment(db), "seed": seed_record,
        "target": "p95 < 150 ms", "requests": args.requests,
        "neardup_index": neardup or "not built (--no-neardup)",
        "register_api": api, "repeat_check_api": check, "baseline_raw_sql": raw,
        "ratio_p95_to_baseline": round(api["p95_ms"] / raw["p95_ms"], 1) if raw["p95_ms"] else None,
    }
    rows = [("what", "n", "p50 ms", "p95 ms", "p99 ms"),
            ("POST /api/petitions/ (with repeat check)", str(api["n"]), str(api["p50_ms"]), str(api["p95_ms"]),
             str(api["p99_ms"])),
            ("POST /api/petitions/check/ (check only)", str(check["n"]), str(check["p50_ms"]), str(check["p95_ms"]),
             str(check["p99_ms"])),
            ("raw SQL look-ups + inserts (baseline)", str(raw["n"]), str(raw["p50_ms"]), str(raw["p95_ms"]),
             str(raw["p99_ms"]))]
    print(common.table(rows))
    print(f"ratio p95 API / raw SQL: {result['ratio_p95_to_baseline']}")
    print(f"written {common.write('intake_register', db, result)}")


def _ensure_neardup() -> dict:
    """The near-duplicate index the repeat check asks (insight): built once per bench database, as the
    scheduler's daily job builds it in an office, and loaded before the timed requests."""
    from insight import services, store

    built = None
    if store.current_version("neardup") is None:
        print("建立相似事项索引（只需一次）……", flush=True)
        started = time.perf_counter()
        services.rebuild_neardup_index()
        built = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    index = services.neardup_index()
    return {"version": store.current_version("neardup"), "build_seconds": built,
            "load_seconds": round(time.perf_counter() - started, 1), "matters": len(index) if index else 0}


def _bodies(count: int, seed: int) -> list[dict]:
    from demo.generator import DemoGenerator
    from petitions.models import Petitioner

    generator = DemoGenerator(seed=seed * 7 + 1)
    rng = random.Random(seed)
    known = list(Petitioner.objects.exclude(id_index="").order_by("?")[: count // 3 + 1])
    bodies = []
    for i in range(count):
        matter = generator.one()
        contact = matter.contacts[0]
        people = [{"name": p.name, "id_number": p.id_number, "phone": p.phone, "address": p.address,
                   "role": p.role, "unverified_reason": p.unverified_reason} for p in contact.people]
        if i % 3 == 0 and known:
            person = known[rng.randrange(len(known))]
            people = [{"name": person.name, "id_number": person.id_number, "phone": person.phone,
                       "address": person.address}]
        body = {"channel": contact.channel, "title": matter.title, "content": matter.content, "kind": matter.kind,
                "headcount": max(contact.headcount, len(people)), "locality": matter.locality_id,
                "category": matter.category_id, "people": people, "anonymous": matter.anonymous,
                "joint_letter": matter.joint_letter,
                "accused": [{"name": a.name, "position": a.position, "unit": a.unit.pk if a.unit else None}
                            for a in matter.accused]}
        if matter.anonymous:
            body["people"] = []
        bodies.append(body)
    return bodies


def _post(client, url: str, body: dict, key: str | None = None):  # noqa: ANN001, ANN202
    extra = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(url, json.dumps(body, ensure_ascii=False), content_type="application/json", **extra)


def _timed(client, url: str, body: dict, expected: int, key: str | None = None,  # noqa: ANN001
           created: list[int] | None = None) -> float:
    started = time.perf_counter()
    response = _post(client, url, body, key)
    elapsed = time.perf_counter() - started
    if response.status_code != expected:
        raise SystemExit(f"{url} answered {response.status_code}: {response.content[:300]!r}")
    if created is not None:
        created.append(response.json()["id"])
    return elapsed


def _forget(petition_ids: list[int], since: datetime.datetime) -> None:
    """Delete the matters this run registered (a repeat contact's matter is older: only new ones), so the
    bench database is the same for the next run; then what the background worker would do meanwhile:
    merge the search index's pending entries and refresh the statistics (PostgreSQL)."""
    from django.db import connection

    from petitions import search

    common.delete_matters(petition_ids, registered_at__gte=since)
    search.merge_pending()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) petitions_petition, petitions_contact, petitions_searchdocument")


RAW_PREFIX = "RAWBENCH-"


def _raw_registration(body: dict, officer) -> float:  # noqa: ANN001
    """The same look-ups and rows as a registration, as hand-written SQL (the baseline)."""
    import datetime

    from django.db import connection, transaction
    from django.utils import timezone

    from core import pii
    from petitions import search
    from petitions.services import new_query_code

    started = time.perf_counter()
    now = timezone.now()
    vendor = connection.vendor
    ts = str(now.astimezone(datetime.UTC).replace(tzinfo=None)) if vendor == "sqlite" else now
    since = now - datetime.timedelta(days=730)
    since_v = str(since.astimezone(datetime.UTC).replace(tzinfo=None)) if vendor == "sqlite" else since
    unit = officer.unit
    with transaction.atomic(), connection.cursor() as cur:
        person_ids = []
        for person in body["people"]:
            idx = pii.blind_index(person.get("id_number", ""), purpose="id")
            phone = pii.blind_index(person.get("phone", ""), purpose="phone")
            cur.execute("SELECT id FROM petitions_petitioner WHERE id_index = %s OR phone_index = %s LIMIT 1",
                        [idx or "-", phone or "-"])
            row = cur.fetchone()
            if row:
                person_ids.append(row[0])
            else:
                cur.execute("INSERT INTO petitions_petitioner (name, is_organisation, gender, id_number, id_index, "
                            "id_verified, unverified_reason, phone, phone_index, address, created_at) VALUES "
                            "(%s, false, '', %s, %s, false, '', %s, %s, %s, %s) RETURNING id",
                            [person["name"], pii.encrypt(person.get("id_number") or "x"), idx,
                             pii.encrypt(person.get("phone") or "x"), phone, person.get("address", ""), ts])
                person_ids.append(cur.fetchone()[0])
        if person_ids:
            marks = ",".join(["%s"] * len(person_ids))
            cur.execute("SELECT DISTINCT p.id FROM petitions_petition p JOIN petitions_contact c ON c.petition_id = p.id "
                        f"JOIN petitions_contactperson cp ON cp.contact_id = c.id WHERE cp.petitioner_id IN ({marks}) "
                        "AND p.status = 'registered' LIMIT 10", person_ids)
            cur.fetchall()
        cur.execute("SELECT id, title, content FROM petitions_petition WHERE locality_id = %s AND received_at >= %s "
                    "ORDER BY received_at DESC LIMIT 400", [body["locality"], since_v])
        cur.fetchall()
        cur.execute("INSERT INTO petitions_petition (number, query_code, title, content, demands, kind, channel, status, "
                    "version, category_id, locality_id, receiving_unit_id, received_at, registered_at, registered_by_id, "
                    "is_collective, headcount, joint_letter, anonymous, raised_before, raised_before_where, "
                    "contact_count) VALUES (%s, %s, %s, %s, '', %s, %s, 'registered', 1, %s, %s, %s, %s, %s, %s, "
                    "false, %s, false, false, false, '', 1) RETURNING id",
                    [f"{RAW_PREFIX}{uuid.uuid4().hex[:12]}", new_query_code(), body["title"], body["content"],
                     body["kind"], body["channel"], body["category"], body["locality"], unit.pk, ts, ts, officer.pk,
                     body["headcount"]])
        petition_id = cur.fetchone()[0]
        cur.execute("INSERT INTO petitions_contact (petition_id, channel, received_at, receiving_unit_id, "
                    "registered_at, registered_by_id, headcount, is_collective, is_repeat, visit_level, content) "
                    "VALUES (%s, %s, %s, %s, %s, %s, %s, false, false, '', '') RETURNING id",
                    [petition_id, body["channel"], ts, unit.pk, ts, officer.pk, body["headcount"]])
        contact_id = cur.fetchone()[0]
        for pid in person_ids:
            cur.execute("INSERT INTO petitions_contactperson (contact_id, petitioner_id, role) VALUES (%s, %s, "
                        "'petitioner')", [contact_id, pid])
        cur.execute("INSERT INTO petitions_petitionaccess (petition_id, unit_id, unit_path, reason, granted_at) "
                    "VALUES (%s, %s, %s, 'received', %s)", [petition_id, unit.pk, unit.path, ts])
        cur.execute("INSERT INTO petitions_event (petition_id, at, actor_id, actor_unit_id, action, from_status, "
                    "to_status, note, data) VALUES (%s, %s, %s, %s, 'register', '', '', '', %s)",
                    [petition_id, ts, officer.pk, unit.pk, json.dumps({"contact": contact_id})])
        search.index_documents([(petition_id, search.document_text(body["title"], body["content"]))])
    return time.perf_counter() - started


def _cleanup_raw() -> None:
    from petitions.models import Petition

    Petition.objects.filter(number__startswith=RAW_PREFIX).delete()


if __name__ == "__main__":
    main()
