"""The scoping layer (issue "Platform foundation"): who sees which matter, proven on views and API."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from petitions.choices import AccessReason, Kind
from petitions.models import Petition
from petitions.services import grant_access
from xinfang.testing import build_cast, make_petition, status_by_user

pytestmark = pytest.mark.django_db


def visible_names(cast, petition):
    return {name for name, user in cast.staff.items() if Petition.objects.visible_to(user).filter(pk=petition.pk).exists()}


def test_town_front_desk_sees_own_town_not_the_neighbouring_town(cast):
    mine = make_petition(cast.town_a, actor=cast.desk_a)
    theirs = make_petition(cast.town_c, actor=cast.outsider_c)
    assert visible_names(cast, mine) == {"desk_a", "officer", "leader", "analyst", "admin", "city_officer"}
    assert visible_names(cast, theirs) == {"outsider_c", "officer", "leader", "analyst", "admin", "city_officer"}


def test_other_towns_matter_answers_404_in_page_and_api(cast):
    theirs = make_petition(cast.town_c, actor=cast.outsider_c)
    codes = status_by_user(cast, "get", f"/petitions/{theirs.pk}/")
    assert codes["desk_a"] == 404 and codes["handler_b"] == 404 and codes["head_b"] == 404
    assert codes["outsider_c"] == 200 and codes["officer"] == 200
    assert codes["anonymous"] == 302
    api = status_by_user(cast, "get", f"/api/petitions/{theirs.pk}/")
    assert api["desk_a"] == 404 and api["outsider_c"] == 200 and api["anonymous"] == 401


def test_a_unit_sees_what_was_transferred_to_it(cast):
    petition = make_petition(cast.town_a, actor=cast.desk_a)
    assert "handler_b" not in visible_names(cast, petition)
    grant_access(petition, cast.unit_b, AccessReason.TRANSFERRED)
    assert {"handler_b", "head_b"} <= visible_names(cast, petition)
    assert "outsider_c" not in visible_names(cast, petition)


def test_accused_unit_never_sees_the_accusation_even_after_transfer(cast):
    accusation = make_petition(cast.county_bureau, actor=cast.officer, kind=Kind.ACCUSATION, title="住建局违规审批",
                               accused_unit=cast.unit_b)
    grant_access(accusation, cast.unit_b, AccessReason.TRANSFERRED)
    seen = visible_names(cast, accusation)
    assert "handler_b" not in seen and "head_b" not in seen
    assert "officer" in seen
    codes = status_by_user(cast, "get", f"/petitions/{accusation.pk}/")
    assert codes["handler_b"] == 404 and codes["head_b"] == 404
    listed = status_by_user(cast, "get", "/api/petitions/")
    assert listed["head_b"] == 200


def test_units_below_the_accused_unit_do_not_see_it_either(cast):
    accusation = make_petition(cast.county_bureau, actor=cast.officer, kind=Kind.ACCUSATION, accused_unit=cast.town_a)
    grant_access(accusation, cast.village_a, AccessReason.ASSIGNED)
    grant_access(accusation, cast.town_a, AccessReason.ASSIGNED)
    assert "desk_a" not in visible_names(cast, accusation)


def test_the_accused_person_never_sees_it(cast):
    accusation = make_petition(cast.county_bureau, actor=cast.officer, kind=Kind.ACCUSATION, accused_user=cast.leader)
    assert "leader" not in visible_names(cast, accusation)
    assert "officer" in visible_names(cast, accusation)


def test_personal_data_is_masked_in_lists_and_full_view_is_audited(client, cast):
    from audit.models import Action, AuditEntry

    petition = make_petition(cast.town_a, actor=cast.desk_a, name="欧阳明月", id_number="34010219900101123X",
                             phone="13912345678")
    client.force_login(cast.officer)
    page = client.get(f"/petitions/{petition.pk}/").content.decode()
    assert "34010219900101123X" not in page and "3401**********123X" in page and "欧**月" in page
    assert "139****5678" in page
    assert not AuditEntry.objects.filter(action=Action.VIEW_PERSONAL).exists()
    full = client.get(f"/petitions/{petition.pk}/people/").content.decode()
    assert "34010219900101123X" in full and "13912345678" in full
    entry = AuditEntry.objects.get(action=Action.VIEW_PERSONAL)
    assert entry.actor == cast.officer and entry.object_id == str(petition.pk)


def test_people_page_of_invisible_matter_is_404_and_not_audited(client, cast):
    from audit.models import Action, AuditEntry

    theirs = make_petition(cast.town_c, actor=cast.outsider_c)
    client.force_login(cast.desk_a)
    assert client.get(f"/petitions/{theirs.pk}/people/").status_code == 404
    assert not AuditEntry.objects.filter(action=Action.VIEW_PERSONAL).exists()


UNIT_NAMES = ["town_a", "village_a", "town_c", "unit_b", "unit_b2", "county_bureau", "city_bureau"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    receiver=st.sampled_from(UNIT_NAMES),
    accused=st.sampled_from(UNIT_NAMES),
    grants=st.lists(st.sampled_from(UNIT_NAMES), max_size=4),
)
def test_property_no_sequence_of_grants_exposes_an_accusation_to_the_accused(receiver, accused, grants):
    from django.db import transaction

    with transaction.atomic():
        cast = build_cast()
        units = {name: getattr(cast, name) for name in UNIT_NAMES}
        petition = make_petition(units[receiver], kind=Kind.ACCUSATION, accused_unit=units[accused])
        for name in grants:
            grant_access(petition, units[name], AccessReason.TRANSFERRED)
        for user in cast.staff.values():
            if user.unit.is_within(units[accused]):
                assert not Petition.objects.visible_to(user).filter(pk=petition.pk).exists(), user.username
        transaction.set_rollback(True)
