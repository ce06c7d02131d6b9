"""Every metric against figures worked out by hand from the history in world.py.

How the expected numbers come about is written next to them; the labels name the matters of
world.py.
"""

import datetime

import pytest

from stats import metrics as m
from stats.periods import Period
from stats.scope import Scope
from stats.sentences import volume_sentence

pytestmark = pytest.mark.django_db

H1 = Period.half(2026, 1)
H1_2025 = Period.half(2025, 1)
TODAY = datetime.date(2026, 7, 20)

COUNTY_H1 = {
    "letters": 3,  # L3, L1, L2 (fax counts as a letter)
    "visit_groups": 4,  # V1, V2, V3, R1
    "visit_people": 22,  # 3 + 12 + 6 + 1
    "online": 2,  # O1, O2 (leader's mailbox)
    "phone": 1,  # P1
    "forwarded": 1,  # F1
    "contacts": 11,
    "total": 28,  # 3 letters + 22 visitors + 2 online + 1 call (F1 is not counted)
    "matters": 10,  # R1 is a contact of L1
    "new_matters": 10,
    "repeat_contacts": 1,
    "collective_groups": 2,  # V2, V3
    "collective_people": 18,
    "level_city_groups": 1, "level_city_people": 7,  # C1 at the city bureau about 东门社区
    "level_province_groups": 1, "level_province_people": 2,  # S1 about 河西镇
    "level_capital_groups": 1, "level_capital_people": 5,  # K1 about 青山区
}
COUNTY_H1_2025 = {
    "letters": 1, "visit_groups": 2, "visit_people": 9, "online": 1, "phone": 0, "forwarded": 0, "contacts": 4,
    "total": 11, "matters": 4, "new_matters": 4, "repeat_contacts": 0, "collective_groups": 1,
    "collective_people": 8, "level_city_groups": 1, "level_city_people": 9, "level_province_groups": 0,
    "level_province_people": 0, "level_capital_groups": 0, "level_capital_people": 0,
}


def county(world):
    return Scope.of(world.cast.county)


def test_county_volume(world, on_today):
    assert m.volume(county(world), H1) == COUNTY_H1
    assert m.volume(county(world), H1_2025) == COUNTY_H1_2025


def test_each_metric_alone_agrees_with_the_batch(world, on_today):
    scope = county(world)
    for key, expected in COUNTY_H1.items():
        assert m.get(key).value(scope, H1) == expected, key


def test_city_counts_its_own_visits_and_only_higher_levels_as_level_skipping(world, on_today):
    city = m.volume(Scope.of(world.cast.city), H1)
    assert (city["visit_groups"], city["visit_people"], city["contacts"], city["total"], city["matters"]) == (
        5, 29, 12, 35, 11)  # the county's plus C1 (7 people)
    assert (city["collective_groups"], city["collective_people"]) == (3, 25)
    assert (city["level_city_groups"], city["level_province_groups"], city["level_province_people"],
            city["level_capital_groups"], city["level_capital_people"]) == (0, 1, 2, 1, 5)
    province = m.volume(Scope.of(world.cast.province), H1)
    assert (province["contacts"], province["visit_people"], province["level_province_groups"],
            province["level_capital_groups"], province["level_capital_people"]) == (14, 36, 0, 1, 5)


def test_town_figures(world, on_today):
    town = m.volume(Scope.of(world.cast.town_a), H1)
    assert {k: town[k] for k in ("letters", "visit_groups", "visit_people", "contacts", "total", "matters",
                                 "collective_groups", "collective_people", "level_city_groups",
                                 "level_city_people", "level_province_groups", "level_capital_groups")} == {
        "letters": 1, "visit_groups": 1, "visit_people": 6, "contacts": 2, "total": 7, "matters": 2,
        "collective_groups": 1, "collective_people": 6, "level_city_groups": 1, "level_city_people": 7,
        "level_province_groups": 0, "level_capital_groups": 0}


