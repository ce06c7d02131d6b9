"""The sentence every report and bulletin opens with, e.g.

    2026年上半年受理群众来信来访1830件次，其中来信58件，来访1772人次；集体访120批1391人次，
    比去年同期批数上升215.8%，人数上升118.0%。

Every figure in it is a `Piece` with the drill-down URL of the matters behind it; the change
percentages link to the figure they are compared with (the same period a year earlier).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from stats import metrics as m
from stats.periods import Period
from stats.scope import Scope
from stats.selectors import drill_url


@dataclass(frozen=True)
class Piece:
    text: str
    url: str = ""
    title: str = ""


@dataclass
class Sentence:
    pieces: list[Piece] = field(default_factory=list)

    def add(self, text: str, url: str = "", title: str = "") -> None:
        self.pieces.append(Piece(text, url, title))

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.pieces)

    @property
    def links(self) -> list[Piece]:
        return [p for p in self.pieces if p.url]

    def html(self) -> SafeString:
        parts = []
        for piece in self.pieces:
            if piece.url:
                parts.append(format_html('<a href="{}" class="figure-link" title="{}">{}</a>', piece.url,
                                         piece.title, piece.text))
            else:
                parts.append(format_html("{}", piece.text))
        return mark_safe("".join(parts))  # noqa: S308 - every part was escaped by format_html

    def __str__(self) -> str:
        return self.text


def _number(value: int) -> str:
    return str(value)


def _change_words(current: int, previous: int) -> str:
    """上升215.8% / 下降12.5% / 持平."""
    pct = m.change(current, previous)
    if pct is None:
        return ""
    if pct > 0:
        return f"上升{pct:.1f}%"
    if pct < 0:
        return f"下降{-pct:.1f}%"
    return "持平"


def volume_sentence(scope: Scope, period: Period, *, current: dict[str, int] | None = None,
                    year_ago: dict[str, int] | None = None) -> Sentence:
    """The volume sentence for any unit and period, from registered or imported contacts."""
    current = current if current is not None else m.volume(scope, period)
    earlier_period = period.year_ago()
    year_ago = year_ago if year_ago is not None else m.volume(scope, earlier_period)
    s = Sentence()

    def fig(key: str, unit: str) -> None:
        metric = m.METRICS[key]
        s.add(_number(current[key]), drill_url(key, scope, period), f"{metric.label}（{metric.unit}）")
        s.add(unit)

    if current["total"] == 0 and current["contacts"] == 0:
        s.add(f"{period.phrase}未受理群众来信来访。")
        return s
    s.add(f"{period.phrase}受理群众来信来访")
    fig("total", "件次")
    s.add("，其中来信")
    fig("letters", "件")
    s.add("，来访")
    fig("visit_people", "人次")
    if current["online"]:
        s.add("，网上信访")
        fig("online", "件")
    if current["phone"]:
        s.add("，来电")
        fig("phone", "件")
    groups = current["collective_groups"]
    before_groups, before_people = year_ago["collective_groups"], year_ago["collective_people"]
    if groups:
        s.add("；集体访")
        fig("collective_groups", "批")
        fig("collective_people", "人次")
        if before_groups:
            s.add("，比去年同期批数")
            _compare(s, "collective_groups", current, year_ago, scope, earlier_period)
            s.add("，人数")
            _compare(s, "collective_people", current, year_ago, scope, earlier_period)
        else:
            s.add("，去年同期无集体访")
    else:
        s.add("；无集体访")
        if before_groups:
            s.add("（去年同期")
            s.add(str(before_groups), drill_url("collective_groups", scope, earlier_period), "去年同期集体访（批）")
            s.add("批")
            s.add(str(before_people), drill_url("collective_people", scope, earlier_period), "去年同期集体访（人次）")
            s.add("人次）")
    s.add("。")
    return s


def _compare(s: Sentence, key: str, current: dict[str, int], year_ago: dict[str, int], scope: Scope,
             earlier: Period) -> None:
    words = _change_words(current[key], year_ago[key])
    verb, number = (words[:2], words[2:]) if words != "持平" else ("持平", "")
    s.add(verb)
    if number:
        metric = m.METRICS[key]
        s.add(number, drill_url(key, scope, earlier), f"去年同期{year_ago[key]}{metric.unit}")
