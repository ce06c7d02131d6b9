from __future__ import annotations

from django.core.exceptions import ValidationError


class MixedCharactersValidator:
    """Passwords must mix letters and digits."""

    def validate(self, password: str, user: object = None) -> None:
        if not (any(c.isalpha() for c in password) and any(c.isdigit() for c in password)):
            raise ValidationError("密码须同时包含字母和数字。", code="password_not_mixed")

    def get_help_text(self) -> str:
        return "密码须同时包含字母和数字。"
