"""In a real browser: the dashboard draws its charts under the strict CSP, and a click on a chart
segment or a figure opens the list of matters behind it."""

import datetime
import zoneinfo

import pytest
import time_machine
from playwright.sync_api import expect

from conftest import login, screenshot
from petitions.services import PersonInput, RegistrationInput, register_contact

# Transactional: the reference data that migrations load (rule packs, holidays) is put back after
# every flush by the post_migrate handler in the root conftest.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")


def register(cast, when, unit, channel, headcount=1, title="楼道漏水无人修"):
    with time_machine.travel(when, tick=False):
        return register_contact(RegistrationInput(
            channel=channel, receiving_unit=unit, title=title, content=f"{title}。", received_at=when,
            headcount=headcount, people=[PersonInput(name="张三", phone="13812345678")]), actor=cast.officer)


def test_dashboard_charts_and_drill_down(page, cast):
    now = datetime.datetime.now(TZ) - datetime.timedelta(minutes=1)
    register(cast, now - datetime.timedelta(seconds=3), cast.county_bureau, "letter")
    register(cast, now - datetime.timedelta(seconds=2), cast.county_bureau, "visit", headcount=8, title="征地补偿")
    register(cast, now - datetime.timedelta(seconds=1), cast.town_a, "online", title="噪音扰民")
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    login(page, "analyst")
    page.goto(f"{page.base_url}/stats/")
    page.wait_for_selector('[data-chart="trend"][data-ready="1"]')
    page.wait_for_selector('[data-chart="channel"][data-ready="1"] canvas')
    assert "受理群众来信来访10件次" in page.inner_text("[data-testid=sentence]")
    screenshot(page, "stats-dashboard")
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors

    page.click("[data-testid=headline] a[data-metric=collective_people]")
    expect(page.locator("[data-testid=drill-title]")).to_have_text("集体访（人次）")
    assert "<strong>8</strong>人次" in page.content() and "征地补偿" in page.inner_text("[data-testid=drill-table]")
    screenshot(page, "stats-drilldown")

    page.goto(f"{page.base_url}/stats/")
    page.wait_for_selector('[data-chart="category"][data-ready="1"]')
    page.wait_for_timeout(1200)  # let the bars finish their entry animation
    # Clicking the category bar (all three matters are uncategorised) opens the segment's list.
    bars = page.locator('[data-chart="category"] canvas').first
    bars.click(position={"x": 200, "y": 160})
    page.wait_for_url("**/stats/drill/contacts/**dim=category1**")
    assert "一级分类：（无）" in page.inner_text("[data-testid=drill-scope]")
    assert page.locator("[data-testid=drill-table] tbody tr").count() == 3
    screenshot(page, "stats-drilldown-from-chart")


def test_report_page(page, cast):
    today = datetime.datetime.now(TZ) - datetime.timedelta(minutes=1)
    register(cast, today, cast.county_bureau, "visit", headcount=6)
    login(page, "analyst")
    page.goto(f"{page.base_url}/stats/report/?period=month&year={today.year}&n={today.month}")
    page.wait_for_selector("[data-testid=table-volume]")
    assert "集体访1批6人次" in page.inner_text("[data-testid=sentence]")
    screenshot(page, "stats-report")
    page.click("[data-testid=sentence] a >> nth=0")
    expect(page.locator("[data-testid=drill-title]")).to_have_text("来信来访总量（件（人）次）")
