"""The registration page (来访人员登记表): people, collective visits, accusations, bad input, repeats, double submit."""

import datetime
import re

import pytest
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEntry
from petitions.choices import Status
from petitions.models import AccusedParty, Contact, ContactPerson, Event, Petition, Petitioner
from xinfang.testing import client_for, make_petition, status_by_user

pytestmark = pytest.mark.django_db

VALID_ID = "340102199001011236"


def form_data(people=(), token="tok-1", **fields):  # noqa: S107 - a form token, not a password
    data = {
        "form_token": token, "channel": "visit", "received_at": "", "visit_level": "", "headcount": "1",
        "kind": "claim", "title": "楼道漏水无人修", "content": "我家楼上漏水三个月，物业不管，请求处理。", "demands": "",
        "locality_code": "", "category": "", "raised_before_where": "", "accused_name": "", "accused_position": "",
        "accused_unit_code": "", "accused_username": "",
        "people-TOTAL_FORMS": str(len(people)), "people-INITIAL_FORMS": "0", "people-MIN_NUM_FORMS": "0",
        "people-MAX_NUM_FORMS": "1000",
    }
    for i, person in enumerate(people):
        row = {"name": "", "id_number": "", "unverified_reason": "", "phone": "", "address": "", "role": "petitioner"}
        row.update(person)
        for key, value in row.items():
            data[f"people-{i}-{key}"] = value
    data.update({k: v for k, v in fields.items() if v is not None})
    return {k: v for k, v in data.items() if v is not False}


def post(client, data):
    return client.post("/petitions/register/", data)


@pytest.fixture
def desk(client, cast):
    client.force_login(cast.desk_a)
    return client


def test_page_has_people_rows_pickers_and_no_inline_script(desk):
    page = desk.get("/petitions/register/").content.decode()
    assert 'name="form_token"' in page and 'id="person-template"' in page
    assert "people-__prefix__-name" in page and 'data-cascade="locality"' in page and 'data-cascade="category"' in page
    assert '/static/petitions/register.js' in page
    inline = [s for s in re.findall(r"<script([^>]*)>", page) if "src=" not in s and "application/json" not in s]
    assert inline == []
    assert "script-src 'self'" in desk.get("/petitions/register/")["Content-Security-Policy"]


def test_registers_a_matter_with_two_people(desk, cast):
    response = post(desk, form_data([
        {"name": "张三", "id_number": VALID_ID, "phone": "13812345678", "address": "城关街道东门社区1号"},
        {"name": "李四", "phone": "13900000000", "unverified_reason": "未带证件"},
    ], headcount="2"))
    petition = Petition.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/petitions/{petition.pk}/"
    assert petition.receiving_unit == cast.town_a and petition.registered_by == cast.desk_a
    assert petition.headcount == 2 and not petition.is_collective and petition.contact_count == 1
    assert petition.locality == cast.village_a  # from the address
    names = set(ContactPerson.objects.values_list("petitioner__name", "role"))
    assert names == {("张三", "petitioner"), ("李四", "petitioner")}
    li = Petitioner.objects.get(name="李四")
    assert not li.id_verified and li.unverified_reason == "未带证件"
    event = Event.objects.get(petition=petition, action="register")
    assert event.data["repeat_check"] == {"same_person": [], "similar": [], "finalised": []}


def test_collective_visit_with_representatives_and_a_member(desk):
    people = [{"name": f"代表{i}", "phone": f"1380000000{i}", "role": "representative"} for i in range(5)]
    people.append({"name": "随行人员", "role": "member", "unverified_reason": "未登记证件"})
    assert post(desk, form_data(people, headcount="30")).status_code == 302
    petition = Petition.objects.get()
    assert petition.is_collective and petition.headcount == 30
    roles = sorted(ContactPerson.objects.values_list("role", flat=True))
    assert roles == ["member"] + ["representative"] * 5
    assert Contact.objects.get().is_collective


def test_more_than_five_representatives_is_refused(desk):
    people = [{"name": f"代表{i}", "phone": f"1380000000{i}", "role": "representative"} for i in range(6)]
    page = post(desk, form_data(people, headcount="30")).content.decode()
    assert "集体访代表不超过5人，当前登记了6名代表。" in page
    assert not Petition.objects.exists() and not Petitioner.objects.exists()


