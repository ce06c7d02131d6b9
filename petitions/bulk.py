"""The bulk registration path: many matters and contacts in a few statements (imports, demo data).

It writes exactly the rows `services.register_contact` writes for each contact — matter, contact,
people, access, accused parties, event, search document — but in batches: people are resolved
with one look-up per batch (blind indexes), numbers are reserved in blocks per (unit, year), and
every table is filled with bulk_create. The caller owns the transaction and the audit entry.
"""

from __future__ import annotations

import datetime
import json
import re
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.db.models.expressions import RawSQL
from django.utils import timezone

from core import pii
from core.pii import EncryptedTextField
from orgs.models import Unit
from petitions import idcard, numbering, search
from petitions.choices import AccessReason, Channel, Kind, Status
from petitions.models import (
    AccusedParty,
    Contact,
    ContactPerson,
    Event,
    ImportedOutcome,
    Petition,
    PetitionAccess,
    Petitioner,
)
from petitions.services import COLLECTIVE_MIN, AccusedInput, PersonInput, derive_visit_level, new_query_code

PETITIONER_COLUMNS = ["name", "is_organisation", "id_number", "id_index", "id_verified", "unverified_reason", "gender",
                      "birth_date", "phone", "phone_index", "address", "created_at"]


@dataclass(eq=False)
class BulkContact:
    received_at: datetime.datetime
    channel: str
    receiving_unit: Unit
    people: list[PersonInput] = field(default_factory=list)
    headcount: int = 1
    content: str = ""
    source_id: str | None = None
    visit_level: str = ""


@dataclass(eq=False)
class BulkMatter:
    title: str
    content: str
    contacts: list[BulkContact]
    kind: str = Kind.CLAIM
    demands: str = ""
    category_id: int | None = None
    locality_id: int | None = None
    joint_letter: bool = False
    anonymous: bool = False
    status: str = Status.REGISTERED
    source_ref: str | None = None
    accused: list[AccusedInput] = field(default_factory=list)
    replied_at: datetime.datetime | None = None
    rating: str = ""
    existing_id: int | None = None  # add the contacts to this matter instead of creating one


@dataclass
class BulkStats:
    matters: int = 0
    contacts: int = 0
    petitioners: int = 0
    repeat_contacts: int = 0
    petition_ids: list[int] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)


def _sqlite_datetime(value: datetime.datetime) -> str:
    # What Django's SQLite backend stores with USE_TZ: naive UTC in ISO format (faster than the generic
    # path): the aware UTC value's text without its "+00:00".
    if value.tzinfo is not datetime.UTC:
        value = value.astimezone(datetime.UTC)
    return str(value)[:-6]


def _json(value: Any) -> str:
    return "{}" if value == {} else json.dumps(value, ensure_ascii=False)


