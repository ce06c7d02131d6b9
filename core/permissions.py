from __future__ import annotations

from rest_framework.permissions import BasePermission


class IsStaffMember(BasePermission):
    """Authenticated, active staff who belong to an org unit."""

    message = "需要登录，且账号须属于一个单位。"

    def has_permission(self, request, view) -> bool:  # noqa: ANN001
        user = request.user
        return bool(user and user.is_authenticated and user.is_active and getattr(user, "unit_id", None))


class HasCapability(BasePermission):
    """Use as `permission_classes = [IsStaffMember, HasCapability.of("register")]`."""

    capability = ""

    @classmethod
    def of(cls, capability: str) -> type[HasCapability]:
        return type(f"Has_{capability}", (cls,), {"capability": capability, "message": "当前角色无权进行此操作。"})

    def has_permission(self, request, view) -> bool:  # noqa: ANN001
        return request.user.is_authenticated and request.user.can(self.capability)
