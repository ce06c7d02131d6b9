"""Every GET endpoint in /api/schema/ (including ones added later by other apps): anonymous callers
get 401, staff get 200/400/403/404 (never a 5xx), and every error body has the same shape with a
Chinese message."""

import json
import re

import pytest

from xinfang.testing import client_for, make_petition

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")
PUBLIC = {"/api/reception/duty/published/"}  # the published reception roster is public by design


def get_paths(client):
    schema = client.get("/api/schema/?format=json").json()
    return [path for path, ops in schema["paths"].items() if "get" in ops and path.startswith("/api/")]


def test_every_get_endpoint_answers_consistently(cast, client, frozen):
    make_petition(cast.county_bureau, actor=cast.officer)
    paths = get_paths(client)
    assert len(paths) >= 20
    failures = []
    for path in paths:
        url = re.sub(r"\{[^}]+\}", "999999", path)
        users = {"officer": cast.officer, "handler_b": cast.handler_b, "analyst": cast.analyst, "anonymous": None}
        for name, user in users.items():
            response = client_for(user).get(url)
            code = response.status_code
            if name == "anonymous" and path in PUBLIC:
                ok = code == 200
            elif name == "anonymous":
                ok = code == 401 and response.json() == {"code": "not_authenticated", "detail": "未登录或令牌无效。"}
            else:
                ok = code in (200, 400, 403, 404)
                if ok and code != 200:
                    body = response.json() if response["Content-Type"].startswith("application/json") else None
                    ok = (isinstance(body, dict) and set(body) <= {"code", "detail", "fields"}
                          and isinstance(body.get("code"), str) and bool(CJK.search(str(body.get("detail")))))
            if not ok:
                failures.append(f"{name} GET {url} -> {code} {response.content[:120]!r}")
    assert failures == []


def test_unknown_api_urls_and_methods(cast):
    api = client_for(cast.officer)
    assert api.delete("/api/units/").json() == {"code": "method_not_allowed", "detail": "不支持该请求方法。"}
    response = api.post("/api/petitions/", json.dumps([1, 2]), content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    assert response.json()["detail"] == "提交的数据有误。"
