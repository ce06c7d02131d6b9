import pytest

from notifications.sms import LocmemSMSBackend


@pytest.fixture
def sms(settings):
    """Route SMS to the in-memory outbox for one test."""
    settings.SMS_BACKEND = "notifications.sms.LocmemSMSBackend"
    LocmemSMSBackend.outbox.clear()
    LocmemSMSBackend.fail_numbers.clear()
    yield LocmemSMSBackend
    LocmemSMSBackend.outbox.clear()
    LocmemSMSBackend.fail_numbers.clear()