def test_rates(world, on_today):
    rates = m.rates(county(world), H1, today=TODAY)
    assert {k: (v.numerator, v.denominator, v.percent) for k, v in rates.items()
            if k != "leader_case_resolution_rate"} == {
        # triage limits in H1: X1 (overdue), L3 L1 O1 L2 P1 F1 (met), V1 (late), V2 V3 (overdue); O2 falls on 07-15
        "on_time_acceptance": (6, 10, 60.0),
        # handling limits in H1: L3 L1 L2 F1 (met), V1 (late), P1 (overdue, unanswered)
        "on_time_closing": (4, 6, 66.7),
        # handling stage: L3 基本满意, L1 满意, F1 不满意, L2 expired
        "rating_rate": (3, 4, 75.0),
        "satisfaction": (2, 3, 66.7),
        # acceptance stage: L1 基本满意, F1 满意, L2 and L3 expired
        "acceptance_rating_rate": (2, 4, 50.0),
        "acceptance_satisfaction": (2, 2, 100.0),
        "repeat_rate": (1, 11, 9.1),
        "online_share": (2, 11, 18.2),
        "collective_share": (18, 28, 64.3),
        # concluded: L3 L1 (closed 03-20), L2 (04-05), F1 (05-15); resolved: L1 (support), L3 (explain + 基本满意)
        "resolution_rate": (2, 4, 50.0),
    }


def test_leader_case_rate(world, on_today):
    assert m.leader_cases_available(), (
        "leaders.selectors.leader_case_resolution (and leader_case_cohort) are missing: the leaders app must publish "
        "them for 包案化解率")
    from leaders.models import LeaderCase

    assert LeaderCase.objects.count() == 2, "the leaders app could not record 包案 yet (see world._leaders_ready)"
    metric = m.get("leader_case_resolution_rate")
    scope = county(world)
    # P1 closed 化解 on 05-20; V1 open past its 06-15 due date: 1 of 2.
    assert metric.value(scope, H1) == m.Ratio(1, 2)
    assert world.labels(metric.matters(scope, H1, part="num")) == {"P1"}
    assert world.labels(metric.matters(scope, H1, part="den")) == {"P1", "V1"}
    assert metric.value(Scope.of(world.cast.town_a), H1) == m.Ratio(0, 0)
    assert m.rates(scope, H1, today=TODAY)["leader_case_resolution_rate"] == m.Ratio(1, 2)


def test_rates_computed_alone_agree(world, on_today):
    scope = county(world)
    batch = m.rates(scope, H1, today=TODAY)
    for key, value in batch.items():
        if value is not None:
            assert m.get(key).value(scope, H1, today=TODAY) == value, key


def test_nothing_to_divide_is_none_not_zero(world, on_today):
    rates = m.rates(Scope.of(world.cast.unit_b2), H1, today=TODAY)
    assert rates["on_time_closing"] == m.Ratio(0, 0) and rates["on_time_closing"].percent is None


def test_work_on_hand(world, on_today):
    scope = county(world)
    overdue = m.get("overdue")
    assert overdue.value(scope, H1, today=TODAY) == 10
    assert world.labels(overdue.matters(scope, H1, today=TODAY)) == {
        "X1", "V2", "V3", "O2", "X2", "Y4", "Y1", "Y2", "Y3", "P1"}
    soon = m.get("due_soon")
    assert soon.value(scope, H1, today=TODAY) == 0
    july14 = datetime.date(2026, 7, 14)
    assert world.labels(soon.matters(scope, H1, today=july14)) == {"O2", "X2"}
    assert world.labels(overdue.matters(scope, H1, today=july14)) == {
        "X1", "V2", "V3", "Y4", "Y1", "Y2", "Y3", "P1"}