class _Table:
    """Raw multi-row inserts for one model: ids allocated up front, values adapted once per column type.

    Django's bulk_create spends most of its time preparing values field by field; at import
    speeds that dominates. This writes the same columns with one prepared INSERT per batch.
    """

    def __init__(self, model: Any, columns: list[str]) -> None:
        self.model = model
        self.table = model._meta.db_table
        fields = [model._meta.get_field(c) for c in columns]
        self.columns = [f.column for f in fields]
        self.casts = [_array_cast(f) for f in fields]
        self.vendor = connection.vendor
        adapters: list[Any] = []
        for f in fields:
            internal = f.get_internal_type()
            if isinstance(f, EncryptedTextField):
                adapters.append(lambda v: pii.encrypt(v) if v else v)
            elif internal == "DateTimeField" and self.vendor == "sqlite":
                adapters.append(_sqlite_datetime)
            elif internal == "JSONField":
                adapters.append(_json)
            elif internal == "DateField" and self.vendor == "sqlite":
                adapters.append(datetime.date.isoformat)  # what adapt_datefield_value stores (str of a date)
            else:
                adapters.append(None)
        self.adapters = adapters

    def allocate_ids(self, count: int) -> list[int]:
        if count == 0:
            return []
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                               [self.table, count])
                return [row[0] for row in cursor.fetchall()]
            # SQLite: the surrounding transaction holds the write lock (BEGIN IMMEDIATE), so nobody else
            # can take these ids; AUTOINCREMENT's high-water mark is respected.
            cursor.execute(f"SELECT MAX(id) FROM {self.table}")  # noqa: S608
            top = cursor.fetchone()[0] or 0
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [self.table])
            row = cursor.fetchone()
            top = max(top, row[0] if row else 0)
            return list(range(top + 1, top + 1 + count))

    def insert(self, rows: list[tuple], *, ignore_conflicts: bool = False, with_id: bool = False) -> None:
        if not rows:
            return
        columns = (["id"] if with_id else []) + self.columns
        adapters = ([None] if with_id else []) + self.adapters
        placeholders = []
        for column, adapter in zip(self.columns, self.adapters, strict=True):
            is_json = adapter is not None and self.vendor == "postgresql" and column in self._json_columns()
            placeholders.append("%s::jsonb" if is_json else "%s")
        placeholders = (["%s"] if with_id else []) + placeholders
        conflict = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
        sql = (f"INSERT INTO {self.table} ({', '.join(columns)}) "  # noqa: S608
               f"VALUES ({', '.join(placeholders)}){conflict}")
        active = [(i, a) for i, a in enumerate(adapters) if a is not None]
        if active:
            # Column by column: one comprehension per adapted column instead of a Python loop per value.
            cols = list(zip(*rows, strict=True))
            for i, adapter in active:
                cols[i] = tuple([None if v is None else adapter(v) for v in cols[i]])
            rows = list(zip(*cols, strict=True))
        with connection.cursor() as cursor:
            if self.vendor == "postgresql" and not ignore_conflicts:
                # COPY is several times faster than INSERT on PostgreSQL.
                with cursor.cursor.copy(f"COPY {self.table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                return
            if self.vendor == "postgresql":
                # Rows that may already exist: one INSERT … SELECT FROM unnest(arrays), a parameter per
                # column (a statement per row costs a round trip; a placeholder per value costs the
                # driver a parse of a huge statement).
                arrays, params = _unnest_arguments((["bigint"] if with_id else []) + self.casts, rows)
                cursor.execute(f"INSERT INTO {self.table} ({', '.join(columns)}) "  # noqa: S608
                               f"SELECT * FROM unnest({arrays}){conflict}", params)
                return
            for start in range(0, len(rows), 5000):
                cursor.executemany(sql, rows[start : start + 5000])

    def _json_columns(self) -> set[str]:
        return {f.column for f in self.model._meta.concrete_fields if f.get_internal_type() == "JSONField"}


def update_rows(model: Any, columns: list[str], rows: list[tuple], *, chunk: int = 5000) -> int:
    """Set `columns` of many rows of `model`, each row given as (pk, value, value, …). Returns the row count.

    Each pk must appear once (PostgreSQL applies one of two rows for the same pk, either one).
    PostgreSQL: one `UPDATE … FROM unnest(arrays)` per chunk of rows, a parameter per column (each
    cast to its column's type), instead of a statement per row, which costs a round trip each. SQLite runs in-process,
    so a prepared statement per row is already cheap there. `model` may be a migration's
    historical model. Values must already be what the database stores (no encryption here).
    """
    if not rows:
        return 0
    fields = [model._meta.get_field(c) for c in columns]
    table = model._meta.db_table
    pk = model._meta.pk
    names = [f.column for f in fields]
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            assignments = ", ".join(f'"{n}" = %s' for n in names)
            cursor.executemany(f'UPDATE "{table}" SET {assignments} WHERE "{pk.column}" = %s',  # noqa: S608
                               [(*r[1:], r[0]) for r in rows])
            return len(rows)
        casts = [_array_cast(pk), *map(_array_cast, fields)]
        assignments = ", ".join(f'"{n}" = v."{n}"' for n in names)
        value_names = ", ".join(f'"{n}"' for n in ["__pk", *names])
        for start in range(0, len(rows), chunk):
            arrays, params = _unnest_arguments(casts, rows[start : start + chunk])
            cursor.execute(
                f'UPDATE "{table}" AS t SET {assignments} FROM unnest({arrays}) '  # noqa: S608
                f'AS v({value_names}) WHERE t."{pk.column}" = v."__pk"', params)
    return len(rows)


def _unnest_arguments(casts: list[str], rows: list[tuple]) -> tuple[str, list[list]]:
    """`unnest(…)`'s arguments for these rows: one array parameter per column, cast to its type."""
    return ", ".join(f"%s::{cast}[]" for cast in casts), [list(column) for column in zip(*rows, strict=True)]


def id_list(ids: list[int]) -> Any:
    """A subquery of these ids, for `pk__in=` with thousands of ids: one parameter (a PostgreSQL array or
    a SQLite JSON list) instead of a placeholder per id, which Django and the driver prepare one by one."""
    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", [list(ids)])  # noqa: S611 - our SQL, the ids are a parameter
    return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(list(ids))])  # noqa: S611