def test_representatives_only_for_collective_visits(desk):
    page = post(desk, form_data([{"name": "王五", "phone": "13800000001", "role": "representative"}])).content.decode()
    assert "代表只用于5人以上的集体访；当前人数为1。" in page
    assert not Petition.objects.exists()


def test_headcount_below_listed_people_is_refused(desk):
    people = [{"name": "甲", "phone": "13800000001"}, {"name": "乙", "phone": "13800000002"}]
    page = post(desk, form_data(people, headcount="1")).content.decode()
    assert "人数（1）不能少于登记的人员数（2）。" in page
    assert not Petition.objects.exists()


def test_future_time_is_refused(desk):
    tomorrow = (timezone.localtime() + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    page = post(desk, form_data([{"name": "张三", "phone": "13800000001"}], received_at=tomorrow)).content.decode()
    assert "来信来访时间不能晚于当前时间。" in page
    assert not Petition.objects.exists()


def test_invalid_id_gets_a_clear_message_and_can_be_saved_unverified_with_a_reason(desk):
    bad = "110105194912310021"
    page = post(desk, form_data([{"name": "张三", "id_number": bad, "phone": "13800000001"}])).content.decode()
    assert "身份证号无效：身份证号校验位不正确，请核对是否录入有误。" in page
    assert "请在“未核验原因”中写明原因后再保存，将登记为未核验。" in page
    assert not Petition.objects.exists()
    response = post(desk, form_data([{"name": "张三", "id_number": bad, "phone": "13800000001",
                                      "unverified_reason": "证件号码无法核实"}]))
    assert response.status_code == 302
    person = Petitioner.objects.get()
    assert not person.id_verified and person.unverified_reason == "证件号码无法核实" and person.id_number == bad
    assert person.id_index == ""


def test_no_people_requires_anonymous_and_anonymous_refuses_people(desk):
    page = post(desk, form_data([])).content.decode()
    assert "请至少登记一名信访人；匿名信访请勾选“匿名”。" in page
    page = post(desk, form_data([{"name": "张三", "phone": "13800000001"}], anonymous="on")).content.decode()
    assert "已勾选“匿名”，不能同时登记信访人。" in page
    assert not Petition.objects.exists()
    assert post(desk, form_data([], anonymous="on", channel="letter")).status_code == 302
    assert Petition.objects.get().anonymous


def test_joint_letter_needs_two_signers(desk):
    page = post(desk, form_data([{"name": "张三", "phone": "13800000001"}], joint_letter="on",
                                channel="letter")).content.decode()
    assert "联名信至少有两人署名，请核对人数。" in page
    people = [{"name": "张三", "phone": "13800000001"}, {"name": "李四", "phone": "13800000002"}]
    assert post(desk, form_data(people, joint_letter="on", channel="letter", headcount="12")).status_code == 302
    petition = Petition.objects.get()
    assert petition.joint_letter and petition.headcount == 12


def test_accusation_records_the_unit_and_person_and_hides_it_from_them(client, cast):
    client.force_login(cast.officer)
    data = form_data([{"name": "张三", "phone": "13800000001"}], kind="accusation", title="住建局违规审批",
                     accused_name="钱局长", accused_position="局长", accused_unit_code=cast.unit_b.code,
                     accused_username=cast.head_b.username)
    assert post(client, data).status_code == 302
    party = AccusedParty.objects.get()
    assert (party.name, party.position, party.unit, party.user) == ("钱局长", "局长", cast.unit_b, cast.head_b)
    petition = Petition.objects.get()
    assert not Petition.objects.visible_to(cast.head_b).filter(pk=petition.pk).exists()
    assert not Petition.objects.visible_to(cast.handler_b).filter(pk=petition.pk).exists()


def test_accusation_needs_an_accused_and_codes_must_exist(client, cast):
    client.force_login(cast.officer)
    page = post(client, form_data([{"name": "张三", "phone": "13800000001"}], kind="accusation")).content.decode()
    assert "检举控告事项须登记被检举人或被检举单位。" in page
    page = post(client, form_data([{"name": "张三", "phone": "13800000001"}], kind="accusation",
                                  accused_unit_code="NOPE", accused_username="nobody")).content.decode()
    assert "单位编码“NOPE”不存在，请从单位树中选择。" in page and "系统中没有账号“nobody”。" in page
    assert not Petition.objects.exists()


def test_locality_by_division_code_and_unknown_code(desk, cast):
    page = post(desk, form_data([{"name": "张三", "phone": "13800000001"}], locality_code="349902999999")).content
    assert "行政区划代码“349902999999”不在单位树中，请从列表中逐级选择。" in page.decode()
    assert post(desk, form_data([{"name": "张三", "phone": "13800000001"}],
                                locality_code=cast.town_c.division_code)).status_code == 302
    assert Petition.objects.get().locality == cast.town_c


def test_visit_level_is_derived_or_chosen_as_capital(desk, cast):
    post(desk, form_data([{"name": "张三", "phone": "13800000001"}], token="a"))
    # Same content as the first: the repeat check asks, and the officer registers it as a new matter.
    post(desk, form_data([{"name": "李四", "phone": "13800000002"}], token="b", visit_level="capital",
                         channel="forwarded", title="国家信访局转来", repeat_decision="new"))
    assert sorted(Contact.objects.values_list("visit_level", flat=True)) == ["capital", "local"]


def test_the_same_form_submitted_twice_registers_one_matter(desk):
    data = form_data([{"name": "张三", "phone": "13800000001"}], token="same-token")
    first = post(desk, data)
    second = post(desk, data)
    petition = Petition.objects.get()
    assert first["Location"] == second["Location"] == f"/petitions/{petition.pk}/"
    assert Contact.objects.count() == 1 and petition.contact_count == 1
    messages = [str(m) for m in second.wsgi_request._messages]
    assert messages[-1] == "这张登记表已经提交过，没有重复登记。"


def test_repeat_candidates_are_shown_before_saving_and_choosing_one_adds_a_contact(desk, cast):
    first = make_petition(cast.town_a, actor=cast.desk_a, name="张三", id_number=VALID_ID, title="楼道漏水无人修")
    data = form_data([{"name": "张三", "id_number": VALID_ID, "phone": "13700000000"}], token="t2",
                     title="楼上漏水一直没人修", content="楼上漏水三个月了，物业不管，再次请求处理。")
    page = post(desk, data).content.decode()
    assert "发现可能重复的事项，请选择后再保存" in page and first.number in page
    assert Petition.objects.count() == 1 and Contact.objects.count() == 1
    response = post(desk, {**data, "repeat_decision": str(first.pk)})
    assert response["Location"] == f"/petitions/{first.pk}/"
    first.refresh_from_db()
    assert Petition.objects.count() == 1 and first.contact_count == 2
    repeat = Contact.objects.latest("id")
    assert repeat.is_repeat and repeat.petition == first and repeat.content == "楼上漏水三个月了，物业不管，再次请求处理。"
    event = Event.objects.get(petition=first, action="repeat_contact")
    assert event.data["repeat_check"]["same_person"] == [first.pk]


def test_choosing_new_registers_a_new_matter_despite_candidates(desk, cast):
    make_petition(cast.town_a, actor=cast.desk_a, name="张三", id_number=VALID_ID)
    data = form_data([{"name": "张三", "id_number": VALID_ID}], token="t3", title="另一件事：低保申请被拒",
                     content="申请低保被拒绝。", repeat_decision="new")
    assert post(desk, data).status_code == 302
    assert Petition.objects.count() == 2


def test_a_closed_or_invisible_matter_cannot_be_chosen(desk, cast):
    theirs = make_petition(cast.town_c, actor=cast.outsider_c)
    mine = make_petition(cast.town_a, actor=cast.desk_a, name="张三", id_number=VALID_ID)
    Petition.objects.filter(pk=mine.pk).update(status=Status.CLOSED)
    for target in (theirs, mine):
        data = form_data([{"name": "张三", "id_number": VALID_ID}], token=f"x{target.pk}",
                         repeat_decision=str(target.pk))
        page = post(desk, data).content.decode()
        assert "所选的事项不存在、不可见或已办结，不能并入。请重新选择。" in page
    assert Contact.objects.count() == 2


def test_same_facts_after_finalisation_are_flagged(desk, cast):
    old = make_petition(cast.town_a, actor=cast.desk_a, name="张三", id_number=VALID_ID, title="楼道漏水无人修")
    Petition.objects.filter(pk=old.pk).update(status=Status.FINALISED)
    data = form_data([{"name": "张三", "id_number": VALID_ID}], token="t4", title="楼道漏水无人修",
                     content="楼道漏水无人修，请求处理。")
    page = post(desk, data).content.decode()
    assert "同一信访人的同一事项已复核终结" in page and old.number in page
    response = post(desk, {**data, "repeat_decision": "new"})
    new = Petition.objects.exclude(pk=old.pk).get()
    assert response["Location"] == f"/petitions/{new.pk}/"
    assert new.finalised_match == old
    detail = desk.get(f"/petitions/{new.pk}/").content.decode()
    assert "同一事实不再受理" in detail


def test_check_endpoint_renders_the_panel_without_saving(desk, cast):
    first = make_petition(cast.town_a, actor=cast.desk_a, name="张三", phone="13812345678")
    data = form_data([{"name": "张三", "phone": "13812345678"}], token="t5")
    page = desk.post("/petitions/register/check/", data, HTTP_HX_REQUEST="true").content.decode()
    assert first.number in page and 'name="repeat_decision"' in page and "<html" not in page
    page = desk.post("/petitions/register/check/", form_data([{"name": "新人", "phone": "13000000000"}],
                                                             title="完全不同的问题", content="关于路灯。")).content
    assert "未发现同一信访人的在办事项或相似事项。" in page.decode()
    assert Petition.objects.count() == 1


def test_registration_writes_audit_and_event(desk):
    post(desk, form_data([{"name": "张三", "phone": "13800000001"}]))
    petition = Petition.objects.get()
    entry = AuditEntry.objects.get(object_type="petitions.petition", object_id=str(petition.pk))
    assert entry.summary == f"登记 {petition.number}（来访）" and entry.actor.username == "desk_a"


def test_register_pages_permission_suite(cast):
    # Front desks and officers register; the admin is a superuser and may do everything.
    allowed = {"desk_a", "outsider_c", "officer", "city_officer", "admin"}
    codes = status_by_user(cast, "get", "/petitions/register/")
    assert codes == {**{n: (200 if n in allowed else 403) for n in cast.staff}, "anonymous": 302}
    before = Petition.objects.count()
    codes = status_by_user(cast, "post", "/petitions/register/check/", data=form_data([{"name": "张三"}]))
    assert codes == {**{n: (200 if n in allowed else 403) for n in cast.staff}, "anonymous": 302}
    codes = status_by_user(cast, "post", "/petitions/register/",
                           data=form_data([{"name": "张三", "phone": "1"}], repeat_decision="new"))
    assert {n for n, c in codes.items() if c == 302 and n != "anonymous"} == allowed
    assert {n for n, c in codes.items() if c == 403} == set(cast.staff) - allowed
    assert Petition.objects.count() == before + len(allowed)
    assert User.objects.count() == len(cast.staff)
    assert client_for(None).get("/petitions/register/").status_code == 302


@pytest.mark.parametrize(("channel", "title"), [("visit", "来访人员登记表"), ("letter", "来信登记表"), ("phone", "来电登记表"),
                                                ("online", "网上信访登记表"), ("forwarded", "信访事项登记表"),
                                                ("bogus", "来访人员登记表")])
def test_one_form_per_channel(desk, channel, title):
    page = desk.get("/petitions/register/", {"channel": channel}).content.decode()
    assert f'<h1 class="h4" data-testid="form-title">{title} ' in page
    chosen = channel if channel != "bogus" else "visit"
    assert f'<option value="{chosen}" selected>' in page
    assert 'data-channels="visit forwarded assigned_from_above"' in page
