"""Answer lines (口径) on the reply form (/handling/<pk>/reply/): the replies the office gave to the most similar
past matters, each with its matter, the similarity and the text to copy — only for matters the user may see."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from conftest import login, screenshot
from handling import services as handling
from handling.models import Reply
from insight import services
from petitions.models import Petition
from xinfang.testing import client_for, make_petition

TITLE = "幸福小区电梯经常故障困人，物业不维修"
VISIBLE_LINE = "已责令物业公司三日内修复电梯并每月维保，请业主监督"
HIDDEN_LINE = "河西镇已协调维保单位更换电梯曳引机，相关费用由维修基金列支"
ACCUSED_LINE = "纪委监委已对局长包庇物业问题立案调查"
OTHER_TOPICS = ["包工头拖欠农民工工资半年不给", "孩子小学入学学区划分不合理", "开发商逾期交房不办房产证"]


def replied(petition, unit, user, opinion_text):  # noqa: ANN001, ANN201
    """A signed reply on a past matter (the handling path itself is tested in handling/tests)."""
    return Reply.objects.create(petition=petition, unit=unit, complaint="要求修复电梯", facts="经现场核实，情况属实",
                                opinion="support", opinion_text=opinion_text, drafted_by=user, approved_by=user,
                                approved_at=timezone.now())


def build(cast):  # noqa: ANN001, ANN201
    """A matter in handling at unit B, and three past matters on the same problem with signed replies: one
    unit B may see, one of the town next door, one accusation about unit B."""
    visible = make_petition(cast.unit_b, actor=cast.handler_b, title="幸福小区电梯故障困人，物业一直不维修")
    hidden = make_petition(cast.town_c, actor=cast.outsider_c, title="幸福小区电梯又故障困人了，物业不维修")
    accusation = make_petition(cast.town_a, actor=cast.desk_a, kind="accusation", accused_unit=cast.unit_b,
                               title="幸福小区电梯故障困人物业不维修，住建局长包庇物业")
    replied(visible, cast.unit_b, cast.head_b, VISIBLE_LINE)
    replied(hidden, cast.town_c, cast.outsider_c, HIDDEN_LINE)
    replied(accusation, cast.county, cast.officer, ACCUSED_LINE)
    for title in OTHER_TOPICS:  # the rest of the office's history, on other problems
        replied(make_petition(cast.unit_b, actor=cast.handler_b, title=title), cast.unit_b, cast.head_b, "已按政策答复")
    current = make_petition(cast.town_a, actor=cast.desk_a, title=TITLE)
    handling.accept(current, actor=cast.officer)
    handling.assign(current, actor=cast.officer, to_unit=cast.unit_b,
                    report_due_on=timezone.localdate() + datetime.timedelta(days=30))
    handling.acknowledge(current, actor=cast.handler_b)
    services.rebuild_answer_lines()
    return current, visible, hidden, accusation


@pytest.mark.django_db
def test_reply_form_shows_the_answer_lines_the_handler_may_see(cast, insight_dir, next_year_table):
    current, visible, hidden, accusation = build(cast)
    assert not Petition.objects.visible_to(cast.handler_b).filter(pk__in=[hidden.pk, accusation.pk]).exists()
    url = reverse("handling:action", args=[current.pk, "reply"])
    page = client_for(cast.handler_b).get(url).content.decode()
    assert page.count('data-testid="answer-line"') == 1
    assert f'href="{reverse("petitions:detail", args=[visible.pk])}"' in page and visible.number in page
    assert visible.title in page and "相似度 0." in page
    assert f'data-copy-target="opinion_text" data-text="{VISIBLE_LINE}"' in page
    assert 'src="/static/insight/answer_lines.js"' in page
    # the town next door's matter and the accusation about unit B leave no trace: no number, no text
    for other, line in ((hidden, HIDDEN_LINE), (accusation, ACCUSED_LINE)):
        assert other.number not in page and line not in page and f'data-matter="{other.pk}"' not in page
    # only the reply form carries the panel
    note = client_for(cast.handler_b).get(reverse("handling:action", args=[current.pk, "note"])).content.decode()
    assert 'data-testid="reply-answer-lines"' not in note


@pytest.mark.django_db
def test_answer_lines_follow_the_viewers_scope(cast, insight_dir, next_year_table):
    current, visible, hidden, accusation = build(cast)
    assert Petition.objects.visible_to(cast.officer).filter(pk=hidden.pk).exists()
    url = reverse("handling:action", args=[current.pk, "reply"])
    page = client_for(cast.officer).get(url).content.decode()
    assert visible.number in page and hidden.number in page and HIDDEN_LINE in page
    assert accusation.number not in page and ACCUSED_LINE not in page  # accusations are never answer lines
    assert page.count('data-testid="answer-line"') == 2
    # nothing to show: the panel says so instead of disappearing
    Reply.objects.all().delete()
    services.rebuild_answer_lines()
    empty = client_for(cast.handler_b).get(url).content.decode()
    assert 'data-testid="no-answer-lines"' in empty and "answer_lines.js" not in empty
    assert client_for(cast.outsider_c).get(url).status_code == 404


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_copy_button_puts_the_past_reply_into_the_draft(page, cast, insight_dir, next_year_table):
    current, visible, _hidden, _accusation = build(cast)
    login(page, "handler_b")
    page.goto(page.base_url + reverse("handling:action", args=[current.pk, "reply"]))
    line = page.locator("[data-testid=answer-line]")
    expect(line).to_have_count(1)
    expect(line).to_contain_text(visible.number)
    page.fill("#id_opinion_text", "经调查，")
    line.locator("[data-copy-answer-line]").click()
    expect(page.locator("#id_opinion_text")).to_have_value("经调查，\n" + VISIBLE_LINE)
    expect(line.locator("[data-copy-answer-line]")).to_have_text("已引用")
    screenshot(page, "insight-reply-answer-lines")
