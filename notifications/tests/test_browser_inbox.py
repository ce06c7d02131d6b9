"""Browser test: a case officer reads their notifications and marks them all read."""

import pytest

from conftest import login, screenshot
from notifications.models import Notification
from notifications.services import notify_user
from xinfang.testing import make_petition

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_opens_a_notification_and_marks_all_read(page, cast):
    petition = make_petition(cast.town_a, actor=cast.desk_a)
    notify_user(cast.officer, title="系统维护通知", body="今晚22点维护。", kind="system")
    notify_user(cast.officer, title=f"督办：{petition.number} 办理期限逾期3日", body="请督促承办单位。",
                kind="supervision", petition=petition, url=f"/petitions/{petition.pk}/")
    notify_user(cast.head_b, title="别人的通知", body="", kind="system")
    login(page, "officer")
    page.wait_for_selector("[data-testid=nav]")
    page.goto(page.base_url + "/notifications/")
    items = page.locator("[data-testid=notification]")
    assert items.count() == 2
    assert "督办" in items.nth(0).inner_text() and "别人的通知" not in page.content()
    assert page.inner_text("[data-testid=unread-total]") == "2"
    screenshot(page, "notifications-inbox")
    items.nth(0).click()
    page.wait_for_url(f"**/petitions/{petition.pk}/")
    page.goto(page.base_url + "/notifications/")
    assert page.inner_text("[data-testid=unread-total]") == "1"
    page.click("[data-testid=read-all]")
    page.wait_for_selector("text=已将1条通知标记为已读。")
    assert page.inner_text("[data-testid=unread-total]") == "0"
    assert Notification.objects.filter(recipient=cast.officer, read_at__isnull=True).count() == 0
    screenshot(page, "notifications-all-read")
