import datetime
import math

import pytest

from insight.engine.hot_topics import Item, heat_index, hot_topics

TZ = datetime.timezone(datetime.timedelta(hours=8))
NOW = datetime.datetime(2026, 6, 30, 18, 0, tzinfo=TZ)
NOISE = ["油烟", "烧烤", "夜宵", "扰民", "门面", "排烟", "味道"]


def at(days_ago: float) -> datetime.datetime:
    return NOW - datetime.timedelta(days=days_ago)


def parking(n: int, first_id: int, days_ago: float, user_prefix: str = "u", likes: int = 0) -> list[Item]:
    return [Item(id=first_id + i, title="伊景园小区捆绑销售车位", text=f"开发商强制捆绑销售车位，不买车位不给交房，第{i}户业主",
                 time=at(days_ago + i * 0.1), locality="A7县", user=f"{user_prefix}{i}", likes=likes) for i in range(n)]


def smoke(n: int, first_id: int, days_ago: float) -> list[Item]:
    return [Item(id=first_id + i, title="魅力之城临街门面油烟扰民", text=f"小区楼下烧烤夜宵油烟直排，{NOISE[i % 7]}很大",
                 time=at(days_ago + i), locality="A5区", user="same-user") for i in range(n)]


def test_heat_index_formula():
    heat, parts = heat_index(volume=9, recent=6, previous=2, people=5, localities=2, likes=20)
    expected = math.log(10) + 0.5 * math.log(7 / 3) + 0.5 * math.log(6) + 0.3 * math.log(3) + 0.3 * math.log(21)
    assert heat == round(expected, 4)
    assert parts["growth"] == round(7 / 3, 3)
    assert parts["volume"] == 9 and parts["likes"] == 20


def test_clusters_by_text_and_ranks_by_heat():
    unrelated = [Item(id=900 + n, title=t, text=t, time=at(n), locality="A1区") for n, t in enumerate(
        ["公交线路调整建议", "学校周边交通拥堵", "医院挂号难", "菜市场卫生差", "路灯不亮"])]
    topics = hot_topics(parking(8, 1, 1) + smoke(5, 100, 2) + unrelated, now=NOW, window_days=30)
    assert [sorted(t.item_ids) for t in topics] == [list(range(1, 9)), list(range(100, 105))]
    first, second = topics
    assert first.titles[0] == "伊景园小区捆绑销售车位"
    assert "车位" in first.keywords and "捆绑" in first.keywords
    assert first.localities == {"A7县": 8}
    assert second.components["people"] == 1  # one person writing five times is spread 1
    assert first.heat > second.heat
    assert not any(k.startswith("@") for t in topics for k in t.keywords)


def test_growth_compares_the_recent_window_with_the_one_before():
    topics = hot_topics(parking(4, 1, 40) + parking(6, 50, 2, user_prefix="v"), now=NOW, window_days=30,
                        min_size=3)
    assert len(topics) == 1
    c = topics[0].components
    assert (c["recent"], c["previous"], c["growth"]) == (6, 4, round(7 / 5, 3))


def test_likes_raise_heat_and_min_size_filters():
    plain = hot_topics(parking(3, 1, 1), now=NOW)[0]
    liked = hot_topics(parking(3, 1, 1, likes=50), now=NOW)[0]
    assert liked.components["likes"] == 150
    assert liked.heat == pytest.approx(plain.heat + 0.3 * math.log(151), abs=1e-3)
    assert hot_topics(parking(2, 1, 1), now=NOW, min_size=3) == []


def test_mappings_are_accepted_and_empty_input():
    rows = [{"id": i.id, "title": i.title, "text": i.text, "time": i.time, "locality": i.locality} for i in parking(3, 1, 1)]
    assert [t.size for t in hot_topics(rows, now=NOW)] == [3]
    assert hot_topics([]) == []
