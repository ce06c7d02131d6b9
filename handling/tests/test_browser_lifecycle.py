"""The whole path through the web UI in a real Chromium, each step by the person whose job it is:
registration (desk) → assignment (county 信访局) → acknowledgement, reply (承办单位) → signature
(unit head) → delivery → result report and its review → review (区政府) → final review (市信访局)
→ finalised. Screenshots in var/screenshots/lifecycle-*.png."""

import pytest
from playwright.sync_api import expect

from conftest import login, open_page, register_on_form, screenshot
from documents.models import Document
from notifications.models import PetitionerMessage
from petitions.models import Petition

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VALID_ID = "340102199001011236"


@pytest.fixture
def as_user(browser, live_server):
    """One browser context (its own session) per person, logged in."""
    contexts = []

    def open_as(username):
        page = open_page(browser, live_server.url, viewport={"width": 1280, "height": 900})
        contexts.append(page.context)
        login(page, username)
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        return page

    yield open_as
    for context in contexts:
        context.close()


def act(page, petition, action, fill=None, shot=None):
    """Open the matter page, click the action offered there, fill the form, submit, and check the
    success message. `fill` maps field names to values (select fields by value)."""
    page.goto(f"{page.base_url}/petitions/{petition.pk}/")
    page.locator(f"[data-testid=actions] [data-action={action}]").click()
    for name, value in (fill or {}).items():
        field = page.locator(f"#id_{name}")
        if field.evaluate("el => el.tagName") == "SELECT":
            field.select_option(value=str(value))
        else:
            field.fill(str(value))
    if shot:
        screenshot(page, shot)
    page.locator("form.card-body button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text(petition.number)
    assert page.locator("[data-testid=form-error]").count() == 0


def status_on_page(page, petition):
    page.goto(f"{page.base_url}/petitions/{petition.pk}/")
    return page.locator("p.text-muted").first.inner_text()


def test_a_matter_goes_the_whole_way_through_the_ui(cast, next_year_table, as_user):
    # 1. The county front desk registers a visit.
    officer = as_user("officer")
    register_on_form(officer, name="张三", id_number=VALID_ID, phone="13812345678",
                     address="青山区城关街道东门社区5号", locality_code=cast.village_a.division_code,
                     title="小区楼顶违章搭建无人处理", content="我家楼上邻居在楼顶搭建彩钢房，漏水严重，多次反映无人处理。")
    petition = Petition.objects.get()
    assert petition.status == "registered"
    screenshot(officer, "lifecycle-1-registered")

    # 2. The 信访局 assigns it to the housing bureau with a result report due.
    act(officer, petition, "assign", {"to_unit": cast.unit_b.pk, "note": "请依法处理并按期报结"},
        shot="lifecycle-2-assign")
    petition.refresh_from_db()
    assert petition.status == "in_handling" and petition.handling_unit == cast.unit_b
    # The clocks are on the page with their due dates.
    clocks = officer.get_by_test_id("clocks").inner_text()
    assert "受理告知" in clocks or "告知" in clocks

    # 3. The handling unit acknowledges, investigates and drafts the reply; the head signs it.
    handler = as_user("handler_b")
    act(handler, petition, "acknowledge")
    act(handler, petition, "note", {"text": "现场核实：楼顶搭建约20平方米彩钢房。"})
    act(handler, petition, "reply", {
        "complaint": "要求拆除楼顶违章搭建", "facts": "经现场核实，楼顶搭建彩钢房约20平方米，未取得规划许可。",
        "opinion": "support", "opinion_text": "责令当事人15日内自行拆除，逾期依法强制拆除。",
        "legal_basis": "《中华人民共和国城乡规划法》第六十四条"}, shot="lifecycle-3-reply")
    head = as_user("head_b")
    act(head, petition, "approve")
    act(handler, petition, "deliver", {"method": "邮寄送达"})
    petition.refresh_from_db()
    assert petition.status == "replied"
    screenshot(handler, "lifecycle-4-delivered")

    # 4. The result report goes back to the 信访局, which passes it.
    act(handler, petition, "report_back", {"report": "已责令拆除，当事人已自行拆除。"})
    act(officer, petition, "pass_report", {"comment": "同意报结"})

    # 5. The petitioner asks for a review at the desk; the district government decides it.
    act(officer, petition, "request_review", {"reasons": "对拆除进度不满意"})
    petition.refresh_from_db()
    assert petition.status == "in_review"
    leader = as_user("leader")
    act(leader, petition, "decide_review", {"outcome": "uphold", "decision_text": "维持原处理意见。"},
        shot="lifecycle-5-review")
    petition.refresh_from_db()
    assert petition.status == "reviewed"

    # 6. Final review by the city: the matter is finalised.
    act(officer, petition, "request_final_review", {"reasons": "仍不服复查意见"})
    city = as_user("city_officer")
    act(city, petition, "decide_final_review", {"outcome": "uphold", "decision_text": "维持复查意见。"})
    petition.refresh_from_db()
    assert petition.status == "finalised"
    assert "已终结" in status_on_page(city, petition) or petition.get_status_display() in status_on_page(city, petition)
    # Nothing more to do on a finalised matter but archive it (or record a rating given by phone).
    offered = city.locator("[data-testid=actions] [data-action]").evaluate_all("els => els.map(e => e.dataset.action)")
    assert set(offered) <= {"archive", "record_rating"}
    screenshot(city, "lifecycle-6-finalised")

    # Every notice is a document listed on the matter page, with DOCX and PDF.
    kinds = list(Document.objects.filter(petition=petition).order_by("id").values_list("kind", flat=True))
    assert kinds == ["assignment_slip", "acceptance_notice", "reply_letter", "review_decision",
                     "final_review_decision"]
    listed = city.locator("[data-testid=documents]").inner_text()
    for document in Document.objects.filter(petition=petition):
        assert document.docx and document.pdf
        assert document.get_kind_display() in listed
    # Every decision reached the petitioner with the next remedy.
    texts = " ".join(PetitionerMessage.objects.filter(petition=petition).values_list("text", flat=True))
    assert "请求复查" in texts and "请求复核" in texts and "不再受理" in texts
    for page in (officer, handler, head, leader, city):
        assert not [e for e in page.console_errors if "Content Security Policy" in e]
