import datetime

import pytest
from django.utils import timezone

from audit.models import AuditEntry
from core.errors import DomainError
from insight import selectors, services, store
from insight.models import SuggestionFeedback
from insight.tests.app_data import HOUSING, SCHOOL, WAGES, category, history
from petitions.models import Petition
from xinfang.testing import make_petition

pytestmark = pytest.mark.django_db

HOUSING_TEXT = "开发商合同约定去年交房，楼盘至今逾期没有交付，购房的房产证也没有"


@pytest.fixture
def trained(suggesters):
    return suggesters


def test_suggestions_at_every_level_of_the_tree_and_the_unit_with_terms(cast, trained):
    result = services.suggest_tree(HOUSING_TEXT)
    levels = result["levels"]
    assert [lvl[0]["label"] for lvl in levels] == ["城乡建设", "城乡建设/房地产市场", HOUSING]
    for lvl in levels:
        assert len(lvl) <= 3
        confidences = [s["confidence"] for s in lvl]
        assert confidences == sorted(confidences, reverse=True)
        assert 0 < sum(confidences) <= 1.0001
    assert levels[0][0]["confidence"] > 0.5
    assert {"开发商", "交房"} & set(levels[2][0]["terms"])
    assert result["unit"][0]["label"] == cast.unit_b.code
    assert set(result["versions"]) == {"category", "category_path", "unit"}
    assert services.suggest_tree("   ") == {"levels": [], "unit": [], "versions": {}}


def test_training_is_audited_and_versioned(cast, trained):
    entry = AuditEntry.objects.filter(object_type="insight.model", object_id__startswith="unit:").get()
    assert entry.actor_id == cast.officer.pk
    assert store.current_version("unit") == trained["unit"].version
    assert trained["category"].n_texts == 36 and set(trained["category"].labels) == {"城乡建设", "劳动和社会保障", "教育"}


def test_too_little_history_is_a_clear_error(cast, insight_dir):
    with pytest.raises(DomainError, match="训练数据不足"):
        services.train_suggester("category")
    with pytest.raises(DomainError, match="未知的建议模型类型"):
        services.train_suggester("colour")


def test_the_officers_choice_is_recorded_and_accuracy_tracked(cast, trained):
    right = make_petition(cast.town_a, actor=cast.desk_a, title=HOUSING_TEXT)
    wrong = make_petition(cast.town_a, actor=cast.desk_a, title="包工头拖欠农民工工资半年，讨薪无门")
    for p in (right, wrong):
        assert services.record_suggestions(p) == 3
        assert services.record_suggestions(p) == 0  # once per matter
    rows = SuggestionFeedback.objects.filter(petition=right)
    assert {r.kind for r in rows} == {"category", "category_path", "unit"}
    assert all(r.chosen == "" and r.decided_at is None for r in rows)
    assert selectors.suggestion_accuracy() == []  # nothing decided yet

    Petition.objects.filter(pk=right.pk).update(category=category(HOUSING), handling_unit=cast.unit_b)
    Petition.objects.filter(pk=wrong.pk).update(category=category(SCHOOL))  # the officer disagreed
    assert services.record_choice(Petition.objects.get(pk=right.pk)) == 3
    assert services.record_choice(Petition.objects.get(pk=wrong.pk)) == 2
    assert SuggestionFeedback.objects.get(petition=right, kind="unit").rank == 1
    assert SuggestionFeedback.objects.get(petition=wrong, kind="category_path").rank in (2, 3)
    accuracy = {a["kind"]: a for a in selectors.suggestion_accuracy()}
    assert accuracy["category"]["n"] == 2 and accuracy["category"]["top1"] == 0.5
    assert accuracy["unit"] == {"kind": "unit", "label": "承办单位", "n": 1, "top1": 1.0, "top3": 1.0}


