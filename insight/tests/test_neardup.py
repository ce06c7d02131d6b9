import numpy as np
import pytest

from insight.engine.neardup import FORMAT_VERSION, NearDuplicateIndex

BASE = [
    "青山区东门社区幸福小区三号楼楼道漏水半年无人维修，物业推诿，请求相关部门督促物业尽快修好。",
    "河西镇中心小学门口早晚上下学时段车辆乱停乱放，孩子过马路很危险，希望交警在校门口设置护学岗。",
    "城关街道建材市场附近的搅拌站夜间施工噪音扰民，粉尘很大，居民晚上无法休息，请环保部门查处。",
    "某公司拖欠我们二十多名农民工工资共计三十万元，包工头失联，劳动监察部门能否帮忙追讨。",
    "开发商承诺去年十二月交房，现在已经逾期八个月还没有交付，合同约定的违约金也不兑现。",
]


def test_exact_and_lightly_edited_texts_are_found_unrelated_ones_are_not():
    index = NearDuplicateIndex()
    for n, text in enumerate(BASE, 1):
        index.add(n, text)
    assert len(index) == 5
    assert index.query(BASE[0], k=5, min_score=0.5) == [(1, 1.0)]
    edited = BASE[2].replace("夜间", "晚上").replace("，请环保部门查处。", "！")
    hits = index.query(edited, k=5, min_score=0.5)
    assert [h[0] for h in hits] == [3]
    assert 0.5 < hits[0][1] < 1.0
    assert index.query("市民建议增加公交线路，方便老人去医院看病。", k=5, min_score=0.3) == []


def test_scores_equal_brute_force_cosine_and_query_ranks_best_first():
    index = NearDuplicateIndex()
    texts = BASE + [BASE[1] + "另外斑马线也已经模糊不清。", BASE[1][:30]]
    index.add_many(range(1, len(texts) + 1), texts)
    query = BASE[1]
    hits = index.query(query, k=3, min_score=0.2)
    exact = index.brute_force([query], 0.2)[0]
    assert hits == exact[:3]
    assert [h[0] for h in hits][0] == 2
    assert hits[0][1] == 1.0
    assert hits == sorted(hits, key=lambda h: -h[1])


def test_exclude_and_min_score():
    index = NearDuplicateIndex()
    index.add_many([1, 2], [BASE[0], BASE[0]])
    assert index.query(BASE[0], exclude=1) == [(2, 1.0)]
    assert index.query(BASE[0], min_score=1.01) == []


def test_incremental_adds_flush_into_sorted_segments_and_stay_findable():
    rng = np.random.default_rng(3)
    chars = list("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处理府研质")
    texts = ["".join(rng.choice(chars, 60)) for _ in range(300)]
    index = NearDuplicateIndex(buffer_docs=16)
    for n, text in enumerate(texts):
        index.add(n, text)
    assert len(index._segments) <= 12  # geometric merging keeps the number of segments logarithmic
    for n in (0, 17, 150, 299):
        assert index.query(texts[n], k=1) == [(n, 1.0)]
    assert index.max_id() == 299


def test_re_adding_an_id_replaces_its_text_and_remove_forgets_it():
    index = NearDuplicateIndex()
    index.add_many([1, 2], BASE[:2])
    index.add(1, BASE[3])
    assert len(index) == 2
    assert index.query(BASE[0], min_score=0.5) == []
    assert index.query(BASE[3], min_score=0.5) == [(1, 1.0)]
    assert index.remove(2) is True
    assert index.remove(2) is False
    assert 2 not in index
    assert index.query(BASE[1], min_score=0.3) == []
    assert len(index) == 1


def test_build_sets_stop_shingles_from_a_large_corpus_only():
    small = NearDuplicateIndex.build(range(5), BASE)
    assert small.stop_shingles.size == 0
    texts = [f"关于{n}号楼的问题反映：{BASE[n % 5]}" for n in range(1000)]
    big = NearDuplicateIndex.build(range(1000), texts, max_df=0.5)
    assert big.stop_shingles.size > 0
    assert big.query(texts[7], k=1) == [(7, 1.0)]


def test_save_and_load_round_trip(tmp_path):
    index = NearDuplicateIndex.build(range(1, 6), BASE)
    index.add(6, BASE[4] + "再次反映。")
    index.remove(2)
    path = tmp_path / "idx" / "neardup.npz"
    index.save(path)
    loaded = NearDuplicateIndex.load(path)
    assert len(loaded) == 5
    assert 2 not in loaded
    for text in BASE:
        assert loaded.query(text, k=5, min_score=0.2) == index.query(text, k=5, min_score=0.2)
    loaded.add(7, BASE[1])
    assert loaded.query(BASE[1], k=1) == [(7, 1.0)]
    assert loaded.max_id() == 7


def test_load_refuses_another_format_version(tmp_path):
    import json

    index = NearDuplicateIndex.build([1], [BASE[0]])
    path = tmp_path / "neardup.npz"
    index.save(path)
    with np.load(path) as data:
        arrays = {k: data[k] for k in data.files}
    meta = json.loads(bytes(arrays["meta"]).decode())
    meta["version"] = FORMAT_VERSION + 1
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match="format version"):
        NearDuplicateIndex.load(path)


def test_empty_text_and_empty_index():
    index = NearDuplicateIndex()
    assert index.query(BASE[0]) == []
    index.add(1, "")
    index.add(2, BASE[0])
    assert index.query("") == []
    assert index.query(BASE[0]) == [(2, 1.0)]


def test_only_the_candidates_sharing_the_most_bands_are_scored(monkeypatch):
    from insight.engine import neardup

    index = NearDuplicateIndex()
    # A campaign: many letters from one template, and the text itself among them.
    campaign = [BASE[3].replace("二十多名", f"{n}名") for n in range(10, 60)]
    index.add_many(range(1, len(campaign) + 2), [*campaign, BASE[0]])
    everything = index.candidates(BASE[3])
    assert len(everything) > 5
    monkeypatch.setattr(neardup, "MAX_SCORED", 5)
    assert len(index.candidates(BASE[3])) == 5
    best = index.brute_force([campaign[0]], 0.5)[0][0]
    assert index.query(campaign[0], k=1, min_score=0.5) == [best]  # the text itself shares every band
