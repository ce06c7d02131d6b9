"""In-app notifications: creating them, and who may see and mark them (pages and API)."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from accounts.services import create_user
from core.errors import DomainError, NotAllowed
from notifications.models import Notification
from notifications.services import mark_all_read, mark_read, notify_unit, notify_user
from petitions.choices import Kind
from xinfang.testing import client_for, make_petition, status_by_user

pytestmark = pytest.mark.django_db


def test_notify_user(cast):
    petition = make_petition(cast.town_a, actor=cast.desk_a)
    n = notify_user(cast.officer, title="新交办", body="请处理", kind="assignment", petition=petition, url="/x/")
    assert (n.recipient, n.kind, n.petition, n.url, n.read_at) == (cast.officer, "assignment", petition, "/x/", None)
    with pytest.raises(DomainError, match="未知的通知类型"):
        notify_user(cast.officer, title="t", body="b", kind="gossip")


def test_notify_unit_by_role_only_active_users(cast):
    create_user(username="handler_b2", password="x", unit=cast.unit_b, role="handler", check_password=False)
    gone = create_user(username="gone_b", password="x", unit=cast.unit_b, role="handler", check_password=False)
    gone.is_active = False
    gone.save()
    sent = notify_unit(cast.unit_b, roles={"handler"}, title="催办", body="b", kind="reminder")
    assert sorted(n.recipient.username for n in sent) == ["handler_b", "handler_b2"]
    everyone = notify_unit(cast.unit_b, roles=None, title="系统维护", body="b", kind="system")
    assert sorted(n.recipient.username for n in everyone) == ["handler_b", "handler_b2", "head_b"]
    assert Notification.objects.count() == 5


def test_accused_people_are_not_notified_about_the_accusation(cast):
    accusation = make_petition(cast.county_bureau, actor=cast.officer, kind=Kind.ACCUSATION, accused_unit=cast.unit_b)
    assert notify_unit(cast.unit_b, roles=None, title="t", body="b", kind="reminder", petition=accusation) == []
    with pytest.raises(NotAllowed):
        notify_user(cast.head_b, title="t", body="b", kind="reminder", petition=accusation)
    assert [n.recipient for n in notify_unit(cast.county_bureau, roles={"officer"}, title="t", body="b",
                                             kind="reminder", petition=accusation)] == [cast.officer]


def test_list_shows_only_own_notifications_unread_first(cast):
    old = notify_user(cast.handler_b, title="旧的已读", body="", kind="system")
    mark_read(old, user=cast.handler_b)
    notify_user(cast.handler_b, title="第一条未读", body="", kind="reminder")
    notify_user(cast.handler_b, title="第二条未读", body="", kind="supervision")
    notify_user(cast.head_b, title="别人的通知", body="", kind="system")
    page = client_for(cast.handler_b).get("/notifications/")
    html = page.content.decode()
    assert page.status_code == 200
    assert html.index("第二条未读") < html.index("第一条未读") < html.index("旧的已读")
    assert "别人的通知" not in html
    assert '<span data-testid="unread-total">2</span>' in html
    assert client_for(None).get("/notifications/").status_code == 302


def test_open_marks_read_and_follows_the_link_others_get_404(cast):
    petition = make_petition(cast.town_a, actor=cast.desk_a)
    n = notify_user(cast.officer, title="t", body="", kind="reminder", petition=petition,
                    url=f"/petitions/{petition.pk}/")
    codes = status_by_user(cast, "get", f"/notifications/{n.pk}/")
    assert codes == {"desk_a": 404, "officer": 302, "handler_b": 404, "head_b": 404, "leader": 404, "outsider_c": 404,
                     "analyst": 404, "admin": 404, "city_officer": 404, "anonymous": 302}
    n.refresh_from_db()
    assert n.read_at is not None
    response = client_for(cast.officer).get(f"/notifications/{n.pk}/")
    assert response["Location"] == f"/petitions/{petition.pk}/"


def test_an_outside_link_is_not_followed(cast):
    n = notify_user(cast.officer, title="t", body="", kind="system", url="https://evil.example/")
    response = client_for(cast.officer).get(f"/notifications/{n.pk}/")
    assert response["Location"] == "/notifications/"


def test_mark_one_and_all_read_by_post(cast):
    a = notify_user(cast.officer, title="a", body="", kind="system")
    notify_user(cast.officer, title="b", body="", kind="system")
    mine = notify_user(cast.head_b, title="c", body="", kind="system")
    assert client_for(cast.officer).post(f"/notifications/{mine.pk}/read/").status_code == 404
    assert client_for(cast.officer).post(f"/notifications/{a.pk}/read/").status_code == 302
    a.refresh_from_db()
    assert a.read_at is not None
    assert client_for(cast.officer).get("/notifications/read-all/").status_code == 405
    assert client_for(cast.officer).post("/notifications/read-all/").status_code == 302
    assert Notification.objects.filter(recipient=cast.officer, read_at__isnull=True).count() == 0
    mine.refresh_from_db()
    assert mine.read_at is None


def test_mark_read_service_refuses_other_users(cast):
    n = notify_user(cast.officer, title="a", body="", kind="system")
    with pytest.raises(NotAllowed):
        mark_read(n, user=cast.head_b)
    assert mark_all_read(cast.head_b) == 0
    n.refresh_from_db()
    assert n.read_at is None


def test_bell_and_unread_count_tag(cast):
    for i in range(3):
        notify_user(cast.officer, title=f"n{i}", body="", kind="system")
    request = RequestFactory().get("/")
    request.user = cast.officer
    html = Template('{% include "notifications/_bell.html" %}').render(Context({"request": request, "user": cast.officer}))
    assert 'data-testid="unread-count">3<' in html and 'href="/notifications/"' in html
    bare = Template("{% load notification_tags %}[{% unread_count %}]").render(Context({"request": request}))
    assert bare == "[3]"
    request2 = RequestFactory().get("/")
    request2.user = cast.head_b
    html = Template('{% include "notifications/_bell.html" %}').render(Context({"request": request2, "user": cast.head_b}))
    assert "unread-count" not in html and "bi-bell" in html


def test_api_lists_own_only_and_marks_read(cast):
    mine = notify_user(cast.officer, title="mine", body="", kind="reminder")
    theirs = notify_user(cast.head_b, title="theirs", body="", kind="reminder")
    api = client_for(cast.officer)
    listed = api.get("/api/notifications/").json()
    assert [n["title"] for n in listed["results"]] == ["mine"]
    assert listed["results"][0]["kind_label"] == "催办" and listed["results"][0]["is_read"] is False
    assert api.get(f"/api/notifications/{theirs.pk}/").status_code == 404
    assert api.post(f"/api/notifications/{theirs.pk}/read/").status_code == 404
    read = api.post(f"/api/notifications/{mine.pk}/read/")
    assert read.status_code == 200 and read.json()["is_read"] is True
    notify_user(cast.officer, title="again", body="", kind="system")
    assert api.get("/api/notifications/?unread=1").json()["count"] == 1
    assert api.post("/api/notifications/read-all/").json() == {"marked": 1, "unread": 0}
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert client_for(None).get("/api/notifications/").status_code == 401
