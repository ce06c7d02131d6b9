"""Following a matter with its number and query code, downloading its notices, and rating it."""

import datetime

import pytest

from audit.models import Action, AuditEntry
from documents.models import Document
from handling import services as s
from handling.models import Rating
from portal.tests.conftest import VALID_ID
from xinfang.testing import make_petition

pytestmark = pytest.mark.django_db

TZ = datetime.timezone(datetime.timedelta(hours=8))


def online_matter(cast, title="小区门口道路破损"):
    return make_petition(cast.city_bureau, channel="online", title=title, name="张三丰", id_number=VALID_ID,
                         phone="13912345678")


@pytest.fixture
def matter(cast, frozen):
    return online_matter(cast)


@pytest.fixture
def replied(cast, matter):
    s.transfer(matter, actor=cast.city_officer, to_unit=cast.unit_b, note="内部意见：请赵承办尽快处理")
    s.acknowledge(matter, actor=cast.handler_b)
    s.add_note(matter, actor=cast.handler_b, text="现场查看，联系了物业经理王某")
    s.draft_reply(matter, actor=cast.handler_b, complaint="修路", facts="道路破损属实", opinion="support",
                  opinion_text="已安排维修")
    s.approve_reply(matter, actor=cast.head_b)
    s.deliver(matter, actor=cast.handler_b)
    matter.refresh_from_db()
    return matter


def follow(client, number, code):
    return client.post("/public/follow/", {"number": number, "code": code})


def test_follow_shows_stages_unit_deadlines_and_masked_people(cast, client, matter):
    s.transfer(matter, actor=cast.city_officer, to_unit=cast.unit_b, note="内部意见：请赵承办尽快处理")
    response = follow(client, matter.number.lower(), " " + matter.query_code.lower())
    assert response.status_code == 302 and response["Location"] == "/public/follow/matter/"
    page = client.get("/public/follow/matter/")
    html = page.content.decode()
    view = page.context["m"]
    assert [st.label for st in view.stages] == ["登记", "转送"]
    assert view.stages[1].detail == "至青山区住房和城乡建设局" and view.stages[1].unit == "青川市信访局"
    assert view.current_unit == "青山区住房和城乡建设局"
    assert [(d.label, d.unit) for d in view.deadlines] == [
        ("承办单位书面告知是否受理的期限", "青山区住房和城乡建设局")]
    assert view.deadlines[0].due_on == datetime.date(2026, 3, 17)
    assert view.people == [{"name": "张*丰", "phone": "139****5678", "id_number": "3499**********" + VALID_ID[-4:]}]
    assert "13912345678" not in html and VALID_ID not in html and "张三丰" not in html
    assert "冯市干部" not in html and "内部意见" not in html


def test_follow_page_hides_staff_names_and_internal_records(cast, client, replied):
    follow(client, replied.number, replied.query_code)
    html = client.get("/public/follow/matter/").content.decode()
    for secret in ("冯市干部", "赵承办", "钱局长", "物业经理王某", "内部意见", "签发"):
        assert secret not in html
    assert "答复意见已送达" in html and "承办单位受理" in html


def test_unknown_number_and_wrong_code_look_the_same(cast, client, matter):
    wrong = follow(client, matter.number, "WRONGCODE1")
    unknown = follow(client, "NO-SUCH-2026-000001", matter.query_code)
    assert wrong.status_code == unknown.status_code == 400
    assert wrong.context["form"].non_field_errors() == unknown.context["form"].non_field_errors() == [
        "事项编号或查询码不正确，请核对后重新输入。"]
    assert "portal_follow" not in client.session


def test_failures_are_throttled_per_ip_even_for_the_right_code(cast, client, matter, settings):
    settings.PORTAL_LIMITS = {"follow_failures": (3, 900)}
    for _ in range(3):
        assert follow(client, matter.number, "WRONGCODE1").status_code == 400
    blocked = follow(client, matter.number, matter.query_code)
    assert blocked.status_code == 429
    assert "查询失败次数过多（15分钟内最多3次），请15分钟后再试。" in blocked.content.decode()
    other_ip = follow(client.__class__(REMOTE_ADDR="10.0.0.9"), matter.number, matter.query_code)
    assert other_ip.status_code == 302


def test_the_window_passes(cast, client, matter, settings, frozen):
    settings.PORTAL_LIMITS = {"follow_failures": (1, 900)}
    follow(client, matter.number, "WRONGCODE1")
    assert follow(client, matter.number, matter.query_code).status_code == 429
    from django.core.cache import cache

    cache.clear()  # locmem has no notion of frozen time: the expired window is a cleared counter
    assert follow(client, matter.number, matter.query_code).status_code == 302


def test_a_follow_session_cannot_reach_another_matter(cast, client, replied, frozen):
    other = online_matter(cast, title="另一件事")
    s.handle_directly(other, actor=cast.city_officer)  # issues an acceptance notice to its petitioner
    other_doc = Document.objects.filter(petition=other, for_petitioner=True).first()
    assert other_doc is not None
    follow(client, replied.number, replied.query_code)
    assert client.get(f"/public/follow/matter/documents/{other_doc.pk}.pdf").status_code == 404
    # The internal transfer slip of the followed matter is not the petitioner's either.
    slip = Document.objects.get(petition=replied, kind="transfer_slip")
    assert client.get(f"/public/follow/matter/documents/{slip.pk}.pdf").status_code == 404
    assert client.get(f"/public/follow/matter/documents/{slip.pk}.petition").status_code == 404
    # Following the other matter replaces the first: one matter per session.
    follow(client, other.number, other.query_code)
    assert client.get("/public/follow/matter/").context["p"] == other


