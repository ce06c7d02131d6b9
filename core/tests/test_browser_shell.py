"""Browser tests of the UI shell: each role logs in and sees its navigation."""

import pytest

from conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

def expected_nav(username):
    """What each role's navigation holds: its capabilities, limited to the modules that exist."""
    from django.urls import NoReverseMatch, reverse

    from accounts.roles import NAVIGATION

    user = CAST_ROLES[username]
    out = []
    for label, url_name, capability in NAVIGATION:
        try:
            reverse(url_name)
        except NoReverseMatch:
            continue
        if not capability or capability in user:
            out.append(label)
    return out


CAST_ROLES = {
    "desk_a": {"register", "view_petitions", "reception", "view_personal"},
    "officer": {"register", "view_petitions", "triage", "supervise", "handle", "reception", "view_personal",
                "review_report", "import", "view_stats", "prevention"},
    "handler_b": {"view_petitions", "handle", "view_personal"},
    "head_b": {"view_petitions", "handle", "approve", "view_stats", "view_personal"},
    "leader": {"view_petitions", "instruct", "own_cases", "view_stats", "reception", "view_personal", "approve"},
    "analyst": {"view_petitions", "view_stats", "reports"},
    "admin": {"view_petitions", "admin", "import", "view_stats", "reports", "view_personal", "register", "reception",
              "supervise",
              "instruct", "prevention"},
}


def test_each_role_logs_in_and_sees_its_navigation(page, cast):
    for username in CAST_ROLES:
        expected = expected_nav(username)
        assert expected[:2] == ["工作台", "信访事项"]
        page.context.clear_cookies()
        login(page, username)
        page.wait_for_selector("[data-testid=nav]")
        labels = [t.strip() for t in page.locator("[data-testid=nav] .nav-link").all_inner_texts()]
        assert labels == expected, username
        assert cast.staff[username].display_name in page.inner_text("[data-testid=whoami]")
        screenshot(page, f"shell-home-{username}")


def test_wrong_password_shows_the_generic_message(page, cast):
    login(page, "officer", "wrong-password-1")
    assert "用户名或密码不正确" in page.inner_text("[data-testid=login-error]")
    screenshot(page, "shell-login-error")
