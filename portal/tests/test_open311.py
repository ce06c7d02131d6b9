"""Open311 GeoReport v2: services, create (api_key, validation, idempotency), read by number."""

import pytest
from rest_framework.test import APIClient

from audit.models import Action, AuditEntry
from petitions.models import Category, Petition
from portal import services
from portal.models import Submission
from portal.tests.conftest import VALID_ID
from xinfang.testing import make_petition

pytestmark = pytest.mark.django_db


@pytest.fixture
def categories(db):
    top = Category.objects.create(name="门户测试")
    child = Category.objects.create(name="电梯维修", parent=top)
    Category.objects.create(name="维修基金", parent=child)  # level 3: not a service
    Category.objects.create(name="门户停用类别", is_active=False)
    return top, child


@pytest.fixture
def api_key(cast):
    _client, key = services.create_client("12345热线", actor=cast.admin)
    return key


def request_data(code, api_key, **overrides):
    data = {"api_key": api_key, "service_code": str(code), "first_name": "三丰", "last_name": "张",
            "phone": "13912345678", "address_string": "青山区城关街道东门社区5号",
            "description": "小区电梯坏了一个月物业不修，老人上下楼很困难。", "attribute[id_number]": VALID_ID,
            "attribute[title]": "电梯停运一个月"}
    data.update(overrides)
    return data


def test_services_are_level_one_and_two_categories(categories):
    top, child = categories
    response = APIClient().get("/open311/v2/services.json")
    assert response.status_code == 200
    ours = [row for row in response.json() if row["description"].startswith("门户")]
    assert ours == [
        {"service_code": str(top.pk), "service_name": "门户测试", "description": "门户测试", "metadata": False,
         "type": "realtime", "keywords": "", "group": "门户测试"},
        {"service_code": str(child.pk), "service_name": "电梯维修", "description": "门户测试/电梯维修",
         "metadata": False, "type": "realtime", "keywords": "", "group": "门户测试"},
    ]
    codes = {row["service_code"] for row in response.json()}
    assert codes == {str(pk) for pk in Category.objects.filter(is_active=True, level__lte=2).values_list("pk", flat=True)}


def test_create_registers_an_online_matter(cast, categories, api_key, django_capture_on_commit_callbacks):
    _top, child = categories
    with django_capture_on_commit_callbacks(execute=True):
        response = APIClient().post("/open311/v2/requests.json", request_data(child.pk, api_key))
    assert response.status_code == 201
    petition = Petition.objects.get()
    assert response.json() == [{"service_request_id": petition.number, "account_id": None,
                                "service_notice": "已登记。事项编号和查询码已以短信发送给信访人，凭其可在网上查询办理进展并评价。"}]
    assert (petition.channel, petition.category, petition.title, petition.locality, petition.receiving_unit) == (
        "online", child, "电梯停运一个月", cast.village_a, cast.city_bureau)
    assert petition.contacts.get().people.get().petitioner.name == "张三丰"
    entry = AuditEntry.objects.get(action=Action.PORTAL_SUBMIT)
    assert entry.actor_name == "open311:12345热线" and entry.data["via"] == "open311"
    assert Submission.objects.get().via == "open311"


def test_create_requires_a_valid_api_key(categories, cast):
    _top, child = categories
    for key in ("", "not-a-key"):
        response = APIClient().post("/open311/v2/requests.json", request_data(child.pk, key))
        assert response.status_code == 403
        assert response.json() == [{"code": 403,
                                    "description": "api_key 缺失或无效：提交服务请求须使用本机关签发的接入密钥。"}]
    assert Petition.objects.count() == 0


@pytest.mark.parametrize(("overrides", "status", "text"), [
    ({"service_code": "999999"}, 400, "不是有效的服务代码"),
    ({"service_code": "9" * 20}, 400, "不是有效的服务代码"),
    ({"attribute[id_number]": "123"}, 400, "身份证号应为18位"),
    ({"phone": "abc"}, 400, "联系电话格式不正确"),
    ({"address_string": ""}, 400, "请提供 address_string"),
    ({"description": ""}, 400, "description"),
    ({"attribute[kind]": "accusation"}, 400, "检举控告请填写被检举人"),
    ({"attribute[kind]": "nonsense"}, 400, "请选择信访事项的性质"),
    ({"attribute[locality]": "000000"}, 400, "不是有效的行政区划代码"),
    ({"lat": "north"}, 400, "lat"),
])
def test_create_validates_like_the_portal(categories, api_key, overrides, status, text):
    _top, child = categories
    response = APIClient().post("/open311/v2/requests.json", request_data(child.pk, api_key, **overrides))
    assert response.status_code == status
    body = response.json()
    assert isinstance(body, list) and body[0]["code"] == status and text in body[0]["description"]
    assert Petition.objects.count() == 0


def test_a_malformed_json_body_is_a_400_list(categories, api_key):
    response = APIClient().post("/open311/v2/requests.json", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json() == [{"code": 400, "description": "请求内容格式错误，无法解析。"}]


def test_idempotency_key_returns_the_first_matter(categories, api_key):
    _top, child = categories
    api = APIClient()
    first = api.post("/open311/v2/requests.json", request_data(child.pk, api_key), HTTP_IDEMPOTENCY_KEY="abc-1")
    second = api.post("/open311/v2/requests.json", request_data(child.pk, api_key), HTTP_IDEMPOTENCY_KEY="abc-1")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()[0]["service_request_id"] == second.json()[0]["service_request_id"]
    assert Petition.objects.count() == 1


def test_create_is_rate_limited_per_phone(categories, api_key, settings):
    settings.PORTAL_LIMITS = {"submit_phone": (1, 86400)}
    _top, child = categories
    api = APIClient()
    assert api.post("/open311/v2/requests.json", request_data(child.pk, api_key)).status_code == 201
    response = api.post("/open311/v2/requests.json", request_data(child.pk, api_key))
    assert response.status_code == 429 and response.json()[0]["code"] == 429


def test_read_one_request_shows_public_fields_only(cast, categories, api_key):
    _top, child = categories
    number = APIClient().post("/open311/v2/requests.json",
                              request_data(child.pk, api_key)).json()[0]["service_request_id"]
    response = APIClient().get(f"/open311/v2/requests/{number}.json")
    assert response.status_code == 200
    [body] = response.json()
    assert (body["service_request_id"], body["status"], body["status_notes"], body["service_code"],
            body["service_name"], body["agency_responsible"]) == (
        number, "open", "已登记", str(child.pk), "电梯维修", "青川市信访局")
    for private in ("description", "address", "lat", "long", "media_url"):
        assert body[private] is None
    text = response.content.decode()
    assert "张三丰" not in text and "13912345678" not in text and "电梯坏了" not in text


def test_read_answers_404_for_unknown_offline_and_accusation_matters(cast):
    visit = make_petition(cast.city_bureau, channel="visit")
    accusation = make_petition(cast.city_bureau, channel="online", kind="accusation", accused_unit=cast.unit_b)
    for number in ("NOPE-2026-000001", visit.number, accusation.number):
        response = APIClient().get(f"/open311/v2/requests/{number}.json")
        assert response.status_code == 404
        assert response.json() == [{"code": 404, "description": "对象不存在或无权查看。"}]
