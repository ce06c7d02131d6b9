"""Browser test of the registration flow: people rows, address → locality, category picker, repeat panel."""

import pytest

from conftest import login, register_on_form, screenshot
from petitions.models import Contact, Petition

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VALID_ID = "340102199001011236"


def test_front_desk_registers_and_then_adds_a_repeat_contact(page, cast):
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    login(page, "desk_a")
    register_on_form(page, name="张三", id_number=VALID_ID, phone="13812345678", address="青山区城关街道东门社区5号",
                     locality_code=cast.village_a.division_code, headcount=2,
                     more_people=({"name": "李四", "phone": "13900000000", "unverified_reason": "未带证件"},),
                     title="楼道漏水无人修", content="我家楼上漏水三个月，物业不管，请求处理。",
                     category=("城乡建设", "市政设施", "供水供气"), save=False)
    page.wait_for_selector("[data-cascade=locality] select:nth-of-type(5)")  # the address filled all five levels
    screenshot(page, "intake-register-filled")
    page.click("[data-testid=save]")
    page.wait_for_selector("[data-testid=petition-number]")
    first = Petition.objects.get()
    assert first.locality_id == cast.village_a.pk and first.category.full_name == "城乡建设/市政设施/供水供气"
    assert first.headcount == 2 and first.contacts.get().people.count() == 2
    screenshot(page, "intake-register-saved")

    register_on_form(page, name="张三", id_number=VALID_ID, title="楼上漏水还没修", content="楼上漏水还是没人管，再次反映。",
                     wait_for=f"#repeat-{first.pk}", save=False)
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
