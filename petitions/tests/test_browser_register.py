"""Browser test of the registration flow: people rows, address → locality, category picker, repeat panel."""

import pytest
from playwright.sync_api import expect

from conftest import login, screenshot
from petitions.models import Contact, Petition

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VALID_ID = "340102199001011236"


def test_front_desk_registers_and_then_adds_a_repeat_contact(page, cast):
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    login(page, "desk_a")
    page.goto(page.base_url + "/petitions/register/")
    page.fill("#id_people-0-name", "张三")
    page.fill("#id_people-0-id_number", VALID_ID)
    page.fill("#id_people-0-phone", "13812345678")
    page.fill("#id_people-0-address", "青山区城关街道东门社区5号")
    page.press("#id_people-0-address", "Tab")
    # expect() polls without evaluating a string in the page (the CSP forbids eval).
    expect(page.locator("#id_locality_code")).to_have_value(cast.village_a.division_code)
    page.wait_for_selector("[data-cascade=locality] select:nth-of-type(5)")
    page.click("[data-add-person]")
    page.fill("#id_people-1-name", "李四")
    page.fill("#id_people-1-phone", "13900000000")
    page.fill("#id_people-1-unverified_reason", "未带证件")
    page.fill("#id_headcount", "2")
    page.fill("#id_title", "楼道漏水无人修")
    page.fill("#id_content", "我家楼上漏水三个月，物业不管，请求处理。")
    page.press("#id_content", "Tab")
    level1 = page.locator("[data-cascade=category] select").nth(0)
    level1.select_option(label="城乡建设")
    page.locator("[data-cascade=category] select").nth(1).select_option(label="市政设施")
    page.locator("[data-cascade=category] select").nth(2).select_option(label="供水供气")
    page.wait_for_selector("[data-testid=no-repeats]")
    screenshot(page, "intake-register-filled")
    page.click("[data-testid=save]")
    page.wait_for_selector("[data-testid=petition-number]")
    first = Petition.objects.get()
    assert first.locality_id == cast.village_a.pk and first.category.full_name == "城乡建设/市政设施/供水供气"
    assert first.headcount == 2 and first.contacts.get().people.count() == 2
    screenshot(page, "intake-register-saved")

    page.goto(page.base_url + "/petitions/register/")
    page.fill("#id_people-0-name", "张三")
    page.fill("#id_people-0-id_number", VALID_ID)
    page.press("#id_people-0-id_number", "Tab")
    page.fill("#id_title", "楼上漏水还没修")
    page.fill("#id_content", "楼上漏水还是没人管，再次反映。")
    page.press("#id_content", "Tab")
    page.wait_for_selector(f"#repeat-{first.pk}")
    assert first.number in page.inner_text("[data-testid=repeat-candidates]")
    screenshot(page, "intake-register-repeat-panel")
    page.check(f"#repeat-{first.pk}")
    page.click("[data-testid=save]")
    page.wait_for_selector("[data-testid=petition-number]")
    assert Petition.objects.count() == 1 and Contact.objects.filter(petition=first).count() == 2
    assert "已作为重复件并入" in page.inner_text(".messages")
    assert [p for p in problems if "Content Security Policy" in p or "Refused" in p] == []


def test_accused_section_follows_the_kind(page, cast):
    login(page, "officer")
    page.goto(page.base_url + "/petitions/register/")
    assert not page.is_visible("[data-accused-section]")
    page.select_option("#id_kind", "accusation")
    assert page.is_visible("[data-accused-section]")
    page.wait_for_selector("[data-cascade=unit] select")
    screenshot(page, "intake-register-accusation")
