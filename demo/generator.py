"""Generate a realistic history of matters for the demo jurisdiction (our own texts, no real data).

The history has the shape of a county office's ledger: channels and kinds in their usual shares,
seasonality (a peak after the Spring Festival and before year end, quiet weekends), villages
that complain more than others, people who come back (repeat contacts, some going up a level),
collective visits with representatives, joint and anonymous letters, and accusations.

Everything is written through the bulk registration path (petitions.bulk), the same rows the
registration service writes, so a million matters take minutes. Matters stay "registered":
replies, ratings and the rest of the lifecycle are added by the hooks in demo/history.py.
"""

from __future__ import annotations

import bisect
import datetime
import itertools
import multiprocessing
import os
import queue
import random
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection, connections, transaction
from django.utils import timezone

from accounts.models import User
from demo import history as history_hooks
from demo.texts import POSITIONS, SUGGESTION_TEMPLATES, TEMPLATES, fill, person_name, with_frame
from orgs.choices import Level, UnitKind
from orgs.models import Unit
from petitions import idcard
from petitions.bulk import DEFERRABLE_TABLES, BulkContact, BulkMatter, BulkWriter
from petitions.choices import Channel, Kind, PartyRole
from petitions.models import Category, Petitioner
from petitions.services import AccusedInput, PersonInput

CHANNEL_WEIGHTS = [
    (Channel.ONLINE, 38), (Channel.VISIT, 30), (Channel.LETTER, 12), (Channel.PHONE, 12),
    (Channel.LEADER_MAILBOX, 4), (Channel.EMAIL, 2), (Channel.FAX, 1), (Channel.FORWARDED, 1),
]
# More matters in March (after the Spring Festival) and before year end; fewer in the holiday months.
MONTH_WEIGHT = {1: 0.8, 2: 0.6, 3: 1.3, 4: 1.1, 5: 1.0, 6: 1.1, 7: 1.0, 8: 0.9, 9: 1.0, 10: 0.8, 11: 1.1, 12: 1.3}
WEEKDAY_WEIGHT = [1.0, 1.0, 1.0, 1.0, 0.9, 0.25, 0.2]
BATCH = 5000
# What a demo load into an empty database writes in bulk: intake's tables and the lifecycle's
# (demo/history.py), whose plain indexes are built once at the end (petitions.bulk.deferred_indexes).
LOAD_TABLES = (*DEFERRABLE_TABLES, "deadlines_clock", "handling_dispatch", "handling_reply", "handling_rating",
               "handling_reviewcase")
ANALYZE_FROM = 50000  # a load this large refreshes the planner's statistics while it runs
REPEAT_SHARE = 0.15  # matters with later repeat contacts
NEW_PERSON_SHARE = 0.7  # otherwise a person already known in the county raises another matter


@dataclass
class Stats:
    matters: int = 0
    contacts: int = 0
    petitioners: int = 0


def _id_number(rng: random.Random, region: str, part: int = 0, parts: int = 1) -> str:
    birth = datetime.date(1950, 1, 1) + datetime.timedelta(days=rng.randint(0, 365 * 52))
    sequence = rng.randint(0, 999) if parts == 1 else rng.randrange(part, 1000, parts)
    first17 = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return first17 + idcard.check_char(first17)


def _phone(rng: random.Random) -> str:
    return rng.choice(["138", "139", "150", "186", "177", "133"]) + f"{rng.randint(0, 99999999):08d}"


