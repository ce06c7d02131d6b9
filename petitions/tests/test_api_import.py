"""Ledger import through the API: upload (dry run by default) → row errors with line numbers → run for
real (all-or-nothing); the same form checks as the page; only the uploader and admins see a job."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from petitions.choices import ImportState
from petitions.models import ImportJob, Petition
from petitions.tests.test_import import HEADERS, row
from xinfang.testing import client_for, status_by_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def ledger(*rows, name="台账.csv"):
    data = io.StringIO()
    writer = csv.DictWriter(data, fieldnames=HEADERS)
    writer.writeheader()
    for r in rows:
        writer.writerow(r)
    return SimpleUploadedFile(name, data.getvalue().encode(), content_type="text/csv")


def test_dry_run_then_real_run(cast, django_capture_on_commit_callbacks):
    api = client_for(cast.officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/imports/", {"file": ledger(row("A-1"), row("A-2", 标题="路灯不亮"))})
    assert response.status_code == 202
    assert response.json()["dry_run"] is True and response.json()["state"] == "queued"
    job = api.get(f"/api/imports/{response.json()['id']}/").json()
    assert job["state"] == "done" and job["state_label"] == "已完成"
    assert job["summary"].startswith("共 2 行：将新建事项 2 件")
    assert job["errors"] == [] and job["row_errors"] == [] and job["counts"]["created_matters"] == 2
    assert not Petition.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/imports/{job['id']}/run/")
    assert response.status_code == 202 and response.json()["dry_run"] is False
    real = api.get(f"/api/imports/{response.json()['id']}/").json()
    assert real["state"] == "done" and real["counts"]["created_matters"] == 2
    assert Petition.objects.count() == 2
    listed = api.get("/api/imports/").json()
    assert [r["id"] for r in listed["results"]] == [real["id"], job["id"]]


def test_row_errors_carry_line_numbers_and_block_the_run(cast, django_capture_on_commit_callbacks):
    api = client_for(cast.officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/imports/", {"file": ledger(row("E-1"), row("E-2", 登记单位="NOPE"), row("E-3", 主要内容="")),
                                              "dry_run": "true"})
    job = api.get(f"/api/imports/{response.json()['id']}/").json()
    assert job["state"] == "failed"
    assert job["row_errors"] == [{"line": 3, "message": "登记单位编码“NOPE”不存在"},
                                 {"line": 4, "message": "主要内容为空"}]
    assert job["summary"] == "共 3 行，发现 2 处错误，未导入任何数据。"
    response = api.post(f"/api/imports/{job['id']}/run/")
    assert response.status_code == 400
    assert response.json() == {"code": "not_checked", "detail": "只有检查通过的文件才能导入。"}
    assert ImportJob.objects.count() == 1 and not Petition.objects.exists()


def test_a_real_run_with_errors_imports_nothing(cast, django_capture_on_commit_callbacks):
    api = client_for(cast.officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/imports/", {"file": ledger(row("F-1"), row("F-2", 人数="0")), "dry_run": "false"})
    job = api.get(f"/api/imports/{response.json()['id']}/").json()
    assert job["dry_run"] is False and job["state"] == "failed"
    assert job["row_errors"] == [{"line": 3, "message": "人数“0”应为正整数"}]
    assert not Petition.objects.exists()


def test_bad_uploads_get_chinese_400_and_no_job(cast, settings):
    api = client_for(cast.officer)
    cases = [
        ({"file": SimpleUploadedFile("x.pdf", b"%PDF-")}, {"file": ["只能上传 CSV 或 XLSX 文件。"]}),
        ({"dry_run": "true"}, {"file": ["该字段是必填项。"]}),
        ({"file": "not a file"}, {"file": ["该字段是必填项。"]}),
    ]
    for data, fields in cases:
        response = api.post("/api/imports/", data)
        assert response.status_code == 400
        assert response.json() == {"code": "invalid", "detail": "提交的数据有误。", "fields": fields}
    response = api.post("/api/imports/", '{"file": "a.csv"}', content_type="application/json")
    assert response.status_code == 400 and response.json()["fields"] == {"file": ["该字段是必填项。"]}
    settings.UPLOAD_MAX_BYTES = 1024 * 1024 // 5 + 1  # the page allows five times the attachment limit
    response = api.post("/api/imports/", {"file": SimpleUploadedFile("大.csv", b"x" * (1100 * 1024))})
    assert response.status_code == 400 and response.json()["fields"] == {"file": ["文件超过 1 MB。"]}
    assert not ImportJob.objects.exists()


def test_permission_suite(cast, django_capture_on_commit_callbacks):
    importers = {"officer", "city_officer", "admin"}
    codes = status_by_user(cast, "get", "/api/imports/")
    assert codes == {**{n: (200 if n in importers else 403) for n in cast.staff}, "anonymous": 401}
    with django_capture_on_commit_callbacks(execute=True):
        client_for(cast.officer).post("/api/imports/", {"file": ledger(row("P-1"))})
    job = ImportJob.objects.get()
    # Only the uploader and administrators see or run a job.
    expected = {**{n: 403 for n in cast.staff}, "officer": 200, "admin": 200, "city_officer": 404, "anonymous": 401}
    assert status_by_user(cast, "get", f"/api/imports/{job.pk}/") == expected
    assert client_for(cast.city_officer).get("/api/imports/").json()["count"] == 0
    runs = status_by_user(cast, "post", f"/api/imports/{job.pk}/run/")
    assert runs == {**expected, "officer": 202, "admin": 202}
    assert ImportJob.objects.filter(dry_run=False).count() == 2
    assert not Petition.objects.exists()  # queued only: on_commit did not run outside the capture block
    # A new file per request: the test client reads an upload to the end.
    codes = {name: client_for(user).post("/api/imports/", {"file": ledger(row("P-2"))}).status_code
             for name, user in {**cast.staff, "anonymous": None}.items()}
    assert codes == {**{n: (202 if n in importers else 403) for n in cast.staff}, "anonymous": 401}
    assert ImportJob.objects.filter(state=ImportState.QUEUED, dry_run=True).count() == len(importers)
