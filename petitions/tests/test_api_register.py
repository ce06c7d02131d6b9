"""POST /api/petitions/ (with Idempotency-Key), the repeat check, pickers' endpoints, petitioner API."""

import json

import pytest

from audit.models import Action, AuditEntry
from petitions.models import Contact, IdempotencyKey, Petition, Petitioner
from xinfang.testing import client_for, make_petition, status_by_user

pytestmark = pytest.mark.django_db

VALID_ID = "340102199001011236"


def body(**extra):
    data = {"channel": "online", "title": "小区路灯不亮", "content": "幸福小区路灯坏了两个月，晚上出行不便。",
            "people": [{"name": "张三", "phone": "13812345678", "id_number": VALID_ID}]}
    data.update(extra)
    return data


def post(user, data, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client_for(user).post("/api/petitions/", json.dumps(data), content_type="application/json", **headers)


def test_post_registers_a_contact_and_returns_the_matter(cast):
    response = post(cast.officer, body(locality=cast.village_a.pk))
    assert response.status_code == 201
    data = response.json()
    petition = Petition.objects.get()
    assert data["id"] == petition.pk and data["number"] == petition.number and data["query_code"] == petition.query_code
    assert data["contact"] == Contact.objects.get().pk and data["locality"] == cast.village_a.pk
    assert data["receiving_unit"] == cast.county_bureau.pk
    assert data["repeat_check"] == {"same_person": [], "similar": [], "finalised": []}
    assert Petitioner.objects.get().id_verified


def test_same_idempotency_key_returns_the_first_result_and_creates_nothing(cast):
    first = post(cast.officer, body(), key="abc-1")
    second = post(cast.officer, body(), key="abc-1")
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json() and second["Idempotent-Replayed"] == "true"
    assert Petition.objects.count() == 1 and Contact.objects.count() == 1
    assert IdempotencyKey.objects.get().key == "api:abc-1"
    other = post(cast.city_officer, body(), key="abc-1")  # keys are per user
    assert other.status_code == 201 and Petition.objects.count() == 2


def test_same_key_with_a_different_body_is_a_conflict(cast):
    post(cast.officer, body(), key="abc-2")
    response = post(cast.officer, body(title="另一件事"), key="abc-2")
    assert response.status_code == 409
    assert response.json() == {"code": "idempotency_conflict",
                               "detail": "该幂等键（Idempotency-Key）已用于另一份内容不同的登记。请为新的登记使用新的幂等键。"}
    assert Petition.objects.count() == 1


def test_bad_input_gets_chinese_messages_and_saves_nothing(cast):
    response = post(cast.officer, body(headcount=1, people=[{"name": "甲"}, {"name": "乙"}]))
    assert response.status_code == 400 and response.json()["detail"] == "人数（1）不能少于登记的人员数（2）。"
    response = post(cast.officer, body(received_at="2099-01-01T10:00:00+08:00"))
    assert response.json()["detail"] == "来信来访时间不能晚于当前时间。"
    response = post(cast.officer, body(kind="accusation"))
    assert response.json()["detail"] == "检举控告事项须登记被检举人或被检举单位。"
    response = post(cast.officer, body(locality_code="999999"))
    assert response.json()["fields"] == {"locality_code": ["行政区划代码“999999”不在单位树中。"]}
    response = post(cast.officer, body(people=[{"name": "张三", "id_number": "110105194912310021"}]))
    assert response.status_code == 201
    person = Petitioner.objects.get()
    assert not person.id_verified and person.unverified_reason == "身份证号无效：身份证号校验位不正确，请核对是否录入有误"
    assert Petition.objects.count() == 1


def test_repeat_check_is_returned_and_attach_to_adds_a_contact(cast):
    first = post(cast.officer, body()).json()
    again = post(cast.officer, body(title="路灯还是不亮", content="幸福小区路灯坏了三个月，仍然没修。")).json()
    assert [m["id"] for m in again["repeat_check"]["same_person"]] == [first["id"]]
    assert again["repeat_check"]["same_person"][0]["can_attach"] is True
    check = client_for(cast.officer).post("/api/petitions/check/", json.dumps(body()),
                                          content_type="application/json").json()
    assert {m["id"] for m in check["same_person"]} == {first["id"], again["id"]}
    count = Petition.objects.count()
    joined = post(cast.officer, body(attach_to=first["id"])).json()
    assert joined["id"] == first["id"] and joined["contact_count"] == 2 and Petition.objects.count() == count
    theirs = make_petition(cast.town_c, actor=cast.outsider_c)
    response = post(cast.desk_a, body(attach_to=theirs.pk))
    assert response.status_code == 400 and response.json()["detail"] == "要并入的事项不存在或无权查看。"


def test_similar_matters_have_a_score(cast):
    make_petition(cast.town_a, actor=cast.desk_a, title="幸福小区路灯不亮", name="李四", phone="13900000000")
    data = post(cast.desk_a, body(title="小区路灯不亮", people=[{"name": "王五", "phone": "13700000000"}])).json()
    similar = data["repeat_check"]["similar"]
    assert len(similar) == 1 and similar[0]["title"] == "幸福小区路灯不亮" and 0.3 <= similar[0]["score"] <= 1


def test_register_endpoints_permission_suite(cast):
    allowed = {"desk_a", "outsider_c", "officer", "city_officer", "admin"}
    codes = status_by_user(cast, "post", "/api/petitions/", data=json.dumps(body(people=[{"name": "张三"}])),
                           content_type="application/json")
    assert codes == {**{n: (201 if n in allowed else 403) for n in cast.staff}, "anonymous": 401}
    assert Petition.objects.count() == len(allowed)
    codes = status_by_user(cast, "post", "/api/petitions/check/", data=json.dumps(body()),
                           content_type="application/json")
    assert codes == {**{n: (200 if n in allowed else 403) for n in cast.staff}, "anonymous": 401}
    assert Petition.objects.count() == len(allowed)
    codes = status_by_user(cast, "get", f"/api/petitions/staff-lookup/?unit={cast.unit_b.pk}")
    # A county department's people are outside a town desk's scope: 404, as for a matter it may not see.
    in_scope = allowed - {"desk_a", "outsider_c"}
    assert codes == {**{n: (200 if n in in_scope else 404 if n in allowed else 403) for n in cast.staff},
                     "anonymous": 401}


def test_staff_lookup_lists_the_units_users(cast):
    users = client_for(cast.officer).get(f"/api/petitions/staff-lookup/?unit={cast.unit_b.pk}").json()
    assert [(u["username"], u["full_name"]) for u in users] == [("handler_b", "赵承办"), ("head_b", "钱局长")]


def test_a_town_desk_cannot_look_up_another_towns_people(cast):
    desk = client_for(cast.desk_a)
    own = desk.get(f"/api/petitions/staff-lookup/?unit={cast.town_a.pk}")
    assert own.status_code == 200 and [u["username"] for u in own.json()] == ["desk_a"]
    assert desk.get(f"/api/petitions/staff-lookup/?unit={cast.village_a.pk}").json() == []  # below its town
    other = desk.get(f"/api/petitions/staff-lookup/?unit={cast.town_c.pk}")
    assert other.status_code == 404 and "outsider_c" not in other.content.decode()
    assert desk.get(f"/api/petitions/staff-lookup/?unit={cast.county.pk}").status_code == 404  # above it
    assert desk.get("/api/petitions/staff-lookup/?unit=999999").status_code == 404
    # The other town's own desk does see its people.
    theirs = client_for(cast.outsider_c).get(f"/api/petitions/staff-lookup/?unit={cast.town_c.pk}").json()
    assert [u["username"] for u in theirs] == ["outsider_c"]


def test_category_tree_and_list(cast):
    tree = client_for(cast.desk_a).get("/api/categories/tree/").json()
    labour = next(n for n in tree if n["name"] == "劳动和社会保障")
    wages = next(n for n in labour["children"] if n["name"] == "劳动报酬")
    assert [c["name"] for c in wages["children"]] == ["拖欠工资", "农民工工资", "加班费"]
    assert tree[0]["name"] == "农村农业"
    flat = client_for(cast.desk_a).get("/api/categories/?level=1").json()
    assert len(flat) == len(tree) == 17
    codes = status_by_user(cast, "get", "/api/categories/tree/")
    assert codes == {**{n: 200 for n in cast.staff}, "anonymous": 401}


def test_locality_match_and_chain(cast):
    data = client_for(cast.desk_a).get("/api/localities/match/", {"address": "青山区城关街道东门社区8号"}).json()
    assert data["match"]["id"] == cast.village_a.pk
    assert [u["name"] for u in data["match"]["chain"]] == ["江淮省", "青川市", "青山区", "城关街道", "东门社区"]
    assert client_for(cast.desk_a).get("/api/localities/match/", {"address": "火星"}).json() == {"match": None}
    data = client_for(cast.desk_a).get("/api/localities/chain/", {"code": "349902003000"}).json()
    assert data["match"]["name"] == "河西镇"
    codes = status_by_user(cast, "get", "/api/localities/match/?address=城关街道")
    assert codes == {**{n: 200 for n in cast.staff}, "anonymous": 401}


def test_petitioner_api_lists_only_visible_matters_and_full_view_is_audited(cast):
    mine = make_petition(cast.town_a, actor=cast.desk_a, name="张三", id_number=VALID_ID)
    theirs = make_petition(cast.town_c, actor=cast.outsider_c, name="张三", id_number=VALID_ID)
    person = Petitioner.objects.get()
    data = client_for(cast.desk_a).get(f"/api/petitioners/{person.pk}/").json()
    assert [m["id"] for m in data["matters"]] == [mine.pk] and data["name"] == "张*"
    data = client_for(cast.officer).get(f"/api/petitioners/{person.pk}/?full=1").json()
    assert {m["id"] for m in data["matters"]} == {mine.pk, theirs.pk} and data["id_number"] == VALID_ID
    assert AuditEntry.objects.filter(action=Action.VIEW_PERSONAL, actor=cast.officer).count() == 1
    codes = status_by_user(cast, "get", f"/api/petitioners/{person.pk}/")
    assert codes == {"desk_a": 200, "outsider_c": 200, "officer": 200, "leader": 200, "analyst": 200, "admin": 200,
                     "city_officer": 200, "handler_b": 404, "head_b": 404, "anonymous": 401}


def test_picker_endpoints_permission_suite(cast):
    for url in ("/api/categories/", "/api/localities/chain/?code=349902001000"):
        assert status_by_user(cast, "get", url) == {**{n: 200 for n in cast.staff}, "anonymous": 401}, url
    assert client_for(cast.admin).post("/api/categories/tree/").status_code == 405


def test_an_accused_staff_member_must_be_of_the_callers_area(cast):
    """The API links an accused user only inside the caller's area, as the staff lookup offers;
    anyone else is named by name and unit (no probing of other areas' user ids)."""
    accusation = {"kind": "accusation", "title": "检举", "content": "检举某干部违规审批。"}
    outside = post(cast.officer, body(**accusation, accused=[{"name": "冯某", "user": cast.city_officer.pk}]))
    assert outside.status_code == 400 and "只能关联本辖区单位的工作人员" in str(outside.json())
    assert Petition.objects.count() == 0
    inside = post(cast.officer, body(**accusation, accused=[{"name": "钱某", "user": cast.head_b.pk}]))
    assert inside.status_code == 201
    assert not Petition.objects.visible_to(cast.head_b).filter(pk=inside.json()["id"]).exists()
