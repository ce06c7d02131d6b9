"""Readable matter numbers: receiving unit code + year + serial (e.g. K349902-XFJ-2026-000123).

Serials come from core's named Sequence rows. One registration takes one value (`next_value`);
bulk paths (imports, demo data) reserve a block per sequence, all of a batch's blocks in one upsert
that locks the same rows, so numbers stay unique when both run at once.
"""

from __future__ import annotations

from django.db import connection

from core.models import Sequence
from core.sequences import next_value


def sequence_key(unit_code: str, year: int) -> str:
    return f"petition:{unit_code}:{year}"


def format_number(unit_code: str, year: int, serial: int) -> str:
    return f"{unit_code}-{year}-{serial:06d}"


def next_number(unit_code: str, year: int) -> str:
    return format_number(unit_code, year, next_value(sequence_key(unit_code, year)))


def reserve_blocks(counts: dict[str, int]) -> dict[str, int]:
    """Reserve a block of `count` values of each sequence `key` at once; returns each key's first value.

    One upsert (`INSERT … ON CONFLICT DO UPDATE … RETURNING`, both databases) instead of two or three
    statements per key: a batch of an import touches dozens of (unit, year) sequences. The upsert locks
    each row until commit, taken in key order, so concurrent callers get distinct blocks without deadlock."""
    if any(count < 1 for count in counts.values()):
        raise ValueError("count must be positive")
    table = Sequence._meta.db_table
    firsts: dict[str, int] = {}
    keys = sorted(counts)
    with connection.cursor() as cursor:
        for start in range(0, len(keys), 400):  # SQLite allows 999 parameters a statement
            chunk = keys[start : start + 400]
            cursor.execute(
                f'INSERT INTO "{table}" ("key", "value") VALUES {", ".join(["(%s, %s)"] * len(chunk))} '  # noqa: S608
                f'ON CONFLICT ("key") DO UPDATE SET "value" = "{table}"."value" + excluded."value" '
                f'RETURNING "key", "value"', [v for key in chunk for v in (key, counts[key])])
            for key, value in cursor.fetchall():
                firsts[key] = value - counts[key] + 1
    return firsts


def reserve_number_blocks(counts: dict[tuple[str, int], int]) -> dict[tuple[str, int], list[str]]:
    """Blocks of readable numbers for many (unit code, year) pairs, in one statement."""
    keys = {group: sequence_key(*group) for group in counts}
    firsts = reserve_blocks({keys[group]: count for group, count in counts.items()})
    return {(code, year): [format_number(code, year, firsts[keys[code, year]] + i) for i in range(count)]
            for (code, year), count in counts.items()}
