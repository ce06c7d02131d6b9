"""Paginators for lists of matters at a million rows: capped counts, and one pass for searches."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import connection, transaction


@contextmanager
def serial_plans() -> Iterator[None]:
    """PostgreSQL: plan the enclosed statements without parallel workers (SET LOCAL, then the old value).

    For a walk of the date index that stops after one page: under a Gather Merge each worker runs
    ahead of the LIMIT until its queue is full, testing thousands of rows nobody reads (a common
    term at a million matters: 386 ms in parallel, 54 ms serial). SQLite plans serially anyway."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():  # a savepoint inside a request's transaction: put the old value back
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('max_parallel_workers_per_gather')")
            before = cursor.fetchone()[0]
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        yield  # an error rolls the savepoint back, and the setting with it
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('max_parallel_workers_per_gather', %s, true)", [before])


class CappedPaginator(Paginator):
    """Counts at most COUNT_CAP rows: a list over a million matters should not wait for an exact total."""

    COUNT_CAP = 10000

    @property
    def count(self) -> int:  # type: ignore[override]
        if not hasattr(self, "_capped_count"):
            self._capped_count = self.object_list[: self.COUNT_CAP + 1].count()  # type: ignore[union-attr, attr-defined]
        return self._capped_count

    @property
    def capped(self) -> bool:
        return self.count > self.COUNT_CAP


class SearchPaginator(CappedPaginator):
    """A search result: one pass over the matches, then either a page from that pass or an index walk.

    - `matches`: the matching rows in the form that is cheapest to scan (driven by the full-text index);
      up to COUNT_CAP + 1 of their (id, received_at) are read once.
    - If there are at most COUNT_CAP, the count is exact and a page is those ids sorted by date,
      loaded from `fetch` (no second search).
    - If there are more, the matches are dense: the page's ids are read from `object_list` (the
      ordered-page form, which walks the date index and stops after a page) and loaded from `fetch`;
      the count shows as "1000+".
    """

    COUNT_CAP = 1000

    def __init__(self, object_list: Any, per_page: int, *args: Any, matches: Any, fetch: Any, **kwargs: Any) -> None:
        super().__init__(object_list, per_page, *args, **kwargs)
        self.matches = matches
        self.fetch = fetch

    def _scan(self) -> list[tuple[int, Any]]:
        if not hasattr(self, "_rows"):
            self._rows = list(self.matches.order_by().values_list("pk", "received_at")[: self.COUNT_CAP + 1])
        return self._rows

    @property
    def count(self) -> int:  # type: ignore[override]
        return len(self._scan())

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if self.capped:
            # The page's ids from the matters table alone (no joins the planner could start from
            # instead of the date index), then their rows.
            with serial_plans():
                ids = list(self.object_list.values_list("pk", flat=True)[bottom : bottom + self.per_page])  # type: ignore[attr-defined]
        else:
            rows = sorted(self._scan(), key=lambda r: (r[1], r[0]), reverse=True)[bottom : bottom + self.per_page]
            ids = [pk for pk, _ in rows]
        loaded = self.fetch.in_bulk(ids)
        return self._get_page([loaded[pk] for pk in ids if pk in loaded], number, self)  # type: ignore[attr-defined]
