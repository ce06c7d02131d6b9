"""The matter page: everything on one page (lifecycle panel, clocks, documents, leader panel,
timeline) with a pinned number of queries, whatever the length of the history."""

import datetime
import re

import pytest

from deadlines import services as deadlines
from handling import services as s
from xinfang.testing import client_for

pytestmark = pytest.mark.django_db
# Session, user, matter, contacts, people, attachments, accused, events, documents, lifecycle panel
# (dispatch, reply, extension, clocks, reviews), leader panel, notification bell. No session write
# (SessionIdleRefreshMiddleware writes at most once a minute).
PINNED = 22


def handled_history(cast, matter):
    s.transfer(matter, actor=cast.officer, to_unit=cast.unit_b)
    s.acknowledge(matter, actor=cast.handler_b)
    for i in range(3):
        s.add_note(matter, actor=cast.handler_b, text=f"第{i + 1}次调查记录")


def test_matter_page_query_count_is_pinned(cast, matter, django_assert_num_queries):
    handled_history(cast, matter)
    client = client_for(cast.handler_b)
    client.get(f"/petitions/{matter.pk}/")  # warm caches (holiday table, templates)
    with django_assert_num_queries(PINNED):
        assert client.get(f"/petitions/{matter.pk}/").status_code == 200
    for i in range(10):
        s.add_note(matter, actor=cast.handler_b, text=f"补充记录{i}")
    with django_assert_num_queries(PINNED):
        page = client.get(f"/petitions/{matter.pk}/").content.decode()
    assert "补充记录9" in page and 'data-testid="lifecycle-panel"' in page and 'data-testid="clocks"' in page
    assert 'data-testid="documents"' in page and "出具受理告知书" in page  # event labels in Chinese


def test_panel_shows_each_clock_as_the_deadlines_selector_counts_it(cast, matter, frozen):
    """Open clocks first, soonest due; a paused clock stands still at its pause day; a finished one
    shows its state."""
    s.transfer(matter, actor=cast.officer, to_unit=cast.unit_b)  # stops triage (met), starts acceptance_notice
    s.acknowledge(matter, actor=cast.handler_b)  # stops acceptance_notice, starts handling
    deadlines.pause_clock(matter, "handling", on=datetime.date(2026, 3, 2))
    deadlines.start_clock(matter, "report_back", unit=cast.unit_b, start=datetime.date(2026, 2, 1))
    frozen.shift(datetime.timedelta(days=10))
    page = client_for(cast.officer).get(f"/petitions/{matter.pk}/").content.decode()
    table = page[page.index('data-testid="clocks"'):]
    table = table[:table.index("</table>")]
    cells = [re.sub(r"<[^>]+>|\s+", " ", row).split()
             for row in re.findall(r"<tr>\s*<td>(.*?)</tr>", table, flags=re.S)]
    assert [(c[0], c[2], c[-1]) for c in cells] == [
        ("交办报结", "2026-03-03", "已超期9日"),  # started Feb 1 (30 days); today Mar 12
        # Mar 2 + 60 days = May 1, in the Labour Day holiday: May 6. Counted from the pause day
        # (Mar 2), not from today, which would say 55.
        ("办理", "2026-05-06", "剩余65日（暂停）"),
        ("转送异议", "2026-03-09", "已撤销"),  # acknowledging the transfer drops the objection window
        ("登记转送交办", "2026-03-17", "按期完成"),
        ("书面告知受理", "2026-03-17", "按期完成"),
    ]
