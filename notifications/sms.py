"""SMS backends, chosen by settings.SMS_BACKEND (env XINFANG_SMS_BACKEND).

A backend has one method, `send(to, text) -> str` returning the provider's message id, and raises
`SMSError` with a readable reason when the message was not accepted. A real gateway (a province's
government SMS platform) is one more class with this method.
"""

from __future__ import annotations

import itertools
import logging
from dataclasses import dataclass
from typing import ClassVar

from django.conf import settings
from django.utils.module_loading import import_string

from core.pii import mask_phone

DEFAULT_BACKEND = "notifications.sms.ConsoleSMSBackend"
logger = logging.getLogger("xinfang.sms")


class SMSError(Exception):
    """The gateway refused or failed to take the message."""


class BaseSMSBackend:
    def send(self, to: str, text: str) -> str:
        raise NotImplementedError


class ConsoleSMSBackend(BaseSMSBackend):
    """Writes the message to the log (phone masked). For one machine without a gateway."""

    _ids = itertools.count(1)

    def send(self, to: str, text: str) -> str:
        message_id = f"console-{next(self._ids)}"
        logger.info("SMS %s to %s: %s", message_id, mask_phone(to), text)
        return message_id


@dataclass(frozen=True)
class SMS:
    to: str
    text: str
    id: str


class LocmemSMSBackend(BaseSMSBackend):
    """Keeps messages in `LocmemSMSBackend.outbox` (tests). A number in `fail_numbers` raises SMSError."""

    outbox: ClassVar[list[SMS]] = []
    fail_numbers: ClassVar[set[str]] = set()

    def send(self, to: str, text: str) -> str:
        if to in self.fail_numbers:
            raise SMSError("号码无法接收短信")
        sms = SMS(to=to, text=text, id=f"locmem-{len(self.outbox) + 1}")
        self.outbox.append(sms)
        return sms.id


def get_backend() -> BaseSMSBackend:
    path = getattr(settings, "SMS_BACKEND", DEFAULT_BACKEND)
    return import_string(path)()
