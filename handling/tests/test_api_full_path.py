"""The whole path through the REST API with token auth: registration → triage → assignment →
handling → reply → delivery → result report → review → final review → finalised, each step by the
user whose job it is, using only the glossary verbs at POST /api/petitions/{id}/{action}/."""

import datetime

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from documents.models import Document
from notifications.models import PetitionerMessage

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def test_the_whole_path_through_the_api(cast, frozen, sms_outbox):
    officer, handler, head = api(cast.officer), api(cast.handler_b), api(cast.head_b)
    leader, city = api(cast.leader), api(cast.city_officer)

    response = officer.post("/api/petitions/", {
        "channel": "letter", "title": "小区楼顶违章搭建无人处理", "content": "楼上邻居在楼顶搭建彩钢房，漏水严重。",
        "locality": cast.village_a.pk,
        "people": [{"name": "张三", "phone": "13812345678", "id_number": "340102199001011236"}]}, format="json")
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]

    def do(client, action, body=None, expect_status=None):
        response = client.post(f"/api/petitions/{pk}/{action}/", body or {}, format="json")
        assert response.status_code == 200, (action, response.json())
        if expect_status:
            assert response.json()["status"] == expect_status, action
        return response.json()

    def offered(client):
        response = client.get(f"/api/petitions/{pk}/actions/")
        assert response.status_code == 200
        return [a["name"] for a in response.json()]

    assert "assign" in offered(officer)
    # Before assignment the housing bureau does not even see the matter.
    assert handler.get(f"/api/petitions/{pk}/actions/").status_code == 404
    do(officer, "accept", {"note": "属本机关受理范围"}, "accepted")
    do(officer, "assign", {"to_unit": cast.unit_b.pk, "report_due_on": "2026-04-01", "note": "请依法处理并报结"},
       "in_handling")
    frozen.shift(datetime.timedelta(days=3))
    do(handler, "acknowledge")
    do(handler, "note", {"text": "现场核实：楼顶搭建约20平方米彩钢房。"})
    do(handler, "reply", {"complaint": "要求拆除楼顶违章搭建", "facts": "经现场核实属实", "opinion": "support",
                          "opinion_text": "责令当事人15日内自行拆除。", "legal_basis": "《城乡规划法》第六十四条"})
    assert "approve" not in offered(handler) and "approve" in offered(head)
    do(head, "approve")
    do(handler, "deliver", {"method": "邮寄送达"}, "replied")
    # The reply letter records the same method as the reply (one list of methods, documents.choices).
    assert Document.objects.get(petition_id=pk, kind="reply_letter").delivery_method == "邮寄送达"
    do(handler, "report_back", {"report": "当事人已自行拆除。"})
    do(officer, "pass_report", {"comment": "同意报结"})
    frozen.shift(datetime.timedelta(days=5))
    do(officer, "request_review", {"reasons": "对拆除进度不满意"}, "in_review")
    do(leader, "decide_review", {"outcome": "uphold", "decision_text": "维持原处理意见。"}, "reviewed")
    do(officer, "request_final_review", {"reasons": "仍不服"}, "in_final_review")
    body = do(city, "decide_final_review", {"outcome": "uphold", "decision_text": "维持复查意见。"}, "finalised")
    assert body["number"]

    # Nothing is left but archiving, and recording a rating while its window is open.
    for client in (officer, handler, head, leader, city):
        assert set(offered(client)) <= {"archive", "record_rating"}
    # A late or repeated step is refused in Chinese with a code, and changes nothing.
    again = officer.post(f"/api/petitions/{pk}/request_review/", {"reasons": "再次申请"}, format="json")
    assert again.status_code in (400, 409) and again.json()["code"] and again.json()["detail"]

    kinds = list(Document.objects.filter(petition_id=pk).order_by("id").values_list("kind", flat=True))
    assert kinds == ["assignment_slip", "acceptance_notice", "reply_letter", "review_decision",
                     "final_review_decision"]
    texts = " ".join(PetitionerMessage.objects.filter(petition_id=pk).values_list("text", flat=True))
    assert "请求复查" in texts and "请求复核" in texts and "不再受理" in texts