def test_registration_records_suggestions_after_commit(cast, trained, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        p = make_petition(cast.town_a, actor=cast.desk_a, title="拖欠工资的包工头跑了，农民工讨薪")
    top = SuggestionFeedback.objects.get(petition=p, kind="category_path").suggested[0]
    assert top[0] == WAGES and 0 < top[1] <= 1


def test_retrain_is_due_when_enough_matters_closed_since_training(cast, insight_dir):
    assert selectors.MIN_PER_LABEL["category_path"] == 20
    made = history(cast, per_label=5)
    assert services.retrain_due("category", after=2)  # no model yet
    services.train_suggester("category")
    assert not services.retrain_due("category", after=2)
    Petition.objects.filter(pk__in=[made[0].pk, made[1].pk]).update(concluded_on=timezone.localdate())
    assert services.retrain_due("category", after=2)
    assert not services.retrain_due("category", after=3)
    done = services.retrain_when_due(after=2)
    assert done["category"] and done["category"] != ""
    assert done["category_path"] == ""  # 5 matters per path: below the minimum per label, skipped


def test_similar_matters_come_from_the_index_and_are_scoped(cast, insight_dir):
    mine = make_petition(cast.town_a, actor=cast.desk_a, title="幸福小区电梯经常故障困人，物业不维修")
    make_petition(cast.town_a, actor=cast.desk_a, title="路灯不亮")
    accused = make_petition(cast.town_a, actor=cast.desk_a, kind="accusation", accused_unit=cast.unit_b,
                            title="幸福小区电梯经常故障困人，物业不维修")
    text = "幸福小区电梯经常故障困人，物业不维修，请求处理。"
    found = services.similar_matters(cast.desk_a, text)
    assert [h.id for h in found] == [mine.pk]  # the accusation is never in the index
    assert found[0].score > 0.9
    assert services.similar_matters(cast.outsider_c, text) == []  # town_c may not see town_a's matters
    later = make_petition(cast.town_a, actor=cast.desk_a, title="幸福小区电梯又故障了，物业还是不维修")
    assert later.pk in [h.id for h in services.similar_matters(cast.desk_a, text, min_score=0.3)]  # caught up
    assert accused.pk not in [pk for pk, _ in services.neardup_candidates(text)]


def test_the_repeat_check_of_intake_finds_matters_through_the_index(cast, insight_dir, monkeypatch):
    from petitions import similarity

    old = make_petition(cast.town_a, actor=cast.desk_a, title="东门菜市场噪音扰民，凌晨卸货")
    make_petition(cast.town_a, actor=cast.desk_a, title="路灯不亮")  # newer: fills the one scope slot below
    monkeypatch.setattr(similarity, "SCOPE_CANDIDATES", 1)
    assert old.pk not in similarity.candidates(cast.desk_a, "凌晨卸货噪音")
    # no locality given and a title whose longest phrase differs: only the index proposes the old matter
    found = similarity.similar_matters(cast.desk_a, "凌晨卸货噪音", "东门菜市场噪音扰民，凌晨卸货，请求处理。")
    assert [p.pk for p, _ in found] == [old.pk]


def test_top_hot_topics_for_the_bulletin(cast, insight_dir):
    texts = ["幸福小区停水三天，自来水没有恢复", "幸福小区停水三天了，自来水公司不管", "幸福小区停水，自来水三天没有恢复",
             "幸福小区连续停水三天，自来水没有恢复"]
    now = timezone.now()
    for n, t in enumerate(texts):
        p = make_petition(cast.town_a, actor=cast.desk_a, title=t)
        Petition.objects.filter(pk=p.pk).update(received_at=now - datetime.timedelta(days=n + 1))
    for other in ("河西镇中学食堂饭菜价格太贵", "城关街道菜市场门口占道经营严重", "某公司拖欠员工工资三个月",
                  "建议在人民公园增加健身器材", "路灯不亮晚上出行不便"):
        make_petition(cast.town_a, actor=cast.desk_a, title=other)
    secret = make_petition(cast.town_a, actor=cast.desk_a, kind="accusation", accused_unit=cast.unit_b,
                           title="幸福小区停水是因为局长受贿")
    topics = services.top_hot_topics(cast.county, now - datetime.timedelta(days=30), now, limit=3)
    assert len(topics) == 1
    topic = topics[0]
    assert topic.contacts == 4 and topic.previous == 0 and topic.heat > 0
    assert secret.pk not in topic.matter_ids
    assert topic.url.startswith("/insight/")
    assert selectors.top_hot_topics(cast.county, now - datetime.timedelta(days=30), now)[0].label == topic.label
    assert services.top_hot_topics(cast.town_c, now - datetime.timedelta(days=30), now) == []
