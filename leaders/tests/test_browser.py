"""In a real browser: the leader's own page shows the duty day, the instruction written and the owned
case; the monthly list shows the case; the matter page shows the instruction and its answer."""

import datetime

import pytest
from django.utils import timezone

from conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_leader_page_and_monthly_list(page, deadline_tables, cast):
    from leaders import services
    from reception import services as reception
    from xinfang.testing import make_petition

    cast.leader.title = "区长"
    cast.leader.save()
    matter = make_petition(cast.county_bureau, actor=cast.officer, title="小区楼顶违章搭建无人处理")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    reception.add_duty(unit=cast.county, day=tomorrow, leader=cast.leader, actor=cast.officer, place="区人民来访接待中心",
                       topics="城建、物业")
    instruction = services.instruct(matter, actor=cast.leader, text="请区信访局会同住建局一周内拿出处理意见")
    services.respond_to_instruction(instruction, actor=cast.officer, text="已会同住建局现场查看，拟责令限期拆除")
    case = services.assign_case(matter, actor=cast.leader, leader=cast.leader, responsible_unit=cast.county_bureau,
                                handler=cast.officer, due_on=timezone.localdate() + datetime.timedelta(days=20),
                                quality_target="案结事了、信访人息访")

    login(page, "leader")
    page.goto(page.base_url + "/leaders/")
    assert f"{tomorrow.year}年{tomorrow.month}月{tomorrow.day}日" in page.inner_text("[data-testid=my-duties]")
    assert "请区信访局会同住建局" in page.inner_text("[data-testid=my-instructions]")
    assert matter.number in page.inner_text("[data-testid=my-cases]")
    screenshot(page, "leaders-home")

    due = case.due_on
    page.goto(f"{page.base_url}/leaders/cases/monthly/?month={due:%Y-%m}")
    assert matter.number in page.inner_text("[data-testid=leader-month]")
    screenshot(page, "leaders-monthly")

    page.goto(f"{page.base_url}/leaders/cases/{case.pk}/")
    page.fill("#id_note-text", "已约谈信访人，解释拆除程序")
    page.click("text=记录进展")
    page.wait_for_selector("text=已约谈信访人，解释拆除程序")
    screenshot(page, "leaders-case")