class DemoGenerator:
    def __init__(self, seed: int = 2026, days_back: int = 540, *, part: int = 0, parts: int = 1) -> None:
        """`part` of `parts`: one of several generators loading in parallel (run_parallel). Each takes every
        `parts`-th village of the same shuffled order, so their people never meet (an ID number's
        sequence digits are kept apart too) and together they have the one generator's distribution."""
        self.rng = random.Random(seed)
        self.part, self.parts = part, parts
        self.days_back = days_back
        self.now = timezone.now()
        self.tz = timezone.get_default_timezone()
        self.offsets: dict[datetime.date, datetime.timedelta] = {}
        units = list(Unit.objects.filter(is_active=True))
        self.by_id: dict[int | None, Unit] = {u.pk: u for u in units}
        self.villages = [u for u in units if u.level == Level.VILLAGE and u.kind == UnitKind.GOVERNMENT]
        if not self.villages:
            raise ValueError("no villages in the org tree: load the demo jurisdiction first")
        # Some villages complain far more than others (roughly Zipf).
        order = list(self.villages)
        self.rng.shuffle(order)
        weights = [1.0 / (i + 1) ** 0.6 for i in range(len(order))]
        self.share = sum(weights[part::parts]) / sum(weights)  # of all matters, this part's villages' share
        self.villages = order[part::parts]
        self.village_cum = list(itertools.accumulate(weights[part::parts]))
        if parts > 1:
            self.rng = random.Random(f"{seed}/{part}/{parts}")
        self.bureaus: dict[int | None, Unit] = {u.parent_id: u for u in units if u.kind == UnitKind.BUREAU}
        self.departments = [u for u in units if u.kind in (UnitKind.DEPARTMENT, UnitKind.LEGAL)]
        self.province_bureau = next(u for u in units if u.kind == UnitKind.BUREAU and u.level == Level.PROVINCE)
        self.city_bureau = next(u for u in units if u.kind == UnitKind.BUREAU and u.level == Level.CITY)
        self.categories = {c.full_name: c.pk for c in Category.objects.all()}
        self.actor = User.objects.filter(username="officer").first() or User.objects.exclude(unit=None).first()
        self.people: dict[int, list[PersonInput]] = {}
        self.channels = [c for c, _ in CHANNEL_WEIGHTS]
        self.channel_cum = list(itertools.accumulate(w for _, w in CHANNEL_WEIGHTS))
        self._days()

    # Time -----------------------------------------------------------------------------------
    def _days(self) -> None:
        today = timezone.localdate(self.now)
        self.day_list = [today - datetime.timedelta(days=d) for d in range(self.days_back)]
        weights = [MONTH_WEIGHT[d.month] * WEEKDAY_WEIGHT[d.weekday()] for d in self.day_list]
        self.day_cum = list(itertools.accumulate(weights))

    def _moment(self, day: datetime.date) -> datetime.datetime:
        rng = self.rng
        seconds = int(rng.random() * 36000)
        offset = self.offsets.get(day)
        if offset is None:
            noon = datetime.datetime(day.year, day.month, day.day, 12)  # noqa: DTZ001 - a local wall-clock time
            offset = self.offsets[day] = self.tz.utcoffset(noon) or datetime.timedelta(0)
        # Office hours in local time, built as UTC directly (make_aware per matter costs more than the row).
        moment = datetime.datetime(day.year, day.month, day.day, 8 + seconds // 3600, seconds // 60 % 60, seconds % 60,
                                   tzinfo=datetime.UTC) - offset
        return min(moment, self.now)

    def _received_at(self, when: float | None = None) -> datetime.datetime:
        """A moment drawn from the seasonal day weights; `when` (0 to 1) picks the quantile instead of a
        random one, which is how `run` writes matters in the order they were received."""
        u = self.rng.random() if when is None else when
        index = bisect.bisect(self.day_cum, u * self.day_cum[-1])
        return self._moment(self.day_list[min(index, len(self.day_list) - 1)])

    # Places and people ------------------------------------------------------------------------
    def _county_of(self, unit: Unit) -> Unit:
        node = unit
        while node.level != Level.COUNTY:
            node = self.by_id[node.parent_id]
        return node

    def _receiver(self, channel: str, locality: Unit, level_up: int = 0) -> Unit:
        county = self._county_of(locality)
        town = self.by_id[locality.parent_id]
        roll = self.rng.random()
        if channel == Channel.VISIT:
            if level_up >= 2:
                return self.province_bureau if roll < 0.3 else self.city_bureau
            if level_up == 1:
                return self.city_bureau if roll < 0.6 else self.bureaus[county.pk]
            if roll < 0.35:
                return town
            if roll < 0.85:
                return self.bureaus[county.pk]
            if roll < 0.97:
                return self.city_bureau
            return self.province_bureau
        if channel == Channel.FORWARDED:
            return self.bureaus[county.pk]
        return self.bureaus[county.pk] if roll < 0.75 else self.city_bureau

    def _person(self, locality: Unit) -> PersonInput:
        rng = self.rng
        county = self._county_of(locality)
        known = self.people.setdefault(county.pk, [])
        if known and rng.random() > NEW_PERSON_SHARE:
            return known[rng.randrange(len(known))]
        has_id = rng.random() < 0.88
        person = PersonInput(
            name=person_name(rng),
            id_number=_id_number(rng, county.division_code, self.part, self.parts) if has_id else "",
            phone=_phone(rng),
            address=f"{county.name}{self.by_id[locality.parent_id].name}{locality.name}{rng.randint(1, 200)}号",
            unverified_reason="" if has_id else rng.choice(["未携带身份证", "拒绝提供", "来信未写明"]),
        )
        known.append(person)
        return person

    # One matter -------------------------------------------------------------------------------
    def one(self, when: float | None = None) -> BulkMatter:
        """One generated matter; `when` (0 to 1) places its receipt on the seasonal timeline (random when None)."""
        rng = self.rng
        channel = self.channels[bisect.bisect(self.channel_cum, rng.random() * self.channel_cum[-1])]
        locality = self.villages[bisect.bisect(self.village_cum, rng.random() * self.village_cum[-1])]
        village_name = f"{self.by_id[locality.parent_id].name}{locality.name}"
        kind_roll = rng.random()
        if kind_roll < 0.08:
            l1 = "纪检监察"
            l2, l3, title_t, body_t = rng.choice(TEMPLATES[l1])
            kind = Kind.ACCUSATION
        elif kind_roll < 0.18:
            l1, l2, l3, title_t, body_t = rng.choice(SUGGESTION_TEMPLATES)
            kind = Kind.SUGGESTION
        else:
            l1 = rng.choice([k for k in TEMPLATES if k != "纪检监察"])
            l2, l3, title_t, body_t = rng.choice(TEMPLATES[l1])
            kind = Kind.CLAIM
        title = fill(title_t, rng, village_name)
        body = with_frame(fill(body_t, rng, village_name), rng, village_name)
        received = self._received_at(when)
        anonymous = False
        joint = False
        headcount = 1
        people: list[PersonInput] = []
        if channel in (Channel.LETTER, Channel.ONLINE) and kind == Kind.ACCUSATION and rng.random() < 0.4:
            anonymous = True
        elif channel == Channel.VISIT and rng.random() < 0.1:
            headcount = rng.randint(5, 60)
            lead = self._person(locality)
            people = [PersonInput(**{**lead.__dict__, "role": PartyRole.REPRESENTATIVE})]
            people += [PersonInput(name=person_name(rng), phone=_phone(rng), role=PartyRole.REPRESENTATIVE,
                                   unverified_reason="集体访代表未登记证件") for _ in range(rng.randint(0, 4))]
            people += [PersonInput(name=person_name(rng), role=PartyRole.MEMBER, unverified_reason="随行人员")
                       for _ in range(rng.randint(0, 2))]
        elif channel == Channel.LETTER and rng.random() < 0.08:
            joint = True
            headcount = rng.randint(2, 12)
            people = [self._person(locality) for _ in range(min(headcount, rng.randint(2, 4)))]
        else:
            people = [self._person(locality)]
        contacts = [BulkContact(received_at=received, channel=channel, people=people, headcount=headcount,
                                receiving_unit=self._receiver(channel, locality))]
        if not anonymous and rng.random() < REPEAT_SHARE:
            moment = received
            for level_up in range(rng.randint(1, 4)):
                moment = moment + datetime.timedelta(days=rng.randint(3, 90), hours=rng.randint(0, 8))
                if moment >= self.now:
                    break
                again = rng.choice([Channel.VISIT, Channel.VISIT, Channel.PHONE, Channel.ONLINE, Channel.LETTER])
                contacts.append(BulkContact(
                    received_at=moment, channel=again, people=people[:1], headcount=1 if headcount < 5 else headcount,
                    receiving_unit=self._receiver(again, locality, level_up=min(level_up, 2)),
                    content=f"再次反映：{title}。" + rng.choice(["至今没有解决。", "对处理结果不满意。", "催问办理进度。"]),
                ))
        accused = []
        if kind == Kind.ACCUSATION:
            target = rng.choice([self.by_id[locality.parent_id], *rng.sample(self.departments, 1)])
            if rng.random() < 0.5:
                accused = [AccusedInput(name=target.name, unit=target)]
            else:
                accused = [AccusedInput(name=person_name(rng), position=rng.choice(POSITIONS), unit=target)]
        return BulkMatter(
            title=title, content=body, contacts=contacts, kind=kind, category_id=self.categories.get(f"{l1}/{l2}/{l3}"),
            locality_id=locality.pk, joint_letter=joint, anonymous=anonymous, accused=accused,
        )

    def run(self, count: int, progress: Callable[[int, int], None] | None = None, *, history: bool = True,
            people_known: bool | None = None) -> Stats:
        """Generate and write `count` matters (with their repeat contacts) in batches.

        `history=False` leaves every matter "registered" (the lifecycle hooks are not run)."""
        stats = Stats()
        run_history = history
        # Into a database without petitioners, every person a later batch meets again is one this
        # writer created: it need not look people up (a probe per person into a growing index).
        if people_known is None:
            people_known = not Petitioner.objects.exists()
        writer = BulkWriter(actor=self.actor, historical=True, people_known=people_known)
        done = 0
        batches = 0
        analyze = count >= ANALYZE_FROM
        while done < count:
            # In the order they were received, as an office registers them: stratified quantiles of the
            # seasonal timeline (the same distribution as random draws), so a matter's id grows with its date
            # and recent matters sit together on disk.
            batch = [self.one((done + i + self.rng.random()) / count) for i in range(min(BATCH, count - done))]
            if self.parts > 1:
                writer.reserve_numbers(batch)  # not under the batch's transaction: see reserve_numbers
            with transaction.atomic():
                written = writer.write(batch)
                if run_history:
                    history_hooks.run_hooks(written.petition_ids, self.rng)
            batches += 1
            if analyze and batches in (1, 10, 100):
                # Fresh statistics as the tables grow tenfold: the per-batch steps (lifecycle hooks,
                # record_conclusions) look rows up by matter, which an unanalysed table's planner
                # may do through the wrong index.
                refresh_statistics()
            stats.matters += written.matters
            stats.contacts += written.contacts
            stats.petitioners += written.petitioners
            done += len(batch)
            if progress:
                progress(done, count)
        return stats


