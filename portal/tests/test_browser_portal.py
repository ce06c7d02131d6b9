"""A person with a phone submits a matter, gets the receipt, follows it, and rates the reply.

Mobile viewport (390×844). Screenshots in var/screenshots/portal-*.png.
"""

import pytest

from conftest import open_page, screenshot
from portal import captcha
from portal.tests.conftest import CAPTCHA, VALID_ID

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(browser, live_server):
    page = open_page(browser, live_server.url, timeout=20000, viewport={"width": 390, "height": 844},
                     is_mobile=True, has_touch=True, device_scale_factor=2)
    yield page
    page.context.close()


def test_submit_follow_and_rate_on_a_phone(cast, next_year_table, phone, monkeypatch, settings):
    from handling import services as s
    from handling.models import Rating
    from petitions.models import Petition

    settings.SMS_BACKEND = "notifications.sms.LocmemSMSBackend"
    monkeypatch.setattr(captcha, "random_text", lambda: CAPTCHA)
    page = phone
    page.goto(page.base_url + "/public/")
    assert page.get_by_role("heading", name="信访渠道").is_visible()
    screenshot(page, "portal-1-home")

    page.get_by_role("link", name="我要反映").first.click()
    # The challenge is issued when the image loads; a person cannot answer before seeing it.
    page.wait_for_function("() => { const i = document.querySelector('[data-captcha]');"
                           " return i && i.complete && i.naturalWidth > 0; }")
    page.locator("#id_name").fill("张三丰")
    page.locator("#id_id_number").fill(VALID_ID)
    page.locator("#id_phone").fill("13912345678")
    page.locator("#id_address").fill("青山区城关街道东门社区5号")
    assert page.locator("[data-accused]").is_hidden()  # only for accusations (portal.js)
    page.locator("#id_locality").select_option(value=str(cast.town_a.pk))
    page.locator("#id_title").fill("小区门口道路破损")
    page.locator("#id_content").fill("小区门口道路破损已经半年，雨天积水严重，老人出行困难。")
    page.locator("#id_demands").fill("请尽快修复道路。")
    page.locator("#id_consent").check()
    page.locator("#id_captcha").fill(CAPTCHA.lower())
    screenshot(page, "portal-2-form")
    with page.expect_navigation():
        page.get_by_role("button", name="提交").click()
    if not page.get_by_role("heading", name="提交成功").is_visible():
        errors = page.locator(".field-error, #form-errors").all_inner_texts()
        raise AssertionError(f"submission refused: {errors}")
    number = page.get_by_test_id("receipt-number").inner_text().strip()
    code = page.get_by_test_id("receipt-code").inner_text().strip()
    petition = Petition.objects.get(number=number)
    assert petition.query_code == code and petition.channel == "online"
    screenshot(page, "portal-3-receipt")

    # Follow from a fresh visit with the number and code.
    page.context.clear_cookies()
    page.goto(page.base_url + "/public/follow/")
    page.locator("#id_number").fill(number)
    page.locator("#id_code").fill("WRONG00000")
    page.get_by_role("button", name="查询").click()
    assert page.get_by_role("alert").inner_text().count("事项编号或查询码不正确") == 1
    page.locator("#id_code").fill(code)
    page.get_by_role("button", name="查询").click()
    assert page.get_by_test_id("matter-number").inner_text() == number
    assert page.get_by_test_id("matter-status").inner_text() == "已登记"
    screenshot(page, "portal-4-follow-registered")

    # The offices act through the services: transfer, acknowledge, draft, sign, deliver.
    s.transfer(petition, actor=cast.city_officer, to_unit=cast.unit_b)
    s.acknowledge(petition, actor=cast.handler_b)
    s.draft_reply(petition, actor=cast.handler_b, complaint="修复道路", facts="道路破损属实",
                  opinion="support", opinion_text="已安排施工队于本月内修复。")
    s.approve_reply(petition, actor=cast.head_b)
    s.deliver(petition, actor=cast.handler_b)

    page.reload()
    assert page.get_by_test_id("matter-status").inner_text() == "已答复"
    stages = page.get_by_test_id("stages").inner_text()
    assert "转送" in stages and "答复意见已送达" in stages and "赵承办" not in stages
    docs = page.get_by_test_id("documents")
    assert "答复意见书" in docs.inner_text() or "意见书" in docs.inner_text()
    with page.expect_download() as download:
        docs.get_by_role("link", name="Word").last.click()
    assert download.value.suggested_filename.startswith(number)
    screenshot(page, "portal-5-follow-replied")

    acceptance = page.get_by_test_id("rate-acceptance")
    acceptance.get_by_label("满意", exact=True).check()
    acceptance.get_by_role("button", name="提交评价").click()
    page.get_by_text("感谢您的评价，已记录。").wait_for()
    handling = page.get_by_test_id("rate-handling")
    handling.get_by_label("基本满意").check()
    handling.get_by_label("意见（可选）").fill("希望加快进度")
    handling.get_by_role("button", name="提交评价").click()
    page.get_by_test_id("ratings").wait_for()
    assert page.get_by_test_id("rate-handling").count() == 0
    screenshot(page, "portal-6-rated")

    assert dict(Rating.objects.filter(petition=petition).values_list("stage", "value")) == {
        "acceptance": "satisfied", "handling": "basically"}
    assert not [e for e in page.console_errors if "Content Security Policy" in e]
