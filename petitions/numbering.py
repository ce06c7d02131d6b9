"""Readable matter numbers: receiving unit code + year + serial (e.g. K349902-XFJ-2026-000123).

Serials come from core's named Sequence rows. One registration takes one value (`next_value`);
bulk paths (imports, demo data) reserve a block with one conditional UPDATE, the same atomic
pattern, so numbers stay unique when both run at once.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F

from core.models import Sequence
from core.sequences import next_value


def sequence_key(unit_code: str, year: int) -> str:
    return f"petition:{unit_code}:{year}"


def format_number(unit_code: str, year: int, serial: int) -> str:
    return f"{unit_code}-{year}-{serial:06d}"


def next_number(unit_code: str, year: int) -> str:
    return format_number(unit_code, year, next_value(sequence_key(unit_code, year)))


def reserve(key: str, count: int) -> int:
    """Reserve `count` consecutive values of a sequence; returns the first. Concurrency-safe."""
    if count < 1:
        raise ValueError("count must be positive")
    with transaction.atomic():
        if not Sequence.objects.filter(key=key).update(value=F("value") + count):
            try:
                with transaction.atomic():
                    Sequence.objects.create(key=key, value=count)
                    return 1
            except IntegrityError:
                Sequence.objects.filter(key=key).update(value=F("value") + count)
        return Sequence.objects.values_list("value", flat=True).get(key=key) - count + 1


def reserve_numbers(unit_code: str, year: int, count: int) -> list[str]:
    first = reserve(sequence_key(unit_code, year), count)
    return [format_number(unit_code, year, serial) for serial in range(first, first + count)]
