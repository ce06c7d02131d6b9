"""Shipped data (holiday years, rule packs), the commands, and the admin pages."""

import datetime
from io import StringIO

import chinese_calendar
import pytest
from chinese_calendar import constants
from django.core.management import CommandError, call_command

from audit.models import AuditEntry
from deadlines import calendar
from deadlines.holidays import package_years
from deadlines.models import CalendarDay, ClockRule, HolidayYear, RulePack
from deadlines.services import load_holidays
from xinfang.testing import client_for

pytestmark = pytest.mark.django_db
D = datetime.date


def test_every_year_of_the_package_is_loaded_with_its_days():
    years = sorted({d.year for d in constants.holidays})
    assert list(HolidayYear.objects.order_by("year").values_list("year", flat=True)) == years
    assert years[0] == 2004 and years[-1] == 2026
    assert HolidayYear.objects.get(year=2025).source == f"chinesecalendar {chinese_calendar.__version__}"
    spring = CalendarDay.objects.filter(date__range=(D(2025, 1, 26), D(2025, 2, 8))).order_by("date")
    assert [(d.date.day, d.kind) for d in spring] == [
        (26, "makeup_workday"), (28, "holiday"), (29, "holiday"), (30, "holiday"), (31, "holiday"),
        (1, "holiday"), (2, "holiday"), (3, "holiday"), (4, "holiday"), (8, "makeup_workday"),
    ]
    assert {d.name for d in spring} == {"春节"}


def test_shipped_rule_packs():
    default = RulePack.objects.get(is_default=True)
    assert default.code == "reg2022"
    assert (default.start_day_counted, default.holiday_rollover, default.reminder_days_before,
            default.supervise_after_days, default.escalate_after_days, default.rating_window_days) == (
        False, True, 3, 0, 5, 15)
    rules = {r.kind: (r.days, r.unit, r.max_extension_days) for r in default.rules.all()}
    assert rules == {
        "triage": (15, "calendar", None), "acceptance_notice": (15, "calendar", None),
        "objection": (5, "working", None), "handling": (60, "calendar", 30), "report_back": (30, "calendar", None),
        "review_request": (30, "calendar", None), "review_decision": (30, "calendar", None),
        "final_review_request": (30, "calendar", None), "final_review_decision": (30, "calendar", None),
    }
    local = {r.kind: r.days for r in ClockRule.objects.filter(pack__code="local3090")}
    assert (local["handling"], local["review_decision"], local["final_review_decision"]) == (30, 30, 90)


def test_load_holidays_keeps_existing_years_unless_replace():
    day = CalendarDay.objects.get(date=D(2025, 10, 8))
    day.name = "管理员改过"
    day.save()
    assert load_holidays([2025]) == []
    assert CalendarDay.objects.get(date=D(2025, 10, 8)).name == "管理员改过"
    assert load_holidays([2025], replace=True, actor=None) == [2025]
    assert CalendarDay.objects.get(date=D(2025, 10, 8)).name == "国庆节"
    HolidayYear.objects.filter(year=2024).delete()
    out = StringIO()
    call_command("load_holidays", stdout=out)
    assert out.getvalue().strip() == "已载入：2024年"
    assert AuditEntry.objects.filter(action="import", summary="载入节假日安排：2024年").count() == 1


def test_load_holidays_refuses_a_year_the_package_lacks():
    with pytest.raises(CommandError, match="没有2027年的节假日安排.*请在系统管理“节假日”中手工录入"):
        call_command("load_holidays", "--year", "2027")
    assert max(package_years()) == 2026