def refresh_statistics(*, final: bool = False) -> None:
    """Fresh planner statistics for a large load. While it runs: the load tables (not the search
    documents, costly to gather and looked up by no step). At the end (`final`): every table, and on
    PostgreSQL the visibility map too (VACUUM), without which no index-only scan skips the rows."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA analysis_limit=2000")
            cursor.execute("ANALYZE")
        elif final:
            cursor.execute("VACUUM (ANALYZE)")
        else:
            cursor.execute(f"ANALYZE {', '.join(t for t in LOAD_TABLES if t != 'petitions_searchdocument')}")


def tune_bulk_session(count: int) -> None:
    """Session settings for a large demo load, on this process's connection."""
    if count < ANALYZE_FROM:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # A large demo load is restartable from scratch, so trade crash safety for speed while it runs.
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA cache_size=-262144")
            cursor.execute("PRAGMA wal_autocheckpoint=20000")
        elif connection.vendor == "postgresql":
            cursor.execute("SET synchronous_commit TO OFF")  # this session only: no flush wait per batch


def default_parts(count: int) -> int:
    """How many writers load `count` matters: on PostgreSQL, one per core for a large load (the server
    works for one writer while the other builds its next rows); SQLite has a single writer."""
    if connection.vendor != "postgresql" or count < ANALYZE_FROM:
        return 1
    return max(1, min(4, os.cpu_count() or 1))


