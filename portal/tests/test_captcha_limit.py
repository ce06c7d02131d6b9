"""The CAPTCHA image costs a render and a session write: limited per IP with a Chinese 429."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_captcha_images_are_limited_per_ip(settings):
    settings.PORTAL_LIMITS = {"captcha_ip": (3, 600)}
    client = Client(REMOTE_ADDR="203.0.113.7")
    assert [client.get("/public/captcha.png").status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get("/public/captcha.png")
    assert refused.status_code == 429
    assert refused["Content-Type"] == "text/plain; charset=utf-8"
    assert refused.content.decode() == "验证码图片请求过于频繁（每个网络地址10分钟内最多3次），请稍后再试。"
    assert refused["Retry-After"] == "600" and "no-store" in refused["Cache-Control"]
    # A new session does not reset the count; another address is not affected.
    assert Client(REMOTE_ADDR="203.0.113.7").get("/public/captcha.png").status_code == 429
    other = Client(REMOTE_ADDR="198.51.100.2").get("/public/captcha.png")
    assert other.status_code == 200 and other["Content-Type"] == "image/png"


def test_the_default_limit_leaves_room_for_a_person(client):
    # A person loading the form and asking for new images a few times is never refused.
    assert all(client.get("/public/captcha.png").status_code == 200 for _ in range(20))
