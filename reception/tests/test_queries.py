"""Pinned query counts: the display board, the desk page and the API lists do not grow with the queue."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from reception import selectors, services
from xinfang.testing import client_for

pytestmark = pytest.mark.django_db


def count(fn):
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def queue(cast, setup, n):
    for _ in range(n):
        services.issue_ticket(setup.desk, actor=cast.officer)
        services.issue_ticket(setup.leader_desk, actor=cast.officer)
    services.call_next(setup.desk, actor=cast.officer)
    services.call_next(setup.leader_desk, actor=cast.officer)


def test_board_queries_are_constant(cast, setup, frozen, django_assert_num_queries):
    queue(cast, setup, 2)
    with django_assert_num_queries(4):
        selectors.board(setup.center, datetime.date(2026, 3, 2))
    queue(cast, setup, 6)
    with django_assert_num_queries(4):
        selectors.board(setup.center, datetime.date(2026, 3, 2))


def test_pages_and_api_do_not_grow_with_the_queue(cast, setup, frozen):
    client = client_for(cast.officer)
    api = APIClient()
    api.force_authenticate(cast.officer)
    pages = [f"/reception/centers/{setup.center.pk}/display/board/", f"/reception/desks/{setup.desk.pk}/",
             f"/reception/centers/{setup.center.pk}/"]
    queue(cast, setup, 2)
    client.get(pages[0])  # the session's first refresh (a write, then none for a minute)
    small = [count(lambda u=u: client.get(u)) for u in pages] + [count(lambda: api.get("/api/reception/tickets/"))]
    queue(cast, setup, 8)
    large = [count(lambda u=u: client.get(u)) for u in pages] + [count(lambda: api.get("/api/reception/tickets/"))]
    assert small == large
