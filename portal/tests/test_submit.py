"""Online submission: the happy path, double submission, and every kind of bad input."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import Action, AuditEntry
from petitions.models import Attachment, Petition, Petitioner
from portal.models import PortalSettings, Submission
from portal.tests.conftest import CAPTCHA, form_data

pytestmark = pytest.mark.django_db

URL = "/public/submit/"


def open_form(client):
    """GET the form (issues the one-time token) and the CAPTCHA image; return the token."""
    response = client.get(URL)
    assert response.status_code == 200
    assert client.get("/public/captcha.png").status_code == 200
    return response.context["form"].initial["token"]


def post(client, token, **overrides):
    return client.post(URL, {**form_data(**overrides), "token": token})


def test_submit_registers_an_online_matter_and_shows_the_receipt(cast, client, fixed_captcha, sms_outbox,
                                                                 django_capture_on_commit_callbacks):
    token = open_form(client)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, token, locality=cast.town_a.pk)
    assert response.status_code == 302 and response["Location"] == "/public/submit/done/"
    petition = Petition.objects.get()
    assert (petition.channel, petition.receiving_unit, petition.locality, petition.title) == (
        "online", cast.city_bureau, cast.town_a, "小区门口道路破损")
    assert petition.demands == "请尽快修复道路。"
    person = Petitioner.objects.get()
    assert person.id_verified and person.id_number == form_data()["id_number"] and person.phone == "13912345678"
    receipt = client.get("/public/submit/done/")
    assert petition.number in receipt.content.decode() and petition.query_code in receipt.content.decode()
    assert [s.to for s in sms_outbox] == ["13912345678"]
    assert petition.number in sms_outbox[0].text and petition.query_code in sms_outbox[0].text
    entry = AuditEntry.objects.get(action=Action.PORTAL_SUBMIT)
    assert (entry.object_id, entry.actor_name, entry.ip) == (str(petition.pk), "信访人", "127.0.0.1")
    assert Submission.objects.get().petition == petition
    # The office is told.
    assert cast.city_officer.notifications.get().petition == petition


def test_the_same_form_twice_registers_one_matter(cast, client, fixed_captcha, sms_outbox,
                                                  django_capture_on_commit_callbacks):
    token = open_form(client)
    with django_capture_on_commit_callbacks(execute=True):
        first = post(client, token)
        second = post(client, token)  # double click / reload: the CAPTCHA is used up, the token finds the matter
    assert first.status_code == second.status_code == 302
    assert Petition.objects.count() == 1 and Submission.objects.count() == 1
    assert len(sms_outbox) == 1


def test_a_token_not_issued_to_this_session_is_refused(cast, client, fixed_captcha):
    open_form(client)
    response = post(client, "forged-token")
    assert response.status_code == 400
    assert "表单已失效" in response.content.decode()
    assert Petition.objects.count() == 0


def test_captcha_is_checked_and_good_for_one_try(cast, client, fixed_captcha):
    token = open_form(client)
    wrong = post(client, token, captcha="XXXXX")
    assert wrong.status_code == 400 and "验证码不正确或已过期" in wrong.content.decode()
    new_token = wrong.context["form"].data["token"]
    again = post(client, new_token)  # right text, but the challenge was used up by the wrong try
    assert again.status_code == 400 and "验证码不正确或已过期" in again.content.decode()
    assert Petition.objects.count() == 0
    client.get("/public/captcha.png")
    assert post(client, again.context["form"].data["token"]).status_code == 302


def test_captcha_answer_is_case_insensitive(cast, client, fixed_captcha):
    token = open_form(client)
    assert post(client, token, captcha=CAPTCHA.lower()).status_code == 302


def test_captcha_image_is_a_png_not_cached(client, db):
    response = client.get("/public/captcha.png")
    assert response["Content-Type"] == "image/png" and response.content.startswith(b"\x89PNG")
    assert "no-store" in response["Cache-Control"]
    assert "portal_captcha" in client.session


@pytest.mark.parametrize(("field", "value", "message"), [
    ("name", "", "请填写姓名。"),
    ("id_number", "", "请填写身份证号码。"),
    ("id_number", "34990219900307123X", "身份证号校验位不正确，请核对是否录入有误。"),
    ("id_number", "1234", "身份证号应为18位，当前为4位。"),
    ("phone", "12345", "联系电话格式不正确"),
    ("address", "", "请填写住址。"),
    ("title", "", "请填写标题。"),
    ("content", "", "请填写主要事实和理由。"),
    ("content", "太短", "请写明反映的事实和理由（不少于10字）。"),
    ("consent", "", "请阅读并勾选同意个人信息处理说明，否则无法提交。"),
    ("kind", "bogus", "选择一个有效的选项"),
])
def test_bad_input_is_refused_with_a_chinese_message_and_nothing_saved(cast, client, fixed_captcha, field, value,
                                                                       message):
    token = open_form(client)
    data = form_data(**{field: value})
    if not value:
        data.pop(field)
    response = client.post(URL, {**data, "token": token})
    assert response.status_code == 400
    assert message in " ".join(str(e) for e in response.context["form"].errors.get(field, []))
    assert Petition.objects.count() == 0 and Petitioner.objects.count() == 0
    assert not AuditEntry.objects.filter(action=Action.PORTAL_SUBMIT).exists()


def test_an_accusation_needs_the_accused(cast, client, fixed_captcha):
    token = open_form(client)
    response = post(client, token, kind="accusation")
    assert response.status_code == 400
    assert response.context["form"].errors["accused_name"] == ["检举控告请填写被检举人姓名或被检举单位名称。"]
    client.get("/public/captcha.png")
    ok = post(client, response.context["form"].data["token"], kind="accusation", accused_name="某某村委会")
    assert ok.status_code == 302
    assert Petition.objects.get().accused.get().name == "某某村委会"


def test_a_locality_outside_the_office_area_is_refused(cast, client, fixed_captcha):
    from orgs.choices import Level, UnitKind
    from orgs.services import create_unit

    elsewhere = create_unit(code="C3498", name="别的市", level=Level.CITY, kind=UnitKind.GOVERNMENT,
                            division_code="349800", parent=cast.province)
    token = open_form(client)
    response = post(client, token, locality=elsewhere.pk)
    assert response.status_code == 400 and "locality" in response.context["form"].errors
    assert Petition.objects.count() == 0


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_attachments_are_stored_after_their_signature_is_checked(cast, client, fixed_captcha):
    token = open_form(client)
    photo = SimpleUploadedFile("现场.png", PNG, content_type="image/png")
    response = client.post(URL, {**form_data(), "token": token, "attachments": [photo]})
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert (attachment.original_name, attachment.content_type, attachment.size) == ("现场.png", "image/png", len(PNG))


@pytest.mark.parametrize(("name", "content", "message"), [
    ("假图片.png", b"MZ\x90\x00 not a png at all", "的内容与扩展名不符"),
    ("程序.exe", b"MZ\x90\x00", "的类型不允许"),
    ("空.pdf", b"", "是空文件"),
])
def test_wrong_type_or_empty_files_are_refused(cast, client, fixed_captcha, name, content, message):
    token = open_form(client)
    upload = SimpleUploadedFile(name, content)
    response = client.post(URL, {**form_data(), "token": token, "attachments": [upload]})
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors["attachments"])
    assert Petition.objects.count() == 0 and Attachment.objects.count() == 0


def test_oversized_files_are_refused(cast, client, fixed_captcha, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    token = open_form(client)
    upload = SimpleUploadedFile("大.pdf", b"%PDF-1.4\n" + b"0" * 2048)
    response = client.post(URL, {**form_data(), "token": token, "attachments": [upload]})
    assert response.status_code == 400
    assert "超过上限 1.0 KB" in " ".join(response.context["form"].errors["attachments"])
    assert Petition.objects.count() == 0


def test_too_many_files_are_refused(cast, client, fixed_captcha):
    token = open_form(client)
    files = [SimpleUploadedFile(f"{i}.png", PNG) for i in range(6)]
    response = client.post(URL, {**form_data(), "token": token, "attachments": files})
    assert response.status_code == 400
    assert response.context["form"].errors["attachments"] == ["附件最多5个，当前选择了6个。"]


def test_rate_limit_per_phone(cast, client, fixed_captcha, settings):
    settings.PORTAL_LIMITS = {"submit_phone": (2, 86400)}
    for _ in range(2):
        assert post(client, open_form(client)).status_code == 302
    response = post(client, open_form(client))
    assert response.status_code == 429
    assert "同一联系电话一天内最多2次网上提交" in response.content.decode()
    assert Petition.objects.count() == 2
    other = post(client, open_form(client), phone="13800000000")
    assert other.status_code == 302


def test_rate_limit_per_ip(cast, client, fixed_captcha, settings):
    settings.PORTAL_LIMITS = {"submit_ip": (1, 3600)}
    assert post(client, open_form(client)).status_code == 302
    response = post(client, open_form(client), phone="13800000000")
    assert response.status_code == 429 and "同一网络1小时内最多1次" in response.content.decode()


def test_receiving_unit_defaults_to_the_top_bureau_and_follows_the_setting(cast, db):
    assert PortalSettings.load().unit == cast.city_bureau
    PortalSettings.objects.create(receiving_unit=cast.county_bureau, office_name="青山区信访局网上信访")
    assert PortalSettings.load().unit == cast.county_bureau
    assert PortalSettings.load().name == "青山区信访局网上信访"


def test_the_form_page_has_no_inline_script_or_style(cast, client):
    response = client.get(URL)
    html = response.content.decode()
    assert "<script>" not in html and " style=" not in html and "<style" not in html
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "诉讼、仲裁、行政复议" in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_receipt_without_a_submission_goes_to_the_form(client, db):
    response = client.get("/public/submit/done/")
    assert response.status_code == 302 and response["Location"] == URL


def test_an_unused_file_handle_is_not_left_behind(cast, client, fixed_captcha):
    # An upload whose form fails elsewhere is not saved either.
    token = open_form(client)
    photo = SimpleUploadedFile("a.png", PNG)
    response = client.post(URL, {**form_data(name=""), "token": token, "attachments": [photo]})
    assert response.status_code == 400 and Attachment.objects.count() == 0


def test_a_token_in_flight_elsewhere_is_not_registered_twice(cast, db):
    """A concurrent request holding the token row (not yet committed elsewhere): this one stops, nothing saved."""
    from core.errors import DomainError
    from portal import services

    Submission.objects.create(token="in-flight", via="portal")
    data = services.SubmissionInput(name="张三丰", id_number=form_data()["id_number"], phone="13912345678",
                                    address="青山区", title="标题", content="这是一段足够长的反映内容。")
    with pytest.raises(DomainError, match="该表单正在提交，请稍候刷新查看。"):
        services.submit(data, token="in-flight", ip="127.0.0.1")
    assert Petition.objects.count() == 0


def test_submit_service_returns_the_first_matter_for_a_used_token(cast, db):
    from portal import services

    data = services.SubmissionInput(name="张三丰", id_number=form_data()["id_number"], phone="13912345678",
                                    address="青山区", title="标题", content="这是一段足够长的反映内容。")
    first = services.submit(data, token="tok-1", ip="127.0.0.1")
    second = services.submit(data, token="tok-1", ip="127.0.0.1")
    assert (first.created, second.created, second.petition) == (True, False, first.petition)
    assert Petition.objects.count() == 1


def test_a_body_too_large_to_accept_is_refused_before_parsing(cast, client, fixed_captcha, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    token = open_form(client)
    files = [SimpleUploadedFile("大.pdf", b"%PDF-1.4\n" + b"0" * (3 * 1024 * 1024))]
    response = client.post(URL, {**form_data(), "token": token, "attachments": files})
    assert response.status_code == 413
    assert "提交的内容过大（附件合计不能超过2 MB）" in response.content.decode()
    assert Petition.objects.count() == 0
