import datetime

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from rest_framework.authtoken.models import Token

from audit.models import Action, AuditEntry
from xinfang.testing import PASSWORD

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"


def test_login_success_is_audited_and_lands_on_home(client, cast):
    response = client.post(LOGIN, {"username": "officer", "password": PASSWORD})
    assert response.status_code == 302 and response.url == reverse("core:home")
    entry = AuditEntry.objects.filter(action=Action.LOGIN).get()
    assert entry.actor == cast.officer and entry.ip == "127.0.0.1"


def test_wrong_password_gets_generic_message(client, cast):
    response = client.post(LOGIN, {"username": "officer", "password": "wrong"})
    unknown = client.post(LOGIN, {"username": "nobody", "password": "wrong"})
    expected = "用户名或密码不正确。连续失败5次后，账号将锁定15分钟。"
    assert expected in response.content.decode()
    assert expected in unknown.content.decode()
    assert AuditEntry.objects.filter(action=Action.LOGIN_FAILED).count() == 2


def test_lockout_after_limit_then_released_after_window(client, cast):
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC), tick=False):
        for _ in range(5):
            client.post(LOGIN, {"username": "officer", "password": "wrong"})
        cast.officer.refresh_from_db()
        assert cast.officer.locked_until is not None
        assert AuditEntry.objects.filter(action=Action.LOCKED_OUT).count() == 1
        locked = client.post(LOGIN, {"username": "officer", "password": PASSWORD})
        assert locked.status_code == 200  # the right password does not help while locked
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 16, tzinfo=datetime.UTC), tick=False):
        response = client.post(LOGIN, {"username": "officer", "password": PASSWORD})
        assert response.status_code == 302
        cast.officer.refresh_from_db()
        assert cast.officer.failed_logins == 0 and cast.officer.locked_until is None


def test_success_resets_the_failure_counter(client, cast):
    for _ in range(3):
        client.post(LOGIN, {"username": "officer", "password": "wrong"})
    client.post(LOGIN, {"username": "officer", "password": PASSWORD})
    cast.officer.refresh_from_db()
    assert cast.officer.failed_logins == 0


def test_logout_requires_post_and_is_audited(client, cast):
    client.force_login(cast.officer)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action=Action.LOGOUT, actor=cast.officer).exists()
    assert client.get("/").status_code == 302  # back to login


def test_password_rules_in_chinese(cast):
    with pytest.raises(ValidationError) as info:
        validate_password("onlyletters", cast.officer)
    assert "密码须同时包含字母和数字。" in info.value.messages
    with pytest.raises(ValidationError):
        validate_password("abc123", cast.officer)  # too short
    validate_password("river-stone-2026", cast.officer)


def test_password_change(client, cast):
    client.force_login(cast.officer)
    response = client.post("/accounts/password/", {
        "old_password": PASSWORD, "new_password1": "new-secret-77x", "new_password2": "new-secret-77x"})
    assert response.status_code == 302
    cast.officer.refresh_from_db()
    assert cast.officer.check_password("new-secret-77x")
    assert AuditEntry.objects.filter(action=Action.PASSWORD_CHANGE).exists()


def test_sessions_expire_when_idle_not_while_working(cast):
    """30 idle minutes end a session; a request now and then keeps it alive (the expiry is pushed
    forward at most once a minute, without a session write on every page)."""
    from django.test import Client

    start = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as clock:
        client = Client()
        assert client.post("/accounts/login/", {"username": "officer", "password": PASSWORD}).status_code == 302
        for _ in range(3):  # working: a page every 20 minutes for an hour
            clock.shift(datetime.timedelta(minutes=20))
            assert client.get("/petitions/").status_code == 200
        clock.shift(datetime.timedelta(minutes=31))  # then away for 31 minutes
        response = client.get("/petitions/")
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_issue_token_prints_a_working_token(cast, capsys):
    call_command("issue_token", "officer")
    key = capsys.readouterr().out.strip()
    assert Token.objects.get(user=cast.officer).key == key
    from rest_framework.test import APIClient

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/petitions/").status_code == 200
    api.credentials(HTTP_AUTHORIZATION="Token nonsense")
    response = api.get("/api/petitions/")
    assert response.status_code == 401 and response.json() == {"code": "authentication_failed",
                                                               "detail": "未登录或令牌无效。"}


def test_issue_token_unknown_user(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="用户 ghost 不存在"):
        call_command("issue_token", "ghost")