def _array_cast(field: Any) -> str:
    """The PostgreSQL type to cast an array parameter of this field's values to."""
    target = field.target_field if field.is_relation else field
    cast = target.cast_db_type(connection) if target.get_internal_type() != "AutoField" else "integer"
    # Without a length or precision: an explicit cast to varchar(n) would cut a longer value without a
    # word, where storing it into the column refuses it ("value too long").
    return re.sub(r"\(.*\)", "", cast)


def _keys(person: PersonInput, id_index: str, phone_index: str) -> list[tuple]:
    """The look-up keys of a person, the one that decides first (as find_or_create_petitioner does):
    a valid ID; else phone and name; else nothing (a new person each time)."""
    keys: list[tuple] = []
    if id_index:
        keys.append(("id", id_index))
    if phone_index:
        keys.append(("phone", phone_index, person.name))
    return keys or [("one", id(person))]


class BulkWriter:
    """Write matters in batches. Reuse one writer across batches so people are resolved once."""

    def __init__(self, *, actor: Any = None, historical: bool = False, first_action: str = "register",
                 repeat_action: str = "repeat_contact", note: str = "", people_known: bool = False) -> None:
        """`people_known`: every petitioner this writer can meet was written by it (a load into an empty
        database, or one of parallel loaders whose people are kept apart), so a person it has not seen
        is new without asking the database."""
        self.actor = actor if getattr(actor, "is_authenticated", False) else None
        self.people_known = people_known
        self.actor_unit_id = getattr(self.actor, "unit_id", None)
        self.historical = historical
        self.first_action = first_action
        self.repeat_action = repeat_action
        self.note = note
        self._people: dict[tuple, int] = {}
        self._id_cache: dict[str, Any] = {}
        self._phone_cache: dict[str, str] = {}
        self._area_level: dict[int, str] = {}
        self._reserved: dict[int, dict[int, str]] = {}  # numbers reserved ahead (reserve_numbers), by batch

    # People ---------------------------------------------------------------------------------
    def _prepare(self, person: PersonInput) -> tuple[list[tuple], dict[str, Any]]:
        raw_id = person.id_number or ""
        info = None
        reason = person.unverified_reason
        if raw_id:
            cached = self._id_cache.get(raw_id)
            if cached is None:
                try:
                    cached = idcard.parse(raw_id)
                except idcard.InvalidIdNumber as exc:
                    cached = f"身份证号无效：{exc}"
                self._id_cache[raw_id] = cached
            if isinstance(cached, str):
                reason = reason or cached
            else:
                info = cached
        elif not reason:
            reason = "未提供身份证号"
        id_index = pii.blind_index(info.number, purpose="id") if info else ""
        phone_index = ""
        if person.phone:
            phone_index = self._phone_cache.get(person.phone) or pii.blind_index(person.phone, purpose="phone")
            self._phone_cache[person.phone] = phone_index
        values = {
            "name": person.name, "is_organisation": person.is_organisation,
            "id_number": info.number if info else pii.normalise(raw_id), "id_index": id_index,
            "id_verified": info is not None, "unverified_reason": "" if info else reason[:100],
            "gender": info.gender if info else "", "birth_date": info.birth_date if info else None,
            "phone": person.phone, "phone_index": phone_index, "address": person.address,
        }
        return _keys(person, id_index, phone_index), values

    def _resolve_people(self, matters: list[BulkMatter]) -> dict[int, int]:
        """id(PersonInput) → petitioner id, creating the people not known yet.

        Each distinct person of the batch gets a slot; a slot is matched by its deciding key against
        people seen in earlier batches, then in the database, and created otherwise.
        """
        slot_of: dict[int, int] = {}
        slots: list[tuple[list[tuple], dict[str, Any]]] = []
        batch: dict[tuple, int] = {}
        resolved: dict[int, int] = {}
        for matter in matters:
            for contact in matter.contacts:
                for person in contact.people:
                    if id(person) in slot_of:
                        continue
                    keys, values = self._prepare(person)
                    deciding = keys[0]
                    if deciding in batch:
                        slot_of[id(person)] = batch[deciding]
                        continue
                    slot = len(slots)
                    slots.append((keys, values))
                    slot_of[id(person)] = slot
                    for key in keys:
                        batch.setdefault(key, slot)
                    if deciding in self._people:
                        resolved[slot] = self._people[deciding]
        pending = [i for i in range(len(slots)) if i not in resolved]
        by_kind: dict[str, list[int]] = defaultdict(list)
        for i in [] if self.people_known else pending:  # known: nobody else's people in the database
            by_kind[slots[i][0][0][0]].append(i)
        found: dict[tuple, int] = {}
        ids = [slots[i][0][0][1] for i in by_kind["id"]]
        for start in range(0, len(ids), 500):
            for pk, idx in Petitioner.objects.filter(id_index__in=ids[start : start + 500]).values_list(
                    "pk", "id_index"):
                found.setdefault(("id", idx), pk)
        phones = [slots[i][0][0][1] for i in by_kind["phone"]]
        for start in range(0, len(phones), 500):
            rows = sorted(Petitioner.objects.filter(phone_index__in=phones[start : start + 500]).values_list(
                "pk", "phone_index", "name"))  # the oldest person first, as find_or_create_petitioner takes it
            for pk, idx, name in rows:
                found.setdefault(("phone", idx, name), pk)
        new = []
        for i in pending:
            deciding = slots[i][0][0]
            if deciding in found:
                resolved[i] = found[deciding]
            else:
                new.append(i)
        if new:
            table = self._tables()["petitioner"]
            ids_new = table.allocate_ids(len(new))
            now = timezone.now()
            table.insert([(pk, *(slots[i][1][c] for c in PETITIONER_COLUMNS[:-1]), now)
                          for pk, i in zip(ids_new, new, strict=True)], with_id=True)
            for pk, i in zip(ids_new, new, strict=True):
                resolved[i] = pk
            self.stats.petitioners += len(new)
        for i, (keys, _values) in enumerate(slots):
            for key in keys:
                if key[0] != "one":
                    self._people.setdefault(key, resolved[i])
        return {person_id: resolved[slot] for person_id, slot in slot_of.items()}

    # Matters --------------------------------------------------------------------------------
    def _visit_level(self, contact: BulkContact) -> str:
        if contact.visit_level or contact.channel != Channel.VISIT:
            return contact.visit_level
        unit = contact.receiving_unit
        if unit.pk not in self._area_level:
            self._area_level[unit.pk] = derive_visit_level(Channel.VISIT, unit)
        return self._area_level[unit.pk]

    def _numbers(self, new: list[BulkMatter]) -> dict[int, str]:
        """Readable numbers for new matters (by id() of the matter), reserved in blocks per (unit code, year)."""
        groups: dict[tuple[str, int], list[BulkMatter]] = defaultdict(list)
        zone = timezone.get_current_timezone()
        for m in new:
            first = m.contacts[0]
            groups[(first.receiving_unit.code, first.received_at.astimezone(zone).year)].append(m)
        numbers: dict[int, str] = {}
        blocks = numbering.reserve_number_blocks({group: len(items) for group, items in groups.items()})
        for group, items in groups.items():
            for m, number in zip(items, blocks[group], strict=True):
                numbers[id(m)] = number
        return numbers

    def reserve_numbers(self, matters: list[BulkMatter]) -> None:
        """Reserve the numbers of a batch now, in their own short transaction, for the next `write(matters)`.

        Writers loading in parallel (seed_demo on PostgreSQL) call this outside their batch transaction:
        a number block is a row lock on its counter, which would otherwise be held until the batch
        commits and make the other writers wait for it. A batch that then fails leaves a gap in the
        numbers, never a duplicate."""
        for m in matters:
            m.contacts.sort(key=lambda c: c.received_at)
        with transaction.atomic():  # only the latest batch's numbers are kept: a batch never written is forgotten
            self._reserved = {id(matters): self._numbers([m for m in matters if m.existing_id is None])}

    def write(self, matters: list[BulkMatter]) -> BulkStats:
        self.stats = BulkStats()
        if not matters:
            return self.stats
        with transaction.atomic():
            self._write(matters)
        return self.stats

    def _tables(self) -> dict[str, _Table]:
        if not hasattr(self, "_table_cache"):
            self._table_cache = {
                "petition": _Table(Petition, [
                    "number", "query_code", "title", "content", "demands", "kind", "channel", "status", "version",
                    "category", "locality", "receiving_unit", "handling_unit", "received_at", "registered_at",
                    "registered_by", "is_collective", "headcount", "joint_letter", "anonymous", "raised_before",
                    "raised_before_where", "contact_count", "merged_into", "finalised_match", "source_ref"]),
                "contact": _Table(Contact, [
                    "petition", "channel", "received_at", "receiving_unit", "registered_at", "registered_by",
                    "headcount", "is_collective", "is_repeat", "visit_level", "content", "source_id"]),
                "person": _Table(ContactPerson, ["contact", "petitioner", "role"]),
                "access": _Table(PetitionAccess, ["petition", "unit", "unit_path", "reason", "granted_at"]),
                "petitioner": _Table(Petitioner, PETITIONER_COLUMNS),
                "event": _Table(Event, ["petition", "at", "actor", "actor_unit", "action", "from_status",
                                        "to_status", "note", "data"]),
            }
        return self._table_cache

    def _write(self, matters: list[BulkMatter]) -> None:
        stats = self.stats
        tables = self._tables()
        now = timezone.now()
        for matter in matters:
            matter.contacts.sort(key=lambda c: c.received_at)
        person_ids = self._resolve_people(matters)
        new = [m for m in matters if m.existing_id is None]
        new_set = {id(m) for m in new}
        existing = [m for m in matters if id(m) not in new_set]
        numbers = self._reserved.pop(id(matters), None) or self._numbers(new)
        user_id = self.actor.pk if self.actor else None
        petition_ids = tables["petition"].allocate_ids(len(new))
        rows = []
        for pk, m in zip(petition_ids, new, strict=True):
            first = m.contacts[0]
            m.existing_id = pk
            rows.append((
                pk, numbers[id(m)], new_query_code(), m.title.strip()[:200], m.content.strip(), m.demands.strip(),
                m.kind, first.channel, m.status, 1, m.category_id, m.locality_id, first.receiving_unit.pk, None,
                first.received_at, first.received_at if self.historical else now, user_id,
                first.headcount >= COLLECTIVE_MIN, first.headcount, m.joint_letter, m.anonymous, False, "",
                len(m.contacts), None, None, m.source_ref,
            ))
            stats.petition_ids.append(pk)
            stats.numbers.append(rows[-1][1])
        for attempt in range(3):
            try:
                with transaction.atomic():
                    tables["petition"].insert(rows, with_id=True)
                break
            except IntegrityError:
                # A query-code collision (about 1 in 10^9 per matter at a million matters): draw again.
                if attempt == 2:
                    raise
                rows = [(*r[:2], new_query_code(), *r[3:]) for r in rows]
        stats.matters = len(rows)
        for m in existing:
            Petition.objects.filter(pk=m.existing_id or 0).update(contact_count=F("contact_count") + len(m.contacts))

        owners: list[tuple[BulkMatter, BulkContact, bool]] = []
        for m in matters:
            is_new = id(m) in new_set
            for index, c in enumerate(m.contacts):
                owners.append((m, c, index > 0 or not is_new))
        contact_ids = tables["contact"].allocate_ids(len(owners))
        contact_rows = []
        person_rows = []
        access: dict[tuple[int, int], tuple] = {}
        event_rows = []
        names: dict[int, list[str]] = defaultdict(list)
        for contact_id, (m, c, repeat) in zip(contact_ids, owners, strict=True):
            pid_of_matter: int = m.existing_id  # type: ignore[assignment]
            contact_rows.append((
                contact_id, pid_of_matter, c.channel, c.received_at, c.receiving_unit.pk,
                c.received_at if self.historical else now, user_id, c.headcount, c.headcount >= COLLECTIVE_MIN,
                repeat, self._visit_level(c), (c.content or m.content).strip() if repeat else "", c.source_id,
            ))
            seen: set[int] = set()
            for person in c.people:
                pid = person_ids[id(person)]
                if pid in seen:
                    continue
                seen.add(pid)
                person_rows.append((contact_id, pid, person.role))
                if person.name not in names[pid_of_matter]:
                    names[pid_of_matter].append(person.name)
            key = (pid_of_matter, c.receiving_unit.pk)
            if key not in access:
                access[key] = (pid_of_matter, c.receiving_unit.pk, c.receiving_unit.path, AccessReason.RECEIVED,
                               c.received_at if self.historical else now)
            data: dict[str, Any] = {"contact": contact_id}
            if c.source_id:
                data["source_id"] = c.source_id
            event_rows.append((
                pid_of_matter, c.received_at if self.historical else now, user_id, self.actor_unit_id,
                self.repeat_action if repeat else self.first_action, "",
                m.status if not repeat and m.status != Status.REGISTERED else "",
                self.note or f"{Channel(c.channel).label}，{c.headcount}人", data,
            ))
        tables["contact"].insert(contact_rows, with_id=True)
        tables["person"].insert(person_rows)
        tables["access"].insert(list(access.values()), ignore_conflicts=True)
        tables["event"].insert(event_rows)
        stats.contacts = len(contact_rows)
        stats.repeat_contacts = sum(1 for _, _, r in owners if r)
        accused = [AccusedParty(petition_id=m.existing_id or 0, name=a.name, position=a.position, unit=a.unit,
                                user=a.user) for m in new for a in m.accused]
        if accused:
            AccusedParty.objects.bulk_create(accused, batch_size=500)
        outcomes = [ImportedOutcome(petition_id=m.existing_id or 0, replied_at=m.replied_at, rating=m.rating)
                    for m in new if m.replied_at or m.rating]
        if outcomes:
            ImportedOutcome.objects.bulk_create(outcomes, batch_size=500)
        search.index_documents([(m.existing_id, search.document_text(m.title.strip(), m.content.strip(),
                                                                     m.demands.strip(), names[m.existing_id]))
                                for m in new if m.existing_id])
        if existing:
            search.reindex([m.existing_id for m in existing if m.existing_id])


