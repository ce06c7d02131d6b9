"""Benchmark: ledger import speed (rows/second) into a database of N matters.

    .venv/bin/python -m bench.intake_import [--db sqlite|postgres] [--matters N] [--rows 20000]

Two files: a generated ledger of --rows rows with Chinese headers (demo-style texts, a valid ID
for most people, 15% of rows being later contacts of the same 事项编号, statuses, replies and
ratings on some rows), and the shared TipDM complaints file mapped as in the acceptance test
(long texts: about 400 characters a row). Each is checked (dry run) and imported for real, in
one transaction, through `petitions.importer.import_file`; the imported rows are deleted again
afterwards so the bench database stays the same. On PostgreSQL the new search entries wait in the
index's pending list for the background worker (petitions.tasks.merge_search_index, queued by the
import); that merge is timed separately, right after the import, and reported beside it.

Baseline, same run: the same rows written with raw multi-row INSERTs of ready tuples into the
petitions and contacts tables (no checks, no people, no events, no search index).
Target: ≥ 2,000 rows/s. Writes bench/results/intake_import_<db>.json.
"""

from __future__ import annotations

import csv
import datetime
import random
import time
from pathlib import Path

from bench import intake_common as common

HEADERS = ["来源编号", "事项编号", "来信来访时间", "来源", "登记单位", "问题属地", "标题", "主要内容", "内容分类", "性质",
           "人数", "信访人", "身份证号", "联系电话", "住址", "状态", "答复时间", "满意度"]
DATASET = common.ROOT.parent / "shared" / "datasets" / "complaints_train_raw.csv"
TIPDM_MAP = (["source_id=id", "content=body", "received_at=time", "category=label"],
             ["channel=online", "receiving_unit=349900-XFJ"])


def main() -> None:
    args = common.arguments(__doc__, lambda p: p.add_argument("--rows", type=int, default=20_000))
    db = common.configure(args.db)
    seed_record = common.ensure_data(db, args.matters, args.seed, history=not args.no_history)
    from petitions.importer import ColumnMap, import_file
    from petitions.search import merge_pending

    run = time.strftime("%H%M%S")
    path = _ledger(args.rows, args.seed, run)
    results = {}
    for label, file, column_map in (("generated ledger", path, None),
                                    ("TipDM complaints (long texts)", DATASET, ColumnMap.parse(*TIPDM_MAP))):
        if not Path(file).exists():
            continue
        _forget(file, column_map)
        started = time.perf_counter()
        checked = import_file(file, dry_run=True, column_map=column_map)
        dry = time.perf_counter() - started
        if checked.errors:
            raise SystemExit(f"{label}: {checked.errors[:5]}")
        started, cpu_started = time.perf_counter(), time.process_time()
        done = import_file(file, dry_run=False, column_map=column_map)
        real = time.perf_counter() - started
        cpu = time.process_time() - cpu_started  # this process only (the database server's share not included)
        # What the background worker does next (PostgreSQL): merge the new search entries into the index.
        started = time.perf_counter()
        merged_pages = merge_pending()
        merge = time.perf_counter() - started
        baseline = _raw_baseline(file, column_map)
        results[label] = {
            "rows": done.rows, "matters": done.created_matters, "contacts": done.created_contacts,
            "dry_run_seconds": round(dry, 2), "dry_run_rows_per_second": round(done.rows / dry),
            "import_seconds": round(real, 2), "import_rows_per_second": round(done.rows / real),
            "import_process_cpu_seconds": round(cpu, 2),
            "background_search_merge_seconds": round(merge, 2), "background_search_merge_pages": merged_pages,
            "baseline_raw_insert_seconds": round(baseline, 2),
            "baseline_rows_per_second": round(done.rows / baseline),
            "ratio_to_baseline": round(real / baseline, 1),
        }
        _forget(file, column_map)
    result = {"benchmark": "intake_import", "environment": common.environment(db), "seed": seed_record,
              "target": ">= 2,000 rows/s", "files": results}
    rows = [("file", "rows", "check rows/s", "import rows/s", "raw INSERT rows/s", "ratio")]
    for label, r in results.items():
        rows.append((label, f"{r['rows']:,}", f"{r['dry_run_rows_per_second']:,}", f"{r['import_rows_per_second']:,}",
                     f"{r['baseline_rows_per_second']:,}", str(r["ratio_to_baseline"])))
    print(common.table(rows))
    print(f"written {common.write('intake_import', db, result)}")


