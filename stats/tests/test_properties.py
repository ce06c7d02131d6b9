"""Totals equal the sum of their parts, for any set of contacts (hypothesis)."""

import datetime
import zoneinfo

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from petitions.bulk import BulkContact, BulkMatter, BulkWriter
from petitions.choices import Channel, Kind
from petitions.models import Category
from petitions.services import PersonInput
from stats import metrics as m
from stats import selectors as sel
from stats.periods import Period
from stats.scope import Scope

pytestmark = pytest.mark.django_db

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
PERIOD = Period.half(2026, 1)
START = datetime.datetime(2025, 12, 20, tzinfo=TZ)  # some contacts fall before the period, some after

contact = st.fixed_dictionaries({
    "channel": st.sampled_from(Channel.values),
    "headcount": st.integers(min_value=1, max_value=40),
    "unit": st.integers(min_value=0, max_value=7),
    "minutes": st.integers(min_value=0, max_value=60 * 24 * 200),
})
matter = st.fixed_dictionaries({
    "kind": st.sampled_from(Kind.values),
    "locality": st.integers(min_value=0, max_value=5),
    "category": st.integers(min_value=0, max_value=3),
    "contacts": st.lists(contact, min_size=1, max_size=3),
})


class Rollback(Exception):
    pass


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(matters=st.lists(matter, min_size=0, max_size=12))
def test_totals_are_the_sum_of_their_parts(cast, matters):
    units = [cast.county_bureau, cast.town_a, cast.village_a, cast.unit_b, cast.city_bureau, cast.province,
             cast.town_c, cast.county]
    localities = [None, cast.village_a, cast.town_a, cast.town_c, cast.county, cast.city]
    root = Category.objects.get_or_create(name="城乡建设", parent=None)[0]
    middle = Category.objects.get_or_create(name="住房保障", parent=root)[0]
    leaf = Category.objects.get_or_create(name="物业管理", parent=middle)[0]
    categories = [None, root, middle, leaf]
    try:
        with transaction.atomic():
            writer = BulkWriter(historical=True)
            batch = []
            for i, spec in enumerate(matters):
                contacts = []
                for c in sorted(spec["contacts"], key=lambda c: c["minutes"]):
                    contacts.append(BulkContact(
                        received_at=START + datetime.timedelta(minutes=c["minutes"]), channel=c["channel"],
                        receiving_unit=units[c["unit"]], headcount=c["headcount"],
                        people=[PersonInput(name=f"甲{i}")]))
                category = categories[spec["category"]]
                locality = localities[spec["locality"]]
                batch.append(BulkMatter(title=f"事项{i}", content="内容", contacts=contacts, kind=spec["kind"],
                                        category_id=category.pk if category else None,
                                        locality_id=locality.pk if locality else None))
            writer.write(batch)
            for unit in (cast.county, cast.city, cast.town_a):
                check(Scope.of(unit))
            raise Rollback
    except Rollback:
        pass


def check(scope):
    v = m.volume(scope, PERIOD)
    assert v["total"] == v["letters"] + v["visit_people"] + v["online"] + v["phone"]
    assert v["contacts"] == v["letters"] + v["visit_groups"] + v["online"] + v["phone"] + v["forwarded"]
    assert v["contacts"] == v["new_matters"] + v["repeat_contacts"]
    assert v["collective_groups"] <= v["visit_groups"] and v["collective_people"] <= v["visit_people"]
    assert v["matters"] <= v["contacts"]
    for dim in ("channel", "receiving_unit", "kind", "category1", "category2", "category3", "locality",
                "handling_unit"):
        segments = sel.breakdown(scope, PERIOD, dim, compare=False)
        for measure in ("contacts", "total", "visit_people", "collective_groups", "collective_people"):
            assert sum(s.values[measure] for s in segments) == v[measure], (dim, measure)
        if m.DIMENSIONS[dim].level == "matter":
            assert sum(s.values["matters"] for s in segments) == v["matters"], dim
        # Each segment's drill-down lists exactly the matters it counts.
        for s in segments:
            if "matters" in s.values:
                assert m.get("matters").matters(scope, PERIOD, dim=dim, key=s.key).count() == s.values["matters"]
    months = m.monthly(scope, PERIOD.months(), ["contacts", "total", "visit_people"])
    for key in ("contacts", "total", "visit_people"):
        assert sum(month[key] for month in months) == v[key]
    ranking = sel.rankings(scope, PERIOD, today=datetime.date(2026, 7, 1))
    assert sum(r.values["total"] for r in ranking) == v["total"]
    assert sum(r.values["collective_people"] for r in ranking) == v["collective_people"]
    assert m.get("total").matters(scope, PERIOD).count() <= v["matters"]
