"""In a real browser: a visitor is queued, called, registered and interviewed at the desk while the
waiting-room display (another browser window) follows the queue live through htmx polling."""

import pytest
from playwright.sync_api import expect

from conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_display_follows_the_queue_live(page, browser, deadline_tables, live_setup, cast):
    center, desk = live_setup.center, live_setup.desk
    # The hall's screen opens the centre's login-free link: it holds no staff session.
    page.goto(f"{page.base_url}/reception/screen/{center.display_key}/")
    page.wait_for_selector("[data-testid=now-calling]")
    assert "请耐心等候叫号" in page.inner_text("[data-testid=now-calling]")
    screenshot(page, "reception-display-empty")

    clerk_context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai",
                                        viewport={"width": 1280, "height": 860})
    clerk = clerk_context.new_page()
    clerk.set_default_timeout(15000)
    clerk.base_url = page.base_url
    try:
        login(clerk, "officer")
        clerk.goto(f"{clerk.base_url}/reception/centers/{center.pk}/")
        clerk.click("[data-testid=issue-A]")
        clerk.wait_for_selector("text=已取号：A001")
        clerk.click("[data-testid=issue-A]")
        clerk.wait_for_selector("text=已取号：A002")
        screenshot(clerk, "reception-center-two-tickets")

        # The display picks up the waiting tickets without a reload.
        expect(page.locator("[data-testid=waiting-row-A] .next")).to_have_text("A001 A002")

        clerk.goto(f"{clerk.base_url}/reception/desks/{desk.pk}/")
        clerk.select_option("#window", "2")
        clerk.click("[data-testid=call-next]")
        clerk.wait_for_selector("text=请 A001 号到 登记窗口 2号窗口")
        expect(page.locator("[data-testid=now-code]")).to_have_text("A001")
        assert "2号窗口" in page.inner_text("[data-testid=now-calling]")
        expect(page.locator("[data-testid=waiting-row-A] .count")).to_have_text("1")
        screenshot(page, "reception-display-calling-A001")

        # Registration and interview at the desk.
        clerk.click("[data-testid=open-A001]")
        clerk.fill("#id_visit-name", "张三")
        clerk.fill("#id_visit-phone", "13812345678")
        clerk.fill("#id_visit-title", "楼道漏水无人修")
        clerk.fill("#id_visit-content", "楼道漏水三个月，物业不管。")
        clerk.click("[data-testid=register]")
        clerk.wait_for_selector("[data-testid=linked-petition]")
        screenshot(clerk, "reception-ticket-registered")
        clerk.fill("#id_interview-statement", "楼道漏水三个月，物业不管。")
        clerk.fill("#id_interview-answer", "已登记，转区住建局处理，15日内告知是否受理。")
        clerk.fill("#id_interview-next_steps", "住建局现场查看")
        clerk.click("[data-testid=save-interview]")
        clerk.wait_for_selector("text=A001 接谈已记录，本次接待结束")

        # The finished visit leaves the display; the next call shows at once.
        expect(page.locator("[data-testid=now-code]")).to_have_count(0)
        clerk.click("[data-testid=call-next]")
        expect(page.locator("[data-testid=now-code]")).to_have_text("A002")
        screenshot(page, "reception-display-calling-A002")
        screenshot(clerk, "reception-desk-after-interview")
    finally:
        clerk_context.close()

    from petitions.models import Petition
    from reception.models import Ticket

    first = Ticket.objects.get(code="A001")
    assert first.status == "done" and first.interview.answer.startswith("已登记")
    assert first.contact.petition == Petition.objects.get(title="楼道漏水无人修")
    assert Ticket.objects.get(code="A002").status == "called"