DRILL = {
    ("total", ""): {"L3", "L1", "L2", "O1", "P1", "V1", "V2", "V3", "O2"},
    ("matters", ""): {"L3", "L1", "L2", "O1", "P1", "F1", "V1", "V2", "V3", "O2"},
    ("contacts", ""): {"L3", "L1", "L2", "O1", "P1", "F1", "V1", "V2", "V3", "O2"},
    ("letters", ""): {"L3", "L1", "L2"},
    ("visit_groups", ""): {"V1", "V2", "V3", "L1"},
    ("visit_people", ""): {"V1", "V2", "V3", "L1"},
    ("online", ""): {"O1", "O2"},
    ("phone", ""): {"P1"},
    ("forwarded", ""): {"F1"},
    ("collective_groups", ""): {"V2", "V3"},
    ("collective_people", ""): {"V2", "V3"},
    ("repeat_contacts", ""): {"L1"},
    ("level_city_groups", ""): {"C1"},
    ("level_province_people", ""): {"S1"},
    ("level_capital_groups", ""): {"K1"},
    ("on_time_acceptance", "den"): {"X1", "L3", "L1", "O1", "L2", "P1", "F1", "V1", "V2", "V3"},
    ("on_time_acceptance", "num"): {"L3", "L1", "O1", "L2", "P1", "F1"},
    ("on_time_acceptance", "late"): {"V1"},
    ("on_time_acceptance", "overdue"): {"X1", "V2", "V3"},
    ("on_time_closing", "den"): {"L3", "L1", "L2", "P1", "F1", "V1"},
    ("on_time_closing", "num"): {"L3", "L1", "L2", "F1"},
    ("on_time_closing", "overdue"): {"P1"},
    ("rating_rate", "den"): {"L3", "L1", "L2", "F1"},
    ("rating_rate", "num"): {"L3", "L1", "F1"},
    ("satisfaction", "den"): {"L3", "L1", "F1"},
    ("satisfaction", "num"): {"L3", "L1"},
    ("resolution_rate", "den"): {"L3", "L1", "L2", "F1"},
    ("resolution_rate", "num"): {"L3", "L1"},
    ("repeat_rate", "num"): {"L1"},
    ("collective_share", "num"): {"V2", "V3"},
    ("online_share", "num"): {"O1", "O2"},
}


@pytest.mark.parametrize(("key", "part"), list(DRILL))
def test_every_figure_drills_down_to_its_matters(world, on_today, key, part):
    matters = m.get(key).matters(county(world), H1, part=part, today=TODAY)
    assert world.labels(matters) == DRILL[(key, part)]


def test_matter_counted_figures_equal_their_drill_down_counts(world, on_today):
    scope = county(world)
    for key in ("matters", "new_matters"):
        assert m.get(key).matters(scope, H1).count() == COUNTY_H1[key]
    for key, ratio in m.rates(scope, H1, today=TODAY).items():
        metric = m.get(key)
        if ratio is None or isinstance(metric, m.ContactRatio):
            continue
        assert metric.matters(scope, H1, part="num", today=TODAY).count() == ratio.numerator, key
        assert metric.matters(scope, H1, part="den", today=TODAY).count() == ratio.denominator, key


def test_yoy_and_the_sentence(world, on_today):
    scope = county(world)
    assert m.change(28, 11) == 154.5 and m.change(7, 9) == -22.2 and m.change(1, 0) is None
    sentence = volume_sentence(scope, H1)
    assert sentence.text == ("2026年上半年受理群众来信来访28件次，其中来信3件，来访22人次，网上信访2件，来电1件；"
                             "集体访2批18人次，比去年同期批数上升100.0%，人数上升125.0%。")
    links = {p.text: p.url for p in sentence.links}
    assert set(links) == {"28", "3", "22", "2", "1", "18", "100.0%", "125.0%"}
    assert links["22"].startswith("/stats/drill/visit_people/?") and "from=2026-01-01" in links["22"]
    assert "to=2026-06-30" in links["22"] and f"unit={world.cast.county.pk}" in links["22"]
    # A change links to the figure it compares with: last year's collective visits.
    assert "/collective_groups/" in links["100.0%"] and "from=2025-01-01" in links["100.0%"]


def test_sentence_words_for_falls_and_missing_comparisons(world, on_today):
    town = Scope.of(world.cast.town_a)
    # 2026 H1: V3 (6 people, collective); 2025 H1 no collective visit in the town.
    assert volume_sentence(town, H1).text == (
        "2026年上半年受理群众来信来访7件次，其中来信1件，来访6人次；集体访1批6人次，去年同期无集体访。")
    city = Scope.of(world.cast.city)
    assert volume_sentence(city, Period.half(2025, 2)).text == "2025年下半年受理群众来信来访1件次，其中来信1件，来访0人次；无集体访。"
    # Q1 2026 against Q1 2025 in the county: no collective visit now (V2 came in April), one then (Y2).
    assert volume_sentence(county(world), Period.quarter(2026, 1)).text == (
        "2026年1—3月受理群众来信来访8件次，其中来信3件，来访3人次，网上信访1件，来电1件；无集体访（去年同期1批8人次）。")
    assert volume_sentence(Scope.of(world.cast.unit_b2), H1).text == "2026年上半年未受理群众来信来访。"


