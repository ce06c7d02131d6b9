"""CSRF, CSP, secure cookies and no stack traces on the public site."""

import pytest
from django.test import Client

from portal import selectors
from portal.models import FAQ, Notice
from xinfang.testing import make_petition

pytestmark = pytest.mark.django_db


def test_forms_need_the_csrf_token(cast):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/public/follow/", {"number": "x", "code": "y"}).status_code == 403
    assert strict.post("/public/submit/", {}).status_code == 403
    assert strict.post("/public/follow/matter/rate/", {}).status_code == 403


@pytest.mark.parametrize("url", ["/public/", "/public/submit/", "/public/follow/", "/public/faq/", "/public/roster/"])
def test_public_pages_use_the_strict_csp_and_no_inline_code(cast, client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Security-Policy"].startswith("default-src 'self'; script-src 'self'; style-src 'self';")
    html = response.content.decode()
    assert "<script>" not in html and "<style" not in html and " style=" not in html and " onclick=" not in html


def test_session_cookie_is_secure_when_configured(cast, client, settings):
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    response = client.get("/public/submit/")
    assert response.cookies["sessionid"]["secure"] is True
    assert response.cookies["sessionid"]["httponly"] is True


def test_an_error_shows_the_plain_500_page_without_a_trace(cast, monkeypatch):
    petition = make_petition(cast.city_bureau, channel="online")

    def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(selectors, "public_matter", broken)
    client = Client(raise_request_exception=False)
    client.post("/public/follow/", {"number": petition.number, "code": petition.query_code})
    response = client.get("/public/follow/matter/")
    assert response.status_code == 500
    assert "500 · 系统出错" in response.content.decode() and "secret internals" not in response.content.decode()


def test_unknown_public_pages_get_the_404_page(client, db):
    response = client.get("/public/nothing-here/")
    assert response.status_code == 404 and "页面不存在" in response.content.decode()


def test_notices_and_faq_are_published_by_admins(cast, client, frozen):
    shown = Notice.objects.create(title="春节期间接待安排", body="2月15日至23日暂停来访接待。")
    Notice.objects.create(title="草稿", body="未发布", is_published=False)
    FAQ.objects.create(question="查询码丢了怎么办？", answer="请携带身份证件到接待场所查询。")
    FAQ.objects.create(question="未发布的问题", answer="…", is_published=False)
    home = client.get("/public/").content.decode()
    assert "春节期间接待安排" in home and "草稿" not in home
    assert client.get(f"/public/notices/{shown.pk}/").status_code == 200
    hidden = Notice.objects.get(title="草稿")
    assert client.get(f"/public/notices/{hidden.pk}/").status_code == 404
    faq = client.get("/public/faq/").content.decode()
    assert "查询码丢了怎么办？" in faq and "未发布的问题" not in faq


def test_admin_pages_for_portal_models(cast):
    admin = Client()
    admin.force_login(cast.admin)
    for url in ("/admin/portal/notice/", "/admin/portal/faq/", "/admin/portal/submission/",
                "/admin/portal/open311client/", "/admin/portal/portalsettings/add/"):
        assert admin.get(url).status_code == 200, url
    response = admin.post("/admin/portal/open311client/add/", {"name": "12345热线", "is_active": "on"}, follow=True)
    text = response.content.decode()
    assert "接入密钥（只显示这一次" in text
    assert admin.get("/admin/portal/portalsettings/").status_code == 302


def test_home_shows_the_office_channels(cast, client):
    from portal.models import PortalSettings

    PortalSettings.objects.create(address="青川市人民路1号", phone="0551-12345678", mail_address="青川市人民路1号 邮编349900")
    html = client.get("/public/").content.decode()
    for text in ("青川市信访局", "青川市人民路1号", "0551-12345678", "接待时间", "如何查询办理进展", "诉讼、仲裁、行政复议"):
        assert text in html


def test_the_published_reception_roster_is_shown(cast, client, frozen):
    import datetime

    from reception import services as reception

    day = datetime.date(2026, 3, 4)
    slot = reception.add_duty(unit=cast.county, day=day, leader=cast.leader, actor=cast.officer, topics="城建、拆迁")
    later = reception.add_duty(unit=cast.county, day=day + datetime.timedelta(days=7), leader=cast.leader,
                               actor=cast.officer)
    assert "孙区长" not in client.get("/public/roster/").content.decode()  # not yet published
    reception.publish_roster(unit=cast.county, start=day, end=day, actor=cast.officer)
    html = client.get("/public/roster/").content.decode()
    assert "孙区长" in html and "城建、拆迁" in html and "3月4日" in html and "3月11日" not in html
    assert "孙区长" in client.get("/public/").content.decode()
    assert slot.pk != later.pk
