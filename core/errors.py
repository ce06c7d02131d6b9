"""Domain errors: a machine-readable code and a Chinese message a person can act on."""

from __future__ import annotations


class DomainError(Exception):
    """Raised by services when a rule forbids an action. Nothing has been changed."""

    code = "domain_error"
    status = 400

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.field = field


class NotAllowed(DomainError):
    code = "not_allowed"
    status = 403


class Conflict(DomainError):
    """Someone else changed the record first (optimistic concurrency) or it already exists."""

    code = "conflict"
    status = 409