def test_rankings(world, on_today):
    from stats import selectors as sel

    rows = sel.rankings(county(world), H1, today=TODAY)
    table = [(r.unit.name, r.values["collective_groups"], r.values["collective_people"], r.values["total"],
              r.values["level_city_people"], r.values["level_province_people"]) for r in rows]
    assert table == [
        ("青山区信访局", 1, 12, 20, 0, 0),  # L3 L1 O1 V1(3) V2(12) R1 O2
        ("城关街道", 1, 6, 7, 7, 0),  # L2, V3(6); C1 reached the city about 东门社区
        ("青山区住房和城乡建设局", 0, 0, 1, 0, 0),  # P1
        ("青山区人力资源和社会保障局", 0, 0, 0, 0, 0),
        ("河西镇", 0, 0, 0, 0, 2),  # S1 reached the province about 河西镇
    ]
    by_unit = {r.unit.name: r.values for r in rows}
    # Triage clocks belong to the receiving unit: L2 and V3 to 城关街道, P1 to 住建局, the rest to the bureau.
    assert by_unit["青山区信访局"]["on_time_acceptance"] == m.Ratio(4, 7)
    assert by_unit["城关街道"]["on_time_acceptance"] == m.Ratio(1, 2)
    assert by_unit["青山区住房和城乡建设局"]["on_time_acceptance"] == m.Ratio(1, 1)
    assert by_unit["青山区住房和城乡建设局"]["on_time_closing"] == m.Ratio(4, 6)
    assert by_unit["青山区住房和城乡建设局"]["satisfaction"] == m.Ratio(2, 3)
    assert by_unit["城关街道"]["on_time_closing"] == m.Ratio(0, 0)
    by_closing = [r.unit.name for r in sel.rankings(county(world), H1, today=TODAY, order="on_time_closing")]
    assert by_closing[0] == "青山区住房和城乡建设局"
    assert [r.unit.name for r in sel.rankings(county(world), H1, today=TODAY, order="total")][:3] == [
        "青山区信访局", "城关街道", "青山区住房和城乡建设局"]


def test_hot_topics_from_insight_or_from_category_growth(world, on_today, monkeypatch):
    import sys
    import types

    from stats import selectors as sel

    fake = types.ModuleType("insight.selectors")
    calls = []

    def ranked(unit, start, end, limit=5):
        calls.append((unit.name, start, end, limit))
        return [types.SimpleNamespace(label=f"{unit.name}物业费纠纷", contacts=9, previous=2, url="/insight/1/")]

    fake.top_hot_topics = ranked
    monkeypatch.setitem(sys.modules, "insight.selectors", fake)
    assert [(t.label, t.contacts, t.growth, t.url, t.source) for t in sel.hot_topics(county(world), H1)] == [
        ("青山区物业费纠纷", 9, 350.0, "/insight/1/", "insight")]
    assert calls == [("青山区", *H1.bounds(), 5)]  # [start, end) of the period
    # Nothing ranked (too little text), or a ranking of another shape: third-level categories by 件次
    # plus growth against 2025 H2 (when none of these came in), each drilling down to its contacts.
    category_topics = [
        ("城乡建设/住房保障/物业管理", 3, 0, "category"), ("城乡建设/规划建设/违法建设", 3, 0, "category"),
        ("劳动社保/工资福利/拖欠工资", 2, 0, "category"), ("城乡建设（未细分）", 1, 0, "category")]
    for other in (lambda unit, start, end, limit=5: [], lambda scope: []):
        fake.top_hot_topics = other
        topics = sel.hot_topics(county(world), H1)
        assert [(t.label, t.contacts, t.previous, t.source) for t in topics] == category_topics
        assert all(t.url.startswith("/stats/drill/contacts/") for t in topics)
