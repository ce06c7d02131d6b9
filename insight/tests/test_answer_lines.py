import pytest

from insight.engine.answer_lines import AnswerLineIndex, PastReply, excerpt

PAST = [
    PastReply(1, "幸福小区停水", "幸福小区停水三天自来水没有恢复", "网友：您好！留言已收悉。现将有关情况回复如下：经核实，幸福小区停水系主管道爆裂，自来水公司已于当日抢修完毕并恢复供水。"),
    PastReply(2, "学校招生划片", "孩子入学学区划分不合理", "您好！关于学区划分，教育局依据户籍和房产划片招生，具体以当年招生方案为准。感谢您的关注。"),
    PastReply(3, "拖欠工资", "包工头拖欠农民工工资", "现就您反映的问题答复如下：劳动监察大队已立案调查，责令企业限期支付拖欠工资。"),
    PastReply(4, "无答复", "没有答复的事项", ""),
]


def test_retrieves_the_reply_to_the_most_similar_past_matter():
    index = AnswerLineIndex(PAST)
    assert len(index) == 3  # a matter without a reply is not an answer line
    hits = index.query("我们小区又停水了，自来水公司什么时候恢复供水", title="小区停水", k=2)
    assert hits[0].id == 1
    assert hits[0].excerpt.startswith("经核实，幸福小区停水系主管道爆裂")
    assert hits[0].score > (hits[1].score if len(hits) > 1 else 0)


def test_exclude_and_min_score():
    index = AnswerLineIndex(PAST)
    assert [h.id for h in index.query("包工头拖欠工资", k=3, exclude=3)] != [3]
    assert index.query("完全无关的内容比如天气", k=3, min_score=0.5) == []


def test_excerpt_skips_greetings_and_formulas():
    assert excerpt("网友：您好！留言已收悉。现将有关情况回复如下：经调查，情况属实，已责令整改到位。") == "经调查，情况属实，已责令整改到位。"
    assert excerpt("“UU008913”：您好！收悉您反映的问题，现将有关情况回复如下：一、关于评委的问题。本次面试评委均经随机抽取产生。") == \
        "一、关于评委的问题。本次面试评委均经随机抽取产生。"
    assert excerpt("您好！关于学区划分，教育局依据户籍和房产划片招生，具体以当年招生方案为准。") == \
        "关于学区划分，教育局依据户籍和房产划片招生，具体以当年招生方案为准。"
    long = "经核实" + "情况" * 200
    assert excerpt(long, length=10) == long[:10] + "…"


def test_save_and_load(tmp_path):
    index = AnswerLineIndex(PAST)
    path = index.save(tmp_path / "a.pkl")
    loaded = AnswerLineIndex.load(path)
    assert [h.id for h in loaded.query("孩子入学学区", k=1)] == [2]
    (tmp_path / "b.pkl").write_bytes(b"\x80\x04N.")
    with pytest.raises(ValueError):
        AnswerLineIndex.load(tmp_path / "b.pkl")
