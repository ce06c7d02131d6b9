"""Browser tests (real Chromium) of the insight parts of the registration form: a suggested category is
clicked into the three-level picker and the officer's choice is recorded against the suggestions; the
accused-unit staff list never keeps the previous unit's people."""

import pytest
from playwright.sync_api import expect

from conftest import login, screenshot
from insight.models import SuggestionFeedback
from insight.tests.app_data import category
from petitions.models import Petition

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOUSING = "城乡建设/房地产市场/逾期交房"


@pytest.fixture
def trained(cast, suggesters):
    return cast


def test_clicking_a_suggested_category_fills_every_level_and_the_choice_is_recorded(page, trained):
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    cast = trained
    login(page, "desk_a")
    page.goto(page.base_url + "/petitions/register/")
    page.fill("#id_people-0-name", "张三")
    page.fill("#id_people-0-phone", "13812345678")
    page.fill("#id_title", "楼盘逾期交房")
    page.fill("#id_content", "开发商合同约定去年交房，楼盘至今逾期没有交付，购房户多次反映")
    page.press("#id_content", "End")  # the suggestions follow typing (keyup)
    level3 = page.locator(f'[data-suggest-category="{HOUSING}"]')
    expect(level3).to_be_visible()
    # the terms that drove the suggestion are its hover text
    hover = level3.get_attribute("title") or ""
    assert hover.startswith("依据：") and "交房" in hover
    expect(page.locator('[data-testid=suggest-unit] [title^="依据："]').first).to_contain_text(cast.unit_b.name)
    level3.hover()
    screenshot(page, "insight-register-suggestions")

    level3.click()
    target = category(HOUSING)
    expect(page.locator("#id_category")).to_have_value(str(target.pk))
    selects = page.locator("[data-cascade=category] select")
    chain = [target.parent.parent, target.parent, target]
    for depth, node in enumerate(chain):
        expect(selects.nth(depth)).to_have_value(str(node.pk))
    expect(level3).to_have_attribute("aria-pressed", "true")
    screenshot(page, "insight-register-suggestion-clicked")

    # a level-1 suggestion fills level 1 only and clears the deeper levels
    page.locator('[data-suggest-category="城乡建设"]').click()
    expect(page.locator("#id_category")).to_have_value(str(chain[0].pk))
    expect(selects.nth(0)).to_have_value(str(chain[0].pk))
    expect(selects.nth(1)).to_have_value("")
    # picking another category by hand: the suggestion no longer shows as chosen
    level3.click()
    expect(level3).to_have_attribute("aria-pressed", "true")
    selects.nth(2).select_option(index=0)
    expect(page.locator("#id_category")).to_have_value(str(target.parent.pk))
    expect(level3).to_have_attribute("aria-pressed", "false")
    level3.click()
    expect(page.locator("#id_category")).to_have_value(str(target.pk))

    page.click("[data-testid=save]")
    page.wait_for_selector("[data-testid=petition-number], #repeat-new")
    if page.locator("#repeat-new").count():  # the closed history is similar: register as a new matter
        page.check("#repeat-new")
        page.click("[data-testid=save]")
        page.wait_for_selector("[data-testid=petition-number]")
    petition = Petition.objects.exclude(number__startswith="HIST-").get()
    assert petition.category_id == target.pk
    rows = {r.kind: r for r in SuggestionFeedback.objects.filter(petition=petition)}
    assert set(rows) == {"category", "category_path", "unit"}
    assert (rows["category"].chosen, rows["category"].rank) == ("城乡建设", 1)
    assert (rows["category_path"].chosen, rows["category_path"].rank) == (HOUSING, 1)
    assert rows["category_path"].suggested[0][0] == HOUSING and rows["category_path"].decided_at is not None
    assert rows["unit"].decided_at is None  # the handling unit is chosen later, at transfer or assignment
    assert [p for p in problems if "Content Security Policy" in p or "Refused" in p] == []


def test_staff_list_is_cleared_when_the_lookup_answers_404(page, cast):
    login(page, "officer")
    page.goto(page.base_url + "/petitions/register/")
    page.select_option("#id_kind", "accusation")
    unit_selects = page.locator("[data-cascade=unit] select")
    unit_selects.nth(0).select_option(label=cast.province.name)
    unit_selects.nth(1).select_option(label=cast.city.name)
    unit_selects.nth(2).select_option(label=cast.county.name)
    unit_selects.nth(3).select_option(label=cast.unit_b.name)
    picker = page.locator("[data-user-picker]")
    expect(picker.locator("option", has_text="赵承办")).to_have_count(1)
    picker.select_option("handler_b")
    expect(page.locator("#id_accused_username")).to_have_value("handler_b")
    # another area's unit: the staff lookup answers 404, so the list of 住建局 people must go
    unit_selects.nth(2).select_option(label=cast.city_bureau.name)
    expect(page.locator("#id_accused_unit_code")).to_have_value(cast.city_bureau.code)
    expect(picker).to_be_hidden()
    expect(picker.locator("option")).to_have_count(0)
    expect(page.locator("#id_accused_username")).to_have_value("")
    screenshot(page, "insight-register-staff-lookup-404")
    # back inside the area, the list is offered again
    unit_selects.nth(2).select_option(label=cast.county.name)
    expect(picker.locator("option", has_text="孙区长")).to_have_count(1)
    expect(picker).to_be_visible()
