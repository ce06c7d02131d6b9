"""Browser test (real Chromium) of the suggested handling unit on the transfer page: the suggestions show
their confidence and, on hover, the terms behind them; a click selects the unit in the form, a unit picked
by hand un-presses it, and the saved transfer records the officer's choice against the suggestions."""

import pytest
from playwright.sync_api import expect

from conftest import login, screenshot
from insight import services
from insight.models import SuggestionFeedback
from insight.tests.app_data import history
from petitions.models import Petition
from xinfang.testing import make_petition

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOUSING_TEXT = "开发商合同约定去年交房，楼盘至今逾期没有交付，购房的房产证也没有"


def test_clicking_a_suggested_unit_selects_it_and_the_transfer_records_the_choice(page, cast, insight_dir,
                                                                                  next_year_table):
    history(cast)
    services.train_suggester("unit")
    matter = make_petition(cast.town_a, actor=cast.desk_a, title=HOUSING_TEXT)
    assert SuggestionFeedback.objects.get(petition=matter, kind="unit").decided_at is None  # registration leaves it

    login(page, "officer")
    page.goto(f"{page.base_url}/handling/{matter.pk}/transfer/")
    first = page.locator("[data-testid=unit-suggestions] [data-suggest-unit]").first
    expect(first).to_contain_text(cast.unit_b.name)
    expect(first).to_contain_text("%")
    hover = first.get_attribute("title") or ""
    assert hover.startswith("依据：") and "开发商" in hover
    expect(first).to_have_attribute("aria-pressed", "false")
    first.hover()
    screenshot(page, "insight-transfer-unit-suggestions")

    first.click()
    expect(page.locator("#id_to_unit")).to_have_value(str(cast.unit_b.pk))
    expect(first).to_have_attribute("aria-pressed", "true")
    # another unit picked by hand: the suggestion no longer shows as chosen; clicking it again selects it
    page.select_option("#id_to_unit", str(cast.town_c.pk))
    expect(first).to_have_attribute("aria-pressed", "false")
    first.click()
    expect(page.locator("#id_to_unit")).to_have_value(str(cast.unit_b.pk))
    screenshot(page, "insight-transfer-unit-suggestion-clicked")

    page.click("form.card button[type=submit]")
    page.wait_for_url(f"**/petitions/{matter.pk}/")
    assert Petition.objects.get(pk=matter.pk).handling_unit_id == cast.unit_b.pk
    row = SuggestionFeedback.objects.get(petition=matter, kind="unit")
    assert (row.chosen, row.rank) == (cast.unit_b.code, 1) and row.decided_at is not None
    assert [e for e in page.console_errors if "Content Security Policy" in e or "Refused" in e] == []
