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


def test_staff_record_a_rating_given_by_phone(cast, replied):
    """回访: the desk records what the petitioner said on the phone; the event and the audit name the
    officer; the same stage cannot be rated twice, whichever way it came in."""
    from rest_framework.test import APIClient

    from audit.models import AuditEntry
    from petitions.models import Event

    api = APIClient()
    api.force_authenticate(cast.officer)
    offered = [a["name"] for a in api.get(f"/api/petitions/{replied.pk}/actions/").json()]
    assert "record_rating" in offered
    response = api.post(f"/api/petitions/{replied.pk}/record_rating/",
                        {"stage": "handling", "value": "basically", "via": "电话回访", "comment": "基本满意"},
                        format="json")
    assert response.status_code == 200, response.json()
    rating = Rating.objects.get(petition=replied, stage="handling")
    assert (rating.value, rating.via, rating.unit) == ("basically", "电话回访", cast.unit_b)
    event = Event.objects.filter(petition=replied, action="rate").get()
    assert event.actor == cast.officer and "工作人员代为登记" in event.note
    assert AuditEntry.objects.filter(actor=cast.officer, summary__contains="评价").exists()
    again = api.post(f"/api/petitions/{replied.pk}/record_rating/",
                     {"stage": "handling", "value": "satisfied", "via": "电话回访"}, format="json")
    assert again.status_code == 409 and again.json()["detail"] == "该环节已评价，不能重复评价。"
    # The handling unit may not rate itself.
    with pytest.raises(DomainError, match="无权代为登记满意度评价"):
        s.rate(replied, stage="acceptance", value="satisfied", via="电话回访", actor=cast.handler_b)
    assert not Rating.objects.filter(petition=replied, stage="acceptance").exists()