def test_deadline_command_explains_rollover():
    out = StringIO()
    call_command("deadline", "--from", "2025-09-30", "--days", "1", "--unit", "calendar", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "2025-10-09"
    assert lines[1] == "自2025年9月30日起1个自然日，期限届满日：2025年10月9日（星期四）。"
    assert lines[2].startswith("原届满日2025年10月1日为休息日（10月1日国庆节、")
    assert lines[2].endswith("依民法典第203条顺延至其后第一个工作日2025年10月9日。")
    assert lines[3] == "规则包：2022年《信访工作条例》（起算日不计入期限，末日遇休息日顺延）"


def test_deadline_command_working_days_and_errors():
    out = StringIO()
    call_command("deadline", "--from", "2025-09-25", "--days", "5", "--unit", "working", "--pack", "local3090",
                 stdout=out)
    assert out.getvalue().splitlines()[:2] == ["2025-10-09", "自2025年9月25日起5个工作日，期限届满日：2025年10月9日（星期四）。"]
    with pytest.raises(CommandError, match="2031年的节假日安排尚未录入"):
        call_command("deadline", "--from", "2031-01-01", "--days", "3", stdout=StringIO())
    with pytest.raises(CommandError, match="没有代码为 nope 的规则包"):
        call_command("deadline", "--from", "2025-01-01", "--days", "3", "--pack", "nope", stdout=StringIO())
    with pytest.raises(CommandError, match="日期格式应为 YYYY-MM-DD"):
        call_command("deadline", "--from", "2025/01/01", "--days", "3", stdout=StringIO())


def test_admin_adds_a_year_with_its_days_and_the_calendar_uses_it(cast):
    client = client_for(cast.admin)
    assert client.get("/admin/deadlines/holidayyear/").status_code == 200
    response = client.post("/admin/deadlines/holidayyear/add/", {
        "year": "2027", "source": "国办发明电〔2026〕9号", "loaded_at_0": "2026-11-20", "loaded_at_1": "10:00:00",
        "days-TOTAL_FORMS": "2", "days-INITIAL_FORMS": "0", "days-MIN_NUM_FORMS": "0", "days-MAX_NUM_FORMS": "1000",
        "days-0-date": "2027-01-01", "days-0-kind": "holiday", "days-0-name": "元旦",
        "days-1-date": "2027-01-02", "days-1-kind": "holiday", "days-1-name": "元旦",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    year = HolidayYear.objects.get(year=2027)
    assert year.days.count() == 2
    assert calendar.add_days(D(2026, 12, 31), 1, "calendar") == D(2027, 1, 4)  # Jan 1–2 holiday, Jan 3 Sunday
    assert AuditEntry.objects.filter(object_type="deadlines.calendarday", action="create").count() == 2
    assert AuditEntry.objects.filter(object_type="deadlines.holidayyear", object_id=str(year.pk)).count() == 1


def test_admin_pages_for_packs_load_and_non_admins_are_kept_out(cast):
    pack = RulePack.objects.get(code="reg2022")
    admin = client_for(cast.admin)
    page = admin.get(f"/admin/deadlines/rulepack/{pack.pk}/change/")
    assert page.status_code == 200
    assert "期限末日遇节假日顺延" in page.content.decode()
    assert client_for(cast.officer).get("/admin/deadlines/rulepack/").status_code == 302


def test_making_another_pack_default_moves_the_flag(cast):
    from deadlines.services import save_rule_pack

    local = RulePack.objects.get(code="local3090")
    local.is_default = True
    save_rule_pack(local, actor=cast.admin)
    assert list(RulePack.objects.filter(is_default=True).values_list("code", flat=True)) == ["local3090"]
    assert calendar.default_pack().code == "local3090"


def test_the_rating_window_is_set_on_the_pack_not_as_a_rule():
    from core.errors import DomainError
    from deadlines.admin import ClockRuleForm
    from deadlines.services import save_clock_rule

    form = ClockRuleForm(data={"kind": "rating", "days": 5, "unit": "calendar"})
    assert not form.is_valid()
    assert form.errors["kind"] == ["满意度评价期限在规则包的“满意度评价期限”中设置。"]
    pack = RulePack.objects.get(code="reg2022")
    with pytest.raises(DomainError, match="满意度评价期限"):
        save_clock_rule(ClockRule(pack=pack, kind="rating", days=5, unit="calendar"))
    pack.rating_window_days = 20
    from deadlines.services import save_rule_pack

    save_rule_pack(pack)
    assert calendar.due_date(D(2025, 3, 3), "rating") == D(2025, 3, 24)  # Mar 23 is a Sunday
