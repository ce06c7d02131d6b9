"""The scoping layer: the one place that decides which matters a user may see.

Rules (DESIGN.md "Users and roles", 条例 Art. 30 ¶3):
- a staff user sees matters held by any unit in the subtree of their unit's scope root (a 信访局's
  scope root is the government of its level, so its staff see that area);
- "held" means received, transferred, assigned, handled or reviewed there (PetitionAccess rows);
- an accusation is never visible to the accused unit (or any unit below it) nor to the accused person.
A matter outside the scope answers 404 in every view and endpoint (see `get_visible_or_404`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.http import Http404

if TYPE_CHECKING:
    from accounts.models import User
    from petitions.models import Petition, Petitioner  # noqa: F401

# Paths are digits and dots; "~" sorts after both, so [path, path + "~") is exactly the subtree.
SUBTREE_END = "~"


def _staff_unit(user: Any):  # noqa: ANN202
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return getattr(user, "unit", None)


class PetitionQuerySet(models.QuerySet["Petition"]):
    def visible_to(self, user: User | Any) -> PetitionQuerySet:
        unit = _staff_unit(user)
        if unit is None:
            return self.none()
        access = apps.get_model("petitions", "PetitionAccess")
        accused = apps.get_model("petitions", "AccusedParty")
        root_path = unit.scope_root.path
        held_in_scope = access.objects.filter(
            petition=OuterRef("pk"), unit_path__gte=root_path, unit_path__lt=root_path + SUBTREE_END
        )
        about_this_user = accused.objects.filter(petition=OuterRef("pk")).filter(
            Q(unit_id__in=unit.ancestor_ids()) | Q(user_id=user.pk)
        )
        return self.filter(Exists(held_in_scope)).exclude(Exists(about_this_user))

    def open(self) -> PetitionQuerySet:
        from petitions.choices import OPEN_STATUSES

        return self.filter(status__in=OPEN_STATUSES)


class PetitionerQuerySet(models.QuerySet["Petitioner"]):
    def visible_to(self, user: User | Any) -> PetitionerQuerySet:
        """A petitioner is visible through a matter the user may see."""
        petition = apps.get_model("petitions", "Petition")
        visible = petition.objects.visible_to(user).filter(contacts__people__petitioner=OuterRef("pk"))
        return self.filter(Exists(visible))


def get_visible_or_404(user: Any, *, related: tuple[str, ...] = (), **lookup: Any):  # noqa: ANN201
    """The matter if `user` may see it, else 404. `related`: foreign keys to fetch in the same query."""
    petition = apps.get_model("petitions", "Petition")
    try:
        return petition.objects.visible_to(user).select_related(*related).get(**lookup)
    except (petition.DoesNotExist, ValueError):
        raise Http404("信访事项不存在或无权查看") from None


def staff_of_unit_or_404(user: Any, unit_id: int) -> list[dict[str, Any]]:
    """The active users of one unit, for linking an accused staff member — only for a unit inside the
    user's own scope (the subtree of their unit's scope root, as `visible_to`). Another area's
    people answer 404, like a matter the user may not see."""
    unit_model = apps.get_model("orgs", "Unit")
    user_model = apps.get_model("accounts", "User")
    own = _staff_unit(user)
    root = own.scope_root.path if own is not None else None
    unit = unit_model.objects.filter(pk=unit_id).first()
    if root is None or unit is None or not unit.path.startswith(root):
        raise Http404("单位不存在或不在您的管辖范围内")
    return list(user_model.objects.filter(unit=unit, is_active=True).order_by("username")
                .values("id", "username", "full_name", "title")[:200])


def can_see(user: Any, petition_id: int) -> bool:
    petition = apps.get_model("petitions", "Petition")
    return petition.objects.visible_to(user).filter(pk=petition_id).exists()


# Search and filters (list page and GET /api/petitions/) -------------------------------------

SEARCH_PARAMS = ("q", "search", "received_from", "received_to", "channel", "kind", "category", "locality", "unit",
                 "status", "receiving_unit", "handling_unit")


def _int(value: Any) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


def _date(value: Any):  # noqa: ANN202
    import datetime

    try:
        return datetime.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        return None


def narrow_scope_path(user: Any) -> str:
    """The scope path of a user whose scope is small (a town, village or one department), else "".

    Such users' searches intersect the matches with their scope through the access index first.
    """
    from orgs.choices import Level, UnitKind

    unit = _staff_unit(user)
    if unit is None:
        return ""
    root = unit.scope_root
    if root.kind != UnitKind.GOVERNMENT or root.level in (Level.TOWN, Level.VILLAGE):
        return root.path
    return ""


def filter_petitions(qs: PetitionQuerySet, params: Any, *, ordered_page: bool = False,
                     user: Any = None) -> tuple[PetitionQuerySet, dict[str, str]]:
    """Apply the search term and filters of a request to a queryset that starts from visible_to().

    Returns the narrowed queryset and the filters that were understood (for the page's links).
    Unknown or malformed values are ignored rather than failing the page. `ordered_page=True`
    gives the form that is fastest to read one ordered page from (see search.filter_matching);
    count with the default form. With `user`, a narrow scope is used to cut the search early
    (see search.filter_matching); the queryset must already be `visible_to(user)`.
    """
    import datetime

    from django.utils import timezone

    from petitions import search
    from petitions.choices import Channel, Kind, Status

    category_model = apps.get_model("petitions", "Category")
    unit_model = apps.get_model("orgs", "Unit")
    access = apps.get_model("petitions", "PetitionAccess")
    applied: dict[str, str] = {}
    term = (params.get("q") or params.get("search") or "").strip()[:100]
    if not (term and search.has_terms(term)):
        term = ""
    for key, choices in (("status", Status), ("channel", Channel), ("kind", Kind)):
        value = params.get(key)
        if value in choices.values:
            qs = qs.filter(**{key: value})
            applied[key] = value
    start, end = _date(params.get("received_from")), _date(params.get("received_to"))
    tz = timezone.get_current_timezone()
    if start:
        qs = qs.filter(received_at__gte=datetime.datetime.combine(start, datetime.time.min, tzinfo=tz))
        applied["received_from"] = start.isoformat()
    if end:
        qs = qs.filter(received_at__lt=datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min,
                                                                 tzinfo=tz))
        applied["received_to"] = end.isoformat()
    category_ids: list[int] = []
    category_id = _int(params.get("category"))
    if category_id:
        category = category_model.objects.filter(pk=category_id).first()
        if category is not None:
            category_ids = list(category_model.objects.filter(
                Q(pk=category.pk) | Q(full_name__startswith=category.full_name + "/")).values_list("pk", flat=True))
            qs = qs.filter(category_id__in=category_ids)
            applied["category"] = str(category_id)
    locality_id = _int(params.get("locality"))
    if locality_id:
        locality = unit_model.objects.filter(pk=locality_id).first()
        if locality is not None:
            ids = list(unit_model.objects.filter(path__startswith=locality.path).values_list("pk", flat=True))
            qs = qs.filter(locality_id__in=ids)
            applied["locality"] = str(locality_id)
    unit_id = _int(params.get("unit"))
    within = narrow_scope_path(user) if user is not None else ""
    if unit_id:
        unit = unit_model.objects.filter(pk=unit_id).first()
        if unit is not None:
            if term:
                within = unit.path  # the search itself keeps only matters held in the unit's subtree
            else:
                held = access.objects.filter(petition=OuterRef("pk"), unit_path__gte=unit.path,
                                             unit_path__lt=unit.path + SUBTREE_END)
                qs = qs.filter(Exists(held))
            applied["unit"] = str(unit_id)
    for key in ("receiving_unit", "handling_unit"):
        value = _int(params.get(key))
        if value:
            qs = qs.filter(**{f"{key}_id": value})
            applied[key] = str(value)
    if term:
        indexed = any(k in applied for k in ("category", "locality", "received_from", "received_to"))
        facet_groups = search.facets(category_ids=category_ids, kind=applied.get("kind", ""),
                                     channel=applied.get("channel", ""))
        qs = search.filter_matching(qs, term, ordered_page=ordered_page, within=within, indexed_filter=indexed,
                                    facet_groups=facet_groups)
        applied = {"q": term, **applied}
    return qs, applied
