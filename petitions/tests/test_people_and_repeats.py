"""Person pages (立户) and repeat detection (same person, similar text, finalised)."""

import pytest

from audit.models import Action, AuditEntry
from petitions import similarity
from petitions.choices import Status
from petitions.models import Petition, Petitioner
from petitions.repeats import check_repeats, finalised_match
from petitions.services import PersonInput, find_or_create_petitioner
from xinfang.testing import client_for, make_petition, status_by_user

pytestmark = pytest.mark.django_db

VALID_ID = "340102199001011236"


def test_person_page_shows_only_visible_matters_masked(cast):
    mine = make_petition(cast.town_a, actor=cast.desk_a, name="欧阳明月", id_number=VALID_ID, title="城关的事")
    theirs = make_petition(cast.town_c, actor=cast.outsider_c, name="欧阳明月", id_number=VALID_ID, title="河西的事")
    person = Petitioner.objects.get()
    page = client_for(cast.desk_a).get(f"/petitions/petitioners/{person.pk}/").content.decode()
    assert mine.number in page and theirs.number not in page and "河西的事" not in page
    assert "欧**月" in page and VALID_ID not in page and "3401**********1236" in page
    assert "您可查看的 1 件（在办 1 件），1 件次" in page
    page = client_for(cast.officer).get(f"/petitions/petitioners/{person.pk}/").content.decode()
    assert mine.number in page and theirs.number in page
    assert not AuditEntry.objects.filter(action=Action.VIEW_PERSONAL).exists()


def test_person_full_view_is_audited_and_scoped(cast):
    make_petition(cast.town_a, actor=cast.desk_a, name="欧阳明月", id_number=VALID_ID, phone="13912345678")
    person = Petitioner.objects.get()
    page = client_for(cast.desk_a).get(f"/petitions/petitioners/{person.pk}/full/").content.decode()
    assert VALID_ID in page and "13912345678" in page and "欧阳明月" in page
    entry = AuditEntry.objects.get(action=Action.VIEW_PERSONAL)
    assert entry.actor == cast.desk_a and entry.object_type == "petitions.petitioner" and entry.object_id == str(person.pk)
    codes = status_by_user(cast, "get", f"/petitions/petitioners/{person.pk}/full/")
    assert codes == {"desk_a": 200, "officer": 200, "leader": 200, "admin": 200, "city_officer": 200,
                     "analyst": 403, "handler_b": 404, "head_b": 404, "outsider_c": 404, "anonymous": 302}
    codes = status_by_user(cast, "get", f"/petitions/petitioners/{person.pk}/")
    assert codes == {"desk_a": 200, "officer": 200, "leader": 200, "admin": 200, "city_officer": 200,
                     "analyst": 200, "handler_b": 404, "head_b": 404, "outsider_c": 404, "anonymous": 302}


def test_unverified_person_is_registered_with_the_reason(cast):
    person = find_or_create_petitioner(PersonInput(name="无证人员", phone="13800000009"))
    assert not person.id_verified and person.unverified_reason == "未提供身份证号"
    page = client_for(cast.officer).get(f"/petitions/petitioners/{person.pk}/")
    assert page.status_code == 404  # no matter links this person yet, so nobody may see them
    make_petition(cast.county_bureau, actor=cast.officer, name="无证人员", phone="13800000009")
    page = client_for(cast.officer).get(f"/petitions/petitioners/{person.pk}/").content.decode()
    assert "未核验：未提供身份证号" in page


def test_same_person_is_found_by_id_phone_or_name_and_address(cast):
    by_id = make_petition(cast.town_a, actor=cast.desk_a, name="甲", id_number=VALID_ID, phone="", title="甲的事")
    by_phone = make_petition(cast.town_a, actor=cast.desk_a, name="乙", phone="13900000001", title="乙的事")
    from petitions.services import RegistrationInput, register_contact

    by_address = register_contact(RegistrationInput(
        channel="visit", receiving_unit=cast.town_a, title="丙的事", content="请求处理。",
        people=[PersonInput(name="丙", address="东门社区3号")]), actor=cast.desk_a).petition

    def same(person: PersonInput) -> list[int]:
        return [p.pk for p in check_repeats(cast.desk_a, title="x", content="y", people=[person]).same_person]

    assert same(PersonInput(name="别名", id_number=VALID_ID.lower())) == [by_id.pk]
    assert same(PersonInput(name="别名", phone="139 0000 0001")) == [by_phone.pk]
    assert same(PersonInput(name="丙", address="东门社区3号")) == [by_address.pk]
    assert same(PersonInput(name="丙", address="别处")) == []
    Petition.objects.filter(pk=by_id.pk).update(status=Status.CLOSED)
    assert same(PersonInput(name="甲", id_number=VALID_ID)) == []
    assert check_repeats(cast.outsider_c, title="x", content="y", people=[PersonInput(name="乙", phone="13900000001")]
                         ).same_person == []


def test_similarity_scores_and_scoping(cast):
    close = make_petition(cast.town_a, actor=cast.desk_a, title="幸福小区电梯经常故障", name="甲", phone="1")
    make_petition(cast.town_a, actor=cast.desk_a, title="学校门口交通混乱", name="乙", phone="2")
    far = make_petition(cast.town_c, actor=cast.outsider_c, title="幸福小区电梯经常故障", name="丙", phone="3")
    result = similarity.similar_matters(cast.desk_a, "幸福小区电梯又故障了", "幸福小区电梯经常故障，请求处理。")
    assert [p.pk for p, _ in result] == [close.pk]
    assert 0.3 <= result[0][1] < 1
    both = similarity.similar_matters(cast.officer, "幸福小区电梯经常故障", "幸福小区电梯经常故障，请求处理。")
    assert {p.pk for p, _ in both} == {close.pk, far.pk} and both[0][1] == 1.0
    assert similarity.score("拖欠工资", "公司拖欠工资", "拖欠工资", "公司拖欠工资") == 1.0
    assert similarity.score("拖欠工资", "x", "路灯不亮", "y") == 0.0
    assert similarity.similar_matters(cast.desk_a, "", "") == []


def test_similar_matters_narrow_by_locality(cast):
    from petitions.services import RegistrationInput, register_contact

    here = register_contact(RegistrationInput(channel="visit", receiving_unit=cast.town_a, title="电梯故障",
                                              content="电梯故障。", locality=cast.village_a,
                                              people=[PersonInput(name="甲", phone="1")]), actor=cast.desk_a).petition
    found = similarity.similar_matters(cast.desk_a, "电梯故障", "电梯故障。", locality=cast.village_a)
    assert [p.pk for p, _ in found] == [here.pk]


def test_finalised_match_needs_same_person_and_same_facts(cast):
    old = make_petition(cast.town_a, actor=cast.desk_a, name="甲", id_number=VALID_ID, title="征地补偿款未到位")
    person = [PersonInput(name="甲", id_number=VALID_ID)]
    assert finalised_match(person, "征地补偿款未到位", "征地补偿款未到位，请求处理。") is None
    Petition.objects.filter(pk=old.pk).update(status=Status.FINALISED)
    assert finalised_match(person, "征地补偿款未到位", "征地补偿款未到位，请求处理。") == old
    assert finalised_match(person, "孩子入学", "学区划分不合理。") is None
    assert finalised_match([PersonInput(name="乙", phone="13000000000")], "征地补偿款未到位", "征地补偿款未到位") is None
    check = check_repeats(cast.desk_a, title="征地补偿款未到位", content="征地补偿款未到位，请求处理。", people=person)
    assert [p.pk for p, _ in check.same_facts_finalised] == [old.pk] and check.same_person == []