def test_documents_of_the_matter_addressed_to_the_petitioner_download_and_are_audited(cast, client, replied):
    follow(client, replied.number, replied.query_code)
    page = client.get("/public/follow/matter/")
    docs = page.context["m"].documents
    assert [d.kind for d in docs] == ["acceptance_notice", "reply_letter"]
    reply = docs[1]
    response = client.get(f"/public/follow/matter/documents/{reply.pk}.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    entry = AuditEntry.objects.filter(action=Action.VIEW_PERSONAL, object_id=str(reply.pk)).get()
    assert entry.actor_name == "信访人" and replied.number in entry.summary


def test_without_a_follow_session_nothing_is_shown(client, cast, replied):
    assert client.get("/public/follow/matter/")["Location"] == "/public/follow/"
    doc = Document.objects.filter(petition=replied, for_petitioner=True).first()
    assert client.get(f"/public/follow/matter/documents/{doc.pk}.pdf").status_code == 404
    assert client.post("/public/follow/matter/rate/", {"stage": "handling", "value": "satisfied"}).status_code == 302
    assert Rating.objects.count() == 0


def test_leaving_ends_the_follow_session(client, cast, matter):
    follow(client, matter.number, matter.query_code)
    client.post("/public/follow/leave/")
    assert client.get("/public/follow/matter/").status_code == 302


def test_rate_each_stage_once_within_the_window(cast, client, replied):
    follow(client, replied.number, replied.query_code)
    page = client.get("/public/follow/matter/")
    assert [st for st, _, _ in page.context["m"].rateable] == ["acceptance", "handling"]
    ok = client.post("/public/follow/matter/rate/", {"stage": "handling", "value": "basically", "comment": "还行"})
    assert ok.status_code == 302
    rating = Rating.objects.get()
    assert (rating.stage, rating.value, rating.comment, rating.unit, rating.via) == (
        "handling", "basically", "还行", cast.unit_b, "portal")
    again = client.post("/public/follow/matter/rate/", {"stage": "handling", "value": "satisfied"})
    assert again.status_code == 409 and again.context["rate_error"] == "该环节已评价，不能重复评价。"
    assert Rating.objects.count() == 1
    page = client.get("/public/follow/matter/")
    assert [st for st, _, _ in page.context["m"].rateable] == ["acceptance"]


def test_rating_before_the_reply_or_after_the_window_is_refused(cast, client, matter, frozen):
    follow(client, matter.number, matter.query_code)
    early = client.post("/public/follow/matter/rate/", {"stage": "handling", "value": "satisfied"})
    assert early.status_code == 400 and early.context["rate_error"] == "该事项尚未送达答复意见，暂不能评价。"
    s.transfer(matter, actor=cast.city_officer, to_unit=cast.unit_b)
    s.acknowledge(matter, actor=cast.handler_b)
    s.draft_reply(matter, actor=cast.handler_b, complaint="c", facts="f", opinion="support", opinion_text="o")
    s.approve_reply(matter, actor=cast.head_b)
    s.deliver(matter, actor=cast.handler_b)
    window = matter.clocks.get(kind="rating")
    frozen.move_to(datetime.datetime.combine(window.due_on + datetime.timedelta(days=1), datetime.time(10),
                                             tzinfo=TZ))
    assert client.get("/public/follow/matter/").status_code == 302  # the idle follow session expired
    follow(client, matter.number, matter.query_code)
    page = client.get("/public/follow/matter/")
    assert page.context["m"].rateable == []
    late = client.post("/public/follow/matter/rate/", {"stage": "handling", "value": "satisfied"})
    assert late.status_code == 400
    assert late.context["rate_error"] == f"评价期限已于{window.due_on:%Y年%-m月%-d日}届满，不能再评价。"
    assert s.expire_ratings() == 2
    shown = client.get("/public/follow/matter/").content.decode()
    assert shown.count("期满未评价") == 2


@pytest.mark.parametrize(("data", "message"), [
    ({"stage": "handling", "value": "expired"}, "请选择满意、基本满意或不满意。"),
    ({"stage": "bogus", "value": "satisfied"}, "请选择评价环节。"),
    ({"stage": "handling"}, "请选择满意、基本满意或不满意。"),
])
def test_malformed_ratings_are_refused(cast, client, replied, data, message):
    follow(client, replied.number, replied.query_code)
    response = client.post("/public/follow/matter/rate/", data)
    assert response.status_code == 400 and response.context["rate_error"] == message
    assert Rating.objects.count() == 0


def test_follow_requires_both_fields(client, db):
    response = client.post("/public/follow/", {"number": "", "code": ""})
    assert response.status_code == 400
    assert response.context["form"].errors == {"number": ["请填写事项编号。"], "code": ["请填写查询码。"]}