def run_parallel(count: int, parts: int, *, seed: int, days_back: int, history: bool = True,
                 progress: Callable[[int, int], None] | None = None) -> Stats:
    """`DemoGenerator.run` split over `parts` processes, each writing its share of the villages on its own
    connection (forked, so the generators built here are theirs). With one part it is `run` itself."""
    generators = [DemoGenerator(seed=seed, days_back=days_back, part=i, parts=parts) for i in range(parts)]
    people_known = not Petitioner.objects.exists()
    if history:
        history_hooks.run_setup()
    if parts == 1:
        tune_bulk_session(count)
        return generators[0].run(count, progress=progress, history=history, people_known=people_known)
    if connection.in_atomic_block:  # the writers could not see this transaction's rows, nor join it
        raise RuntimeError("并行装载不能在事务中进行：请在事务之外调用，或只用一个写入进程。")
    counts = [round(count * g.share) for g in generators[:-1]]
    counts.append(count - sum(counts))
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    done = context.Array("q", parts)
    connections.close_all()  # a forked child must not share the parent's socket
    workers = [context.Process(target=_write_part, name=f"seed_demo-{i}",
                               args=(generators[i], counts[i], history, people_known, results, done, i))
               for i in range(parts)]
    for worker in workers:
        worker.start()
    stats, reported = Stats(), 0
    failures: list[str] = []
    try:
        while reported < parts and not failures:
            try:
                kind, payload = results.get(timeout=0.5)
            except queue.Empty:
                failures += [f"进程 {w.name} 异常退出（{w.exitcode}）" for w in workers if w.exitcode]
                if progress:
                    progress(sum(done[:]), count)
                continue
            if kind == "error":
                failures.append(payload)
                continue
            reported += 1
            stats.matters += payload.matters
            stats.contacts += payload.contacts
            stats.petitioners += payload.petitioners
    finally:
        for worker in workers:
            if worker.is_alive() and (failures or reported < parts):
                worker.terminate()
            worker.join()
    if failures:
        raise RuntimeError("演示数据并行装载失败（已写入的部分请清空数据库后重来）：\n" + "\n".join(failures))
    if progress:
        progress(count, count)
    return stats


def _write_part(generator: DemoGenerator, count: int, history: bool, people_known: bool,
                results: Any, done: Any, part: int) -> None:
    """One worker of run_parallel (in a forked process): write its matters, report its Stats or the error."""
    _forget_inherited_connections()
    try:
        tune_bulk_session(count)

        def progress(written: int, _total: int) -> None:
            done[part] = written

        results.put(("ok", generator.run(count, progress=progress, history=history, people_known=people_known)))
    except BaseException:  # noqa: BLE001 - the parent reports it and stops the other workers
        results.put(("error", f"进程 seed_demo-{part}：\n{traceback.format_exc()}"))
    finally:
        connections.close_all()


def _forget_inherited_connections() -> None:
    """In a forked writer: whatever connection state the parent had is the parent's. Its socket (if one
    was left open) is dropped without being closed or used, so this process opens its own; two writers
    talking over one inherited socket would read each other's answers."""
    for conn in connections.all(initialized_only=True):
        conn.connection = None
        conn.in_atomic_block = False
        conn.savepoint_ids = []
        conn.atomic_blocks = []
        conn.needs_rollback = False
        conn.closed_in_transaction = False
        conn.run_on_commit = []
