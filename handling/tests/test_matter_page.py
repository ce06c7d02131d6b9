"""The matter page: everything on one page (lifecycle panel, clocks, documents, leader panel,
timeline) with a pinned number of queries, whatever the length of the history."""

import pytest

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
