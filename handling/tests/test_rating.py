import datetime

import pytest

from core.errors import Conflict, DomainError
from deadlines.models import Clock
from handling import services as s
from handling.models import Rating

pytestmark = pytest.mark.django_db


@pytest.fixture
def replied(cast, matter):
    s.transfer(matter, actor=cast.officer, to_unit=cast.unit_b)
    s.acknowledge(matter, actor=cast.handler_b)
    s.draft_reply(matter, actor=cast.handler_b, complaint="c", facts="f", opinion="support", opinion_text="o")
    s.approve_reply(matter, actor=cast.head_b)
    s.deliver(matter, actor=cast.handler_b)
    return matter


def test_cannot_rate_before_the_reply(cast, matter):
    with pytest.raises(DomainError, match="尚未送达答复意见"):
        s.rate(matter, stage="handling", value="satisfied")


def test_rate_each_stage_once_about_the_right_unit(cast, replied):
    first = s.rate(replied, stage="acceptance", value="satisfied")
    second = s.rate(replied, stage="handling", value="unsatisfied", comment="拆除太慢")
    assert (first.unit, second.unit) == (cast.county_bureau, cast.unit_b)
    with pytest.raises(Conflict, match="该环节已评价，不能重复评价"):
        s.rate(replied, stage="handling", value="satisfied")
    assert Clock.objects.get(petition=replied, kind="rating").state == "met"


def test_window_closes_and_unrated_stages_are_recorded(cast, replied, frozen):
    window = Clock.objects.get(petition=replied, kind="rating")
    s.rate(replied, stage="acceptance", value="basically")
    frozen.move_to(datetime.datetime.combine(window.due_on + datetime.timedelta(days=1), datetime.time(10),
                                             tzinfo=datetime.timezone(datetime.timedelta(hours=8))))
    with pytest.raises(DomainError, match=f"评价期限已于{window.due_on:%Y年%-m月%-d日}届满"):
        s.rate(replied, stage="handling", value="satisfied")
    assert s.expire_ratings() == 1
    assert s.expire_ratings() == 0
    assert dict(Rating.objects.filter(petition=replied).values_list("stage", "value")) == {
        "acceptance": "basically", "handling": "expired"}