# Tables whose secondary indexes may be deferred while an empty database is loaded (not the people:
# the writer looks them up by blind index while it loads).
DEFERRABLE_TABLES = ("petitions_petition", "petitions_contact", "petitions_contactperson", "petitions_petitionaccess",
                     "petitions_event", "petitions_searchdocument")
# An index whose first column is the matter id stays: rows arrive in matter-id order, so keeping it
# costs little, and the per-batch steps of a load (lifecycle hooks, stats' record_conclusions) look
# rows up by matter.
_BY_MATTER = re.compile(r'\(\s*"?petition_id"?\s*[,)]')


class deferred_indexes:  # noqa: N801 - used as a context manager, like transaction.atomic
    """Drop the plain (non-unique) indexes of the bulk tables and build them again on exit.

    For loading an empty database (demo data at scale): building an index once over sorted data is
    far cheaper than keeping a dozen indexes up to date row by row. Unique indexes (numbers, query
    codes, source ids) and indexes led by the matter id stay, so duplicates are still refused and
    a batch's own rows can still be found while loading.

    On PostgreSQL the foreign keys of these tables are dropped too and added back on exit, as the
    manual's "Populating a Database" advises: adding a key back checks every row in one pass,
    where a deferred key checks each new row one by one at every commit. The load is still fully
    checked; an orphan row makes the exit fail.

    What was dropped is written to a file in the var directory before anything is dropped, and
    removed once all of it is back: a load that is killed leaves the file, and the next
    `restore_deferred()` (seed_demo calls it first) builds whatever is still missing. On exit every
    index and key is attempted even if one fails; the failures are reported together.
    """

    def __init__(self, tables: tuple[str, ...] = DEFERRABLE_TABLES) -> None:
        self.tables = tables
        self.dropped: list[tuple[str, str]] = []
        self.foreign_keys: list[tuple[str, str, str]] = []

    def __enter__(self) -> deferred_indexes:
        with connection.cursor() as cursor:
            marks = ", ".join(["%s"] * len(self.tables))
            if connection.vendor == "postgresql":
                cursor.execute(
                    f"SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = current_schema() "  # noqa: S608
                    f"AND i.tablename IN ({marks}) AND i.indexdef NOT LIKE 'CREATE UNIQUE%%'", list(self.tables))
            else:
                cursor.execute(
                    f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "  # noqa: S608
                    f"AND tbl_name IN ({marks}) AND sql NOT LIKE 'CREATE UNIQUE%%'", list(self.tables))
            self.dropped = [(name, sql) for name, sql in cursor.fetchall() if not _BY_MATTER.search(sql)]
            if connection.vendor == "postgresql":
                cursor.execute(
                    f"SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "  # noqa: S608
                    f"WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace "
                    f"AND c.conrelid::regclass::text IN ({marks}) ORDER BY 1, 2", list(self.tables))
                self.foreign_keys = cursor.fetchall()
        _pending_file().write_text(json.dumps({"indexes": self.dropped, "foreign_keys": self.foreign_keys},
                                              ensure_ascii=False))
        try:
            with connection.cursor() as cursor:
                for name, _sql in self.dropped:
                    cursor.execute(f'DROP INDEX "{name}"')
                for table, name, _definition in self.foreign_keys:
                    cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
        except Exception:
            restore_deferred()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        restore_deferred()


