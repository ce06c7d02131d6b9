import pytest

from xinfang.testing import make_petition

pytestmark = pytest.mark.django_db


def test_home_counts_come_from_the_database_and_respect_scope(client, cast):
    make_petition(cast.town_a, actor=cast.desk_a)
    make_petition(cast.town_a, actor=cast.desk_a)
    make_petition(cast.town_c, actor=cast.outsider_c)
    client.force_login(cast.desk_a)
    page = client.get("/")
    assert page.context["total"] == 2 and page.context["open_count"] == 2
    client.force_login(cast.officer)
    assert client.get("/").context["total"] == 3


def test_anonymous_is_sent_to_login(client):
    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_navigation_follows_the_role(client, cast):
    client.force_login(cast.handler_b)
    labels = [item["label"] for item in client.get("/").context["nav_items"]]
    assert "登记" not in labels and "系统管理" not in labels and "信访事项" in labels
    client.force_login(cast.desk_a)
    labels = [item["label"] for item in client.get("/").context["nav_items"]]
    assert "登记" in labels and "统计分析" not in labels
    client.force_login(cast.admin)
    assert "系统管理" in [item["label"] for item in client.get("/").context["nav_items"]]


def test_security_headers(client, cast):
    client.force_login(cast.officer)
    response = client.get("/")
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


def test_api_schema_and_docs_are_served(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/petitions/" in schema.content
    assert client.get("/api/docs/").status_code == 200


def test_healthz(client, db):
    assert client.get("/healthz").content == b"ok"


def test_unknown_page_is_a_chinese_404(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and "页面不存在" in response.content.decode()


def test_calendar_warning_when_next_year_is_missing_or_provisional(client, cast):
    import datetime

    import time_machine

    from deadlines.services import add_provisional_year

    with time_machine.travel(datetime.datetime(2026, 6, 1, 10, tzinfo=datetime.UTC), tick=False):
        client.force_login(cast.officer)
        assert client.get("/").context["calendar_warning"] == ""  # too early in the year to worry
    with time_machine.travel(datetime.datetime(2026, 11, 20, 10, tzinfo=datetime.UTC), tick=False):
        client.force_login(cast.officer)  # sessions expire after 30 idle minutes
        assert "2027年节假日安排尚未录入" in client.get("/").context["calendar_warning"]
        add_provisional_year(2027)
        assert "2027年节假日表为临时表" in client.get("/").context["calendar_warning"]


def test_unknown_api_url_is_a_json_404(client, db):
    response = client.get("/api/no-such-endpoint/")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "对象不存在或无权查看。"}
