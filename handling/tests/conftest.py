import datetime

import pytest
import time_machine

from xinfang.testing import make_petition

# A Monday with no holiday around it, so the clock arithmetic in these tests is easy to follow.
START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


@pytest.fixture
def frozen():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def matter(cast, frozen):
    """A matter registered at the county 信访局 by the officer."""
    return make_petition(cast.county_bureau, actor=cast.officer, title="小区楼顶违章搭建无人处理")


@pytest.fixture
def sms_outbox(settings):
    settings.SMS_BACKEND = "notifications.sms.LocmemSMSBackend"
    from notifications.sms import LocmemSMSBackend

    LocmemSMSBackend.outbox.clear()
    return LocmemSMSBackend.outbox