def _pending_file() -> Any:
    from django.conf import settings

    name = str(connection.settings_dict["NAME"]).replace("/", "_")
    path = settings.VAR_DIR / f"deferred-indexes-{connection.vendor}-{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def restore_deferred() -> list[str]:
    """Build the indexes and keys a bulk load dropped that are still missing (see deferred_indexes).

    Returns what was restored. Every one is attempted; if any fails, the file stays and one error
    names them all."""
    path = _pending_file()
    if not path.exists():
        return []
    pending = json.loads(path.read_text())
    restored: list[str] = []
    failures: list[str] = []
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgres:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
        present = {row[0] for row in cursor.fetchall()}
    # The inverted (GIN) index of the search documents is the longest build: it starts first.
    missing = sorted(((name, sql) for name, sql in pending["indexes"] if name not in present),
                     key=lambda item: "USING gin" not in item[1])
    # On PostgreSQL, outside a transaction, the indexes are built two at a time on their own connections
    # (CREATE INDEX locks out writes, not another CREATE INDEX): one build is mostly one core's work.
    builders = 2 if postgres and not connection.in_atomic_block and len(missing) > 1 else 1
    if builders > 1:
        with ThreadPoolExecutor(builders) as pool:
            outcomes = list(pool.map(_build_index_alone, missing))
    else:
        outcomes = [_build_index(name, sql) for name, sql in missing]
    for name, failure in outcomes:
        if failure:
            failures.append(failure)
        else:
            restored.append(name)
    with connection.cursor() as cursor:
        for table, name, definition in pending["foreign_keys"]:
            cursor.execute("SELECT 1 FROM pg_constraint WHERE conname = %s AND conrelid = %s::regclass",
                           [name, table])
            if cursor.fetchone():
                continue
            try:
                with transaction.atomic():
                    cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
                restored.append(name)
            except Exception as exc:  # noqa: BLE001 - as above
                failures.append(f"{name}: {exc}")
    if failures:
        raise RuntimeError("批量装载后以下索引或外键未能恢复（数据未删，修正后重新运行 seed_demo 即可补建）：\n"
                           + "\n".join(failures))
    path.unlink()
    return restored


def _build_index(name: str, sql: str) -> tuple[str, str]:
    """Build one deferred index on this thread's connection. Returns (name, failure or "")."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL maintenance_work_mem TO '512MB'")  # sort in memory
            cursor.execute(sql)
    except Exception as exc:  # noqa: BLE001 - every index is attempted; all failures are reported
        return name, f"{name}: {exc}"
    return name, ""


def _build_index_alone(item: tuple[str, str]) -> tuple[str, str]:
    """_build_index in a worker thread, which has a connection of its own, closed afterwards."""
    try:
        return _build_index(*item)
    finally:
        connection.close()
