"""Property: no sequence of lifecycle actions, by anyone, with any target unit, exposes an accusation
to the accused unit (or the units below it), to the accused person, or to the unit the accused
person leads — neither through the scoping layer nor through a notification.

Hypothesis draws, step by step, one of the actions the registry currently offers to some cast member
(so sequences reach deep into the lifecycle), with every unit of the cast as a possible target
(the accused ones included, which the services must refuse), plus now and then an action that is
not offered, which must fail cleanly."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from core.errors import DomainError
from handling.actions import ACTIONS, BY_NAME, ActionContext
from notifications.models import Notification
from petitions.choices import Kind
from petitions.models import Petition, PetitionAccess
from xinfang.testing import make_petition

pytestmark = pytest.mark.django_db

# Which cast members must never see the accusation, per scenario.
SCENARIOS = {
    "accused_unit_b": ({"accused_unit": "unit_b"}, {"handler_b", "head_b"}),
    "accused_town_a": ({"accused_unit": "town_a"}, {"desk_a"}),
    "accused_head_b": ({"accused_user": "head_b"}, {"head_b", "handler_b"}),
    "accused_head_b2": ({"accused_user": "head_b2"}, {"head_b2", "handler_b2"}),
    "accused_leader": ({"accused_user": "leader"}, {"leader"}),
}
UNITS = ["unit_b", "unit_b2", "town_a", "village_a", "town_c", "county", "county_bureau", "city", "city_bureau"]
# The ordinary path, in order; most steps take the furthest of these that is offered.
FORWARD = ["accept", "transfer", "assign", "acknowledge", "reply", "approve", "deliver", "report_back", "pass_report",
           "request_review", "decide_review", "request_final_review", "decide_final_review"]
# Actions that need a second matter; covered by their own tests.
SKIP = {"merge", "refuse_again"}


def form_data(spec, unit) -> dict:
    """Plausible cleaned data for an action's form; the unit is the drawn target."""
    values = {
        "to_unit": unit, "review_unit": unit, "report_due_on": None, "on": None, "requested_on": None,
        "decided_on": None, "method": "直接送达", "opinion": "support", "outcome": "uphold", "days": 10,
        "approve": True, "waived": True, "channel": "litigation", "version": None,
    }
    data = {}
    for name, field in spec.form.base_fields.items():
        if name in values:
            data[name] = values[name]
        elif getattr(field, "choices", None):
            data[name] = list(field.choices)[0][0]
        else:
            data[name] = "经核查，情况如下。"
    return data


@pytest.fixture
def people(cast):
    """The cast plus a second handling unit with staff, so that an accusation refused to the
    accused unit can still travel the whole path somewhere else."""
    from accounts.roles import Role
    from accounts.services import create_user

    extra = {name: create_user(username=name, password="x", unit=cast.unit_b2, role=role, full_name=full,
                               check_password=False)
             for name, role, full in (("handler_b2", Role.HANDLER, "陈承办"), ("head_b2", Role.UNIT_HEAD, "蒋局长"))}
    return {**cast.staff, **extra}


def reachers(people, petition):
    """Who can open the matter at all (page and API answer 404 to everyone else)."""
    return sorted(name for name, user in people.items()
                  if Petition.objects.visible_to(user).filter(pk=petition.pk).exists())


def offered(people, petition):
    pairs = []
    for name in reachers(people, petition):
        user = people[name]
        context = ActionContext.load(petition, user)
        pairs += [(name, spec.name) for spec in ACTIONS if spec.name not in SKIP and spec.available(context)]
    return sorted(pairs)


def assert_hidden(people, petition, hidden):
    # The services never send it there (Art. 30 ¶3) ...
    for name in hidden:
        unit = people[name].unit
        assert not PetitionAccess.objects.filter(petition=petition, unit=unit).exists(), f"sent to {unit}"
        if petition.handling_unit_id:
            assert not petition.handling_unit.is_within(unit), f"handled by {petition.handling_unit}"
    # ... and the scoping layer would hide it even if they did.
    for name in hidden:
        user = people[name]
        assert not Petition.objects.visible_to(user).filter(pk=petition.pk).exists(), f"{name} sees the accusation"
        leaked = Notification.objects.filter(recipient=user).filter(petition=petition)
        assert not leaked.exists(), f"{name} was notified: {list(leaked.values_list('title', flat=True))}"
        assert not Notification.objects.filter(recipient=user, body__contains=petition.number).exists()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(scenario=st.sampled_from(sorted(SCENARIOS)), data=st.data())
def test_no_action_sequence_exposes_an_accusation(cast, people, frozen, scenario, data):
    accused, hidden = SCENARIOS[scenario]
    petition = make_petition(cast.county_bureau, actor=cast.officer, kind=Kind.ACCUSATION, title="检举违规审批",
                             **{key: getattr(cast, value) if key == "accused_unit" else people[value]
                                for key, value in accused.items()})
    assert_hidden(people, petition, hidden)
    for _step in range(data.draw(st.integers(min_value=1, max_value=20), label="steps")):
        petition.refresh_from_db()
        pairs = offered(people, petition)
        if pairs and data.draw(st.integers(0, 9), label="offered?") > 0:
            forward = [a for a in FORWARD if any(a == b for _, b in pairs)]
            if forward and data.draw(st.integers(0, 3), label="forward?") > 0:
                action = forward[-1]  # the furthest step along the ordinary path
                actor_name = data.draw(st.sampled_from([n for n, a in pairs if a == action]), label="actor")
            else:
                # Draw the action first, then who does it, so one action offered to many does not dominate.
                action = data.draw(st.sampled_from(sorted({a for _, a in pairs})), label="action")
                actor_name = data.draw(st.sampled_from([n for n, a in pairs if a == action]), label="actor")
        else:  # an action that may not be offered: must fail cleanly or succeed by the rules
            actor_name = data.draw(st.sampled_from(reachers(people, petition)), label="actor")
            action = data.draw(st.sampled_from(sorted(set(BY_NAME) - SKIP)), label="any action")
        unit = getattr(cast, data.draw(st.sampled_from(UNITS), label="unit"))
        spec = BY_NAME[action]
        try:
            spec.run(petition, people[actor_name], form_data(spec, unit))
        except (DomainError, ValidationError):
            pass
        petition.refresh_from_db()
        assert_hidden(people, petition, hidden)
    petition.refresh_from_db()
    event(f"ended {petition.status}")
