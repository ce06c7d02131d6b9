from __future__ import annotations


def demo_logins_text() -> str:
    from accounts.models import User
    from demo.jurisdiction import DEMO_LOGINS, DEMO_PASSWORD

    existing = set(User.objects.filter(username__in=[d.username for d in DEMO_LOGINS]).values_list("username", flat=True))
    if not existing:
        return "（数据库中没有演示账号）\n"
    lines = [f"演示账号（密码均为 {DEMO_PASSWORD}，首次登录后请修改）："]
    for d in DEMO_LOGINS:
        if d.username in existing:
            lines.append(f"  {d.username:<13} {d.role:<6} {d.unit:<16} {d.note}")
    return "\n".join(lines) + "\n"