def _ledger(rows: int, seed: int, run: str) -> Path:
    """A ledger in the shape offices keep: Chinese headers, one row per contact."""
    from django.utils import timezone

    from demo.generator import DemoGenerator
    from orgs.models import Unit
    from petitions.choices import Channel, Kind
    from petitions.models import Category

    rng = random.Random(seed)
    now = timezone.now()
    generator = DemoGenerator(seed=seed + 99)
    units = {u.pk: u for u in Unit.objects.all()}
    categories = dict(Category.objects.values_list("pk", "full_name"))
    path = common.BENCH_DIR / f"ledger-{rows}.csv"
    labels = dict(Channel.choices)
    kinds = dict(Kind.choices)
    written = 0
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADERS)
        matter_no = 0
        while written < rows:
            matter = generator.one()
            matter_no += 1
            ref = f"{run}-M{matter_no}"
            for index, contact in enumerate(matter.contacts[: 1 + (rng.random() < 0.15)]):
                person = contact.people[0] if contact.people else None
                replied_at = contact.received_at + datetime.timedelta(days=rng.randint(5, 60))
                replied = rng.random() < 0.3 and replied_at < now
                writer.writerow([
                    f"{run}-R{written}", ref, contact.received_at.strftime("%Y-%m-%d %H:%M"), labels[contact.channel],
                    contact.receiving_unit.code, units[matter.locality_id].division_code, matter.title,
                    contact.content if index else matter.content, categories.get(matter.category_id, ""),
                    kinds[matter.kind], max(contact.headcount, 1), person.name if person else "",
                    person.id_number if person else "", person.phone if person else "",
                    person.address if person else "", "已办结" if replied else "",
                    replied_at.strftime("%Y-%m-%d %H:%M") if replied else "",
                    rng.choice(["满意", "基本满意", "不满意"]) if replied else "",
                ])
                written += 1
                if written >= rows:
                    break
    return path


def _source_ids(file: Path, column_map) -> list[str]:  # noqa: ANN001
    header = "id" if column_map else "来源编号"
    with open(file, encoding="utf-8") as fh:
        return [row[header] for row in csv.DictReader(fh)]


def _forget(file: Path, column_map) -> None:  # noqa: ANN001
    """Delete matters imported from this file before, so each run measures a first import."""
    from petitions.models import Contact

    ids = _source_ids(file, column_map)
    petitions: set[int] = set()
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        petitions.update(Contact.objects.filter(source_id__in=chunk).order_by().values_list("petition_id", flat=True))
    common.delete_matters(petitions)


def _raw_baseline(file: Path, column_map) -> float:  # noqa: ANN001
    """The rows as plain INSERTs: matter and contact, nothing else; rolled back afterwards."""
    import datetime

    from django.db import connection, transaction
    from django.utils import timezone

    from orgs.models import Unit

    unit_id = Unit.objects.get(code="349900-XFJ").pk
    now = timezone.now()
    ts = str(now.astimezone(datetime.UTC).replace(tzinfo=None)) if connection.vendor == "sqlite" else now
    with open(file, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    title_key, content_key = ("title", "body") if column_map else ("标题", "主要内容")
    started = time.perf_counter()
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            values = [(f"RAWIMP-{i}", f"R{i:09d}", r[title_key][:200], r[content_key], "online", unit_id, ts, ts)
                      for i, r in enumerate(rows)]
            cursor.executemany(
                "INSERT INTO petitions_petition (number, query_code, title, content, demands, kind, channel, status, "
                "version, receiving_unit_id, received_at, registered_at, is_collective, headcount, joint_letter, "
                "anonymous, raised_before, raised_before_where, contact_count) VALUES (%s, %s, %s, %s, '', 'claim', "
                "%s, 'registered', 1, %s, %s, %s, false, 1, false, false, false, '', 1)", values)
            cursor.execute("SELECT id FROM petitions_petition WHERE number LIKE 'RAWIMP-%%'")
            ids = [r[0] for r in cursor.fetchall()]
            cursor.executemany(
                "INSERT INTO petitions_contact (petition_id, channel, received_at, receiving_unit_id, registered_at, "
                "headcount, is_collective, is_repeat, visit_level, content, source_id) VALUES (%s, 'online', %s, %s, "
                "%s, 1, false, false, '', '', %s)", [(pk, ts, unit_id, ts, f"RAWIMP-{pk}") for pk in ids])
            elapsed = time.perf_counter() - started
            raise _Rollback
    except _Rollback:
        pass
    return elapsed


class _Rollback(Exception):
    pass


if __name__ == "__main__":
    main()
