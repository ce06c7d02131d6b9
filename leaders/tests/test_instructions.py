"""Instructions (批示 / 圈阅): the leader writes, the unit is told and answers, the matter shows both;
阅批 counted per leader and period."""

import datetime

import pytest

from core.errors import Conflict, DomainError, NotAllowed
from leaders import selectors, services
from leaders.models import Instruction
from notifications.models import Notification
from petitions.models import Event
from xinfang.testing import make_petition

pytestmark = pytest.mark.django_db


def test_instruction_goes_to_the_handling_unit_which_answers(cast, matter):
    instruction = services.instruct(matter, actor=cast.leader, text="请住建局一周内拆除并回复",
                                    respond_by=datetime.date(2026, 3, 9))
    assert (instruction.unit, instruction.state, instruction.kind) == (cast.unit_b, "pending", "instruction")
    assert Event.objects.get(petition=matter, action="instruction").note == (
        "孙区长批示：请住建局一周内拆除并回复（请青山区住房和城乡建设局落实，2026年3月9日前回复）")
    assert set(Notification.objects.filter(kind="instruction").values_list("recipient__username", flat=True)) == {
        "handler_b", "head_b"}
    with pytest.raises(NotAllowed, match="该批示请青山区住房和城乡建设局回复"):
        services.respond_to_instruction(instruction, actor=cast.officer, text="已办")
    services.respond_to_instruction(instruction, actor=cast.handler_b, text="已于3月5日拆除完毕")
    instruction.refresh_from_db()
    assert (instruction.state, instruction.response, instruction.responded_by) == (
        "responded", "已于3月5日拆除完毕", cast.handler_b)
    assert Notification.objects.filter(recipient=cast.leader, title__startswith="批示已回复").count() == 1
    with pytest.raises(Conflict, match="已经回复过了"):
        services.respond_to_instruction(instruction, actor=cast.head_b, text="再次回复")


def test_instruction_rules(cast, matter):
    with pytest.raises(NotAllowed, match="无权作出批示"):
        services.instruct(matter, actor=cast.officer, text="x")
    with pytest.raises(DomainError, match="请填写批示内容"):
        services.instruct(matter, actor=cast.leader, text="  ")
    with pytest.raises(DomainError, match="青山区人力资源和社会保障局目前看不到该事项"):
        services.instruct(matter, actor=cast.leader, text="请人社局配合", unit=cast.unit_b2)
    with pytest.raises(DomainError, match="回复期限不能早于今天"):
        services.instruct(matter, actor=cast.leader, text="x", respond_by=datetime.date(2026, 3, 1))
    hidden = make_petition(cast.city_bureau, actor=cast.city_officer, name="李四", phone="13900000000")
    with pytest.raises(NotAllowed, match="无权查看"):
        services.instruct(hidden, actor=cast.leader, text="x")
    assert Instruction.objects.count() == 0


def test_read_needs_no_answer_and_counts(cast, matter, frozen):
    read = services.instruct(matter, actor=cast.leader, text="", kind="read")
    assert (read.state, read.unit, read.text) == ("none", None, "已阅")
    with pytest.raises(DomainError, match="圈阅无需回复"):
        services.respond_to_instruction(read, actor=cast.handler_b, text="x")
    frozen.shift(datetime.timedelta(days=1))
    first = services.instruct(matter, actor=cast.leader, text="抓紧办理")
    services.instruct(matter, actor=cast.leader, text="注意方式方法")
    services.respond_to_instruction(first, actor=cast.head_b, text="已部署")
    counts = selectors.instruction_counts(cast.officer, datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))
    assert [(c.leader_name, c.total, c.instructions, c.reads, c.responded, c.pending) for c in counts] == [
        ("孙区长", 3, 2, 1, 1, 1)]
    only_monday = selectors.instruction_counts(cast.officer, datetime.date(2026, 3, 2), datetime.date(2026, 3, 2))
    assert [(c.total, c.reads) for c in only_monday] == [(1, 1)]
    assert selectors.instruction_counts(cast.outsider_c, datetime.date(2026, 3, 1), datetime.date(2026, 3, 31)) == []


def test_panel_shows_instruction_and_response(cast, matter, rf):
    from django.template import Context, Template

    instruction = services.instruct(matter, actor=cast.leader, text="请一周内拆除")
    services.respond_to_instruction(instruction, actor=cast.handler_b, text="已拆除")
    request = rf.get("/")
    request.user = cast.handler_b
    html = Template("{% load leaders %}{% leader_panel petition %}").render(Context({"request": request,
                                                                                    "petition": matter}))
    assert "请一周内拆除" in html and "已拆除" in html and 'data-testid="leader-panel"' in html
    assert 'data-action="instruct"' not in html
    request.user = cast.leader
    html = Template("{% load leaders %}{% leader_panel petition %}").render(Context({"request": request,
                                                                                    "petition": matter}))
    assert 'data-action="instruct"' in html
