"""Paginators for lists of matters at a million rows: capped counts, and one pass for searches."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator


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
            ids = list(self.object_list.values_list("pk", flat=True)[bottom : bottom + self.per_page])  # type: ignore[attr-defined]
        else:
            rows = sorted(self._scan(), key=lambda r: (r[1], r[0]), reverse=True)[bottom : bottom + self.per_page]
            ids = [pk for pk, _ in rows]
        loaded = self.fetch.in_bulk(ids)
        return self._get_page([loaded[pk] for pk in ids if pk in loaded], number, self)  # type: ignore[attr-defined]
