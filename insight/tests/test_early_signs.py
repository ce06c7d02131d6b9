import datetime

import pytest

from insight.engine.early_signs import early_signs

TZ = datetime.timezone(datetime.timedelta(hours=8))
DAY0 = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=TZ)
WATER = [
    "东门社区幸福小区又停水了，已经三天没有自来水，老人孩子生活困难",
    "幸福小区停水三天没人管，自来水公司电话打不通，生活很困难",
    "我们幸福小区停水好几天了，自来水一直没有恢复，请求尽快恢复供水",
    "东门社区幸福小区停水，自来水管道爆裂三天还没修好",
    "幸福小区居民反映停水问题，自来水公司说在抢修但三天了还没有水",
    "幸福小区已经连续停水，自来水什么时候恢复，居民生活很困难",
]
OTHER = [
    "河西镇中学食堂饭菜价格太贵，学生吃不起",
    "城关街道菜市场门口占道经营严重",
    "某公司拖欠员工工资三个月",
    "建议在人民公园增加健身器材",
]


def items(texts, locality, start, step_hours=20, first_id=1):
    return [{"id": first_id + n, "text": t, "locality": locality, "time": start + datetime.timedelta(hours=step_hours * n)}
            for n, t in enumerate(texts)]


def test_k_similar_matters_from_one_locality_within_d_days_are_a_sign():
    data = items(WATER, "东门社区", DAY0) + items(OTHER, "东门社区", DAY0, first_id=100)
    signs = early_signs(data, k=5, days=7)
    assert len(signs) == 1
    sign = signs[0]
    assert sign.locality == "东门社区"
    assert sorted(sign.item_ids) == [1, 2, 3, 4, 5, 6]
    assert sign.size == 6
    assert sign.start == DAY0
    assert sign.end == DAY0 + datetime.timedelta(hours=100)
    assert "停水" in sign.keywords


def test_fewer_than_k_is_no_sign_and_k_is_inclusive():
    data = items(WATER[:4], "东门社区", DAY0)
    assert early_signs(data, k=5, days=7) == []
    assert [s.size for s in early_signs(data, k=4, days=7)] == [4]


def test_the_same_complaints_spread_over_localities_are_no_sign():
    data = [dict(item, locality=f"社区{n}") for n, item in enumerate(items(WATER, "x", DAY0))]
    assert early_signs(data, k=3, days=7) == []


def test_the_same_complaints_spread_over_time_are_no_sign():
    data = items(WATER, "东门社区", DAY0, step_hours=24 * 5)  # one every five days
    assert early_signs(data, k=3, days=7) == []
    # three of them fall within fifteen days
    assert [s.size for s in early_signs(data, k=3, days=15)] == [4]


def test_only_matters_of_the_last_d_days_count_when_now_is_given():
    data = items(WATER, "东门社区", DAY0)
    now = DAY0 + datetime.timedelta(days=8)  # matters older than now - 7 days drop out
    kept = [i for i in data if i["time"] >= now - datetime.timedelta(days=7)]
    assert len(kept) == 4
    assert [s.size for s in early_signs(data, k=4, days=7, now=now)] == [4]
    assert early_signs(data, k=5, days=7, now=now) == []


def test_items_without_locality_are_ignored_and_objects_work_too():
    class Matter:
        def __init__(self, pk, text, locality, time):
            self.id, self.text, self.locality, self.time = pk, text, locality, time

    data = [Matter(i["id"], i["text"], None if i["id"] == 1 else i["locality"], i["time"])
            for i in items(WATER, "东门社区", DAY0)]
    assert [sorted(s.item_ids) for s in early_signs(data, k=5, days=7)] == [[2, 3, 4, 5, 6]]


def test_two_localities_two_signs_largest_first():
    data = items(WATER, "东门社区", DAY0) + items(WATER[:5], "西门社区", DAY0, first_id=50)
    signs = early_signs(data, k=5, days=7)
    assert [(s.locality, s.size) for s in signs] == [("东门社区", 6), ("西门社区", 5)]


def test_bad_parameters():
    with pytest.raises(ValueError):
        early_signs([], k=1, days=7)
    with pytest.raises(ValueError):
        early_signs([], k=3, days=-1)
    assert early_signs([], k=3, days=7) == []
