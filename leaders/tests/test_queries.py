"""Pinned query counts: the monthly list, the leader's page, the matter panel and the API lists do not
grow with the number of cases and instructions."""

import datetime

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from handling import services as lifecycle
from leaders import selectors, services
from xinfang.testing import client_for, make_petition

pytestmark = pytest.mark.django_db


def count(fn):
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def owned(cast, n):
    for i in range(n):
        petition = make_petition(cast.county_bureau, actor=cast.officer, title=f"事项{i}", name=f"人{i}",
                                 phone=f"1390000{i:04d}")
        lifecycle.accept(petition, actor=cast.officer)
        lifecycle.assign(petition, actor=cast.officer, to_unit=cast.unit_b, report_due_on=datetime.date(2026, 5, 1))
        services.instruct(petition, actor=cast.leader, text="抓紧")
        services.assign_case(petition, actor=cast.leader, leader=cast.leader, responsible_unit=cast.unit_b,
                             handler=cast.handler_b, due_on=datetime.date(2026, 3, 20 + i), quality_target="息访")


def test_lists_do_not_grow(cast, frozen, rf):
    client = client_for(cast.leader)
    api = APIClient()
    api.force_authenticate(cast.leader)

    def measure():
        return [count(lambda: selectors.monthly_cases(cast.leader, 2026, 3)),
                count(lambda: client.get("/leaders/")),
                count(lambda: client.get("/leaders/cases/monthly/?month=2026-03")),
                count(lambda: client.get("/leaders/tasks/")),
                count(lambda: api.get("/api/leaders/cases/")),
                count(lambda: api.get("/api/leaders/instructions/"))]

    owned(cast, 2)
    client.get("/leaders/")  # the session's first refresh (a write, then none for a minute)
    small = measure()
    owned(cast, 2)  # indexes 0–1 again: new matters, new cases
    assert measure() == small


def test_panel_queries_are_pinned(cast, matter, rf, django_assert_num_queries):
    services.instruct(matter, actor=cast.leader, text="抓紧")
    services.instruct(matter, actor=cast.leader, text="", kind="read")
    request = rf.get("/")
    request.user = cast.handler_b
    template = Template("{% load leaders %}{% leader_panel petition %}")
    with django_assert_num_queries(4):  # instructions, cases, hearings, meetings
        template.render(Context({"request": request, "petition": matter}))
