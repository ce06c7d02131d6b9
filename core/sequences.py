from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F

from core.models import Sequence


def next_value(key: str) -> int:
    """Atomically take the next value of a named counter.

    The UPDATE locks the row until the surrounding transaction commits (PostgreSQL) or holds the
    write lock (SQLite, IMMEDIATE transactions), so concurrent callers get distinct values.
    """
    with transaction.atomic():
        if not Sequence.objects.filter(key=key).update(value=F("value") + 1):
            try:
                with transaction.atomic():
                    Sequence.objects.create(key=key, value=1)
                    return 1
            except IntegrityError:
                Sequence.objects.filter(key=key).update(value=F("value") + 1)
        return Sequence.objects.values_list("value", flat=True).get(key=key)
