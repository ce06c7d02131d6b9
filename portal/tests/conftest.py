import datetime

import pytest
import time_machine
from django.core.cache import cache

from petitions.idcard import check_char
from portal import captcha

START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
CAPTCHA = "ACDEF"


def id_number(first17: str = "34990219900307123") -> str:
    return first17 + check_char(first17)


VALID_ID = id_number()


@pytest.fixture(autouse=True)
def clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def frozen():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def fixed_captcha(monkeypatch):
    monkeypatch.setattr(captcha, "random_text", lambda: CAPTCHA)
    return CAPTCHA


@pytest.fixture
def sms_outbox(settings):
    settings.SMS_BACKEND = "notifications.sms.LocmemSMSBackend"
    from notifications.sms import LocmemSMSBackend

    LocmemSMSBackend.outbox.clear()
    return LocmemSMSBackend.outbox


def form_data(**overrides):
    data = {
        "name": "张三丰", "id_number": VALID_ID, "phone": "13912345678", "address": "青山区城关街道东门社区5号",
        "kind": "claim", "title": "小区门口道路破损", "content": "小区门口道路破损已经半年，雨天积水严重，老人出行困难。",
        "demands": "请尽快修复道路。", "consent": "on", "captcha": CAPTCHA,
    }
    data.update(overrides)
    return data
