import pytest

from xinfang.testing import frozen, make_petition

__all__ = ["frozen"]


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
