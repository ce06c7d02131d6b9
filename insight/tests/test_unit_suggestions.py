"""The suggested handling unit where the unit is chosen: the transfer (转送) and assignment (交办) pages offer
the suggested units the form accepts as buttons (never the accused unit of an accusation, never a unit outside
the actor's area), and the dispatch decides the handling-unit feedback row (accepted or overridden)."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from handling import services as handling
from insight import selectors, services
from insight.models import SuggestionFeedback
from insight.tests.app_data import SCHOOL, category, history
from petitions.models import Petition
from xinfang.testing import client_for, make_petition

pytestmark = pytest.mark.django_db

HOUSING_TEXT = "开发商合同约定去年交房，楼盘至今逾期没有交付，购房的房产证也没有"
BUTTON = re.compile(r'data-suggest-unit="(\d+)"[^>]*data-label="([^"]+)"[^>]*title="([^"]*)">([^<]*)</button>')


def train_units() -> None:
    services.train_suggester("unit")


@pytest.fixture
def trained(cast, insight_dir):
    """Housing -> unit B, wages -> unit B2, school -> the city's 信访局 (outside the county officer's area)."""
    history(cast)
    Petition.objects.filter(number__startswith="HIST-", category=category(SCHOOL)).update(handling_unit=cast.city_bureau)
    train_units()
    return cast


def offered(user, petition, action="transfer") -> list[tuple[int, str, str, str]]:  # noqa: ANN001
    response = client_for(user).get(reverse("handling:action", args=[petition.pk, action]))
    assert response.status_code == 200
    return [(int(pk), code, title, text) for pk, code, title, text in BUTTON.findall(response.content.decode())]


def test_transfer_and_assign_pages_offer_the_suggested_units_the_form_accepts(trained):
    cast = trained
    matter = make_petition(cast.town_a, actor=cast.desk_a, title=HOUSING_TEXT)
    suggested = [s["label"] for s in services.unit_suggestions(matter)]
    assert suggested[0] == cast.unit_b.code and cast.city_bureau.code in suggested  # the model's own top-3
    for action in ("transfer", "assign"):
        buttons = offered(cast.officer, matter, action)
        assert [(pk, code) for pk, code, _, _ in buttons] == [(cast.unit_b.pk, cast.unit_b.code),
                                                              (cast.unit_b2.pk, cast.unit_b2.code)]
        pk, code, title, text = buttons[0]
        assert title.startswith("依据：") and title.endswith("。点击选为承办单位")
        terms = title.removeprefix("依据：").removesuffix("。点击选为承办单位").split("、")
        assert terms and all(term in HOUSING_TEXT for term in terms)  # the matter's own words drove it
        assert re.fullmatch(rf"{cast.unit_b.name} \d{{1,3}}%", text)
    page = client_for(cast.officer).get(reverse("handling:action", args=[matter.pk, "transfer"])).content.decode()
    assert 'data-unit-field="id_to_unit"' in page and 'src="/static/insight/unit_suggestions.js"' in page
    # the 信访局 of the city is outside the officer's area: not in the form, so never offered
    assert f'data-label="{cast.city_bureau.code}"' not in page
    assert f'<option value="{cast.city_bureau.pk}"' not in page


def test_no_suggestions_for_whom_the_action_is_not_offered_nor_on_other_actions(trained):
    cast = trained
    matter = make_petition(cast.town_a, actor=cast.desk_a, title=HOUSING_TEXT)
    assert offered(cast.desk_a, matter) == []  # the front desk sees the matter but may not transfer it
    url = reverse("handling:action", args=[matter.pk, "transfer"])
    response = client_for(cast.outsider_c).get(url)
    assert response.status_code == 404 and cast.unit_b.name.encode() not in response.content
    decline = client_for(cast.officer).get(reverse("handling:action", args=[matter.pk, "decline"])).content.decode()
    assert "data-suggest-unit" not in decline


def test_the_actors_own_unit_is_never_offered(feedback_model):
    cast = feedback_model
    matter = make_petition(cast.unit_b, actor=cast.head_b, title=HOUSING_TEXT)  # registered at unit B itself
    units = _form_units(cast.head_b)
    assert units.filter(pk=cast.unit_b.pk).exists()  # the form lists it, but a unit cannot transfer to itself
    top = [s["label"] for s in services.unit_suggestions(matter)]
    assert top[0] == cast.unit_b.code and cast.county.code in top
    offered_codes = [s["unit"].code for s in services.offerable_unit_suggestions(matter, cast.head_b, units)]
    assert offered_codes == [cast.county.code]  # unit B2 is outside a department's own area


def _form_units(user):  # noqa: ANN001, ANN202
    from handling.actions import scope_unit_choices
    from handling.forms import DispatchForm

    form = DispatchForm()
    scope_unit_choices(form, user)
    return form.fields["to_unit"].queryset


@pytest.mark.parametrize("accused", ["unit", "head"])
def test_the_accused_unit_of_an_accusation_is_never_offered(trained, accused):
    cast = trained
    kwargs = {"accused_unit": cast.unit_b} if accused == "unit" else {"accused_user": cast.head_b}
    matter = make_petition(cast.town_a, actor=cast.desk_a, kind="accusation", title=HOUSING_TEXT, **kwargs)
    assert services.unit_suggestions(matter)[0]["label"] == cast.unit_b.code  # the model would suggest it
    for action in ("transfer", "assign"):
        buttons = offered(cast.officer, matter, action)
        assert [code for _, code, _, _ in buttons] == [cast.unit_b2.code]
    # the same guard the dispatch runs: sending it there by hand is refused
    with pytest.raises(Exception, match="第三十条"):
        handling.transfer(matter, actor=cast.officer, to_unit=cast.unit_b)


def test_nothing_is_shown_without_a_unit_model(cast, insight_dir):
    matter = make_petition(cast.town_a, actor=cast.desk_a, title=HOUSING_TEXT)
    page = client_for(cast.officer).get(reverse("handling:action", args=[matter.pk, "transfer"])).content.decode()
    assert "data-testid=\"unit-suggestions\"" not in page and "unit_suggestions.js" not in page


# The officer's choice --------------------------------------------------------------------------------------

@pytest.fixture
def feedback_model(cast, suggesters):
    """Housing -> unit B, wages -> unit B2, school -> the county government."""
    return cast


def registered(cast, capture, title=HOUSING_TEXT):  # noqa: ANN001, ANN201
    with capture(execute=True):
        matter = make_petition(cast.town_a, actor=cast.desk_a, title=title)
    row = SuggestionFeedback.objects.get(petition=matter, kind="unit")
    assert row.decided_at is None and row.suggested[0][0] == cast.unit_b.code  # registration leaves it open
    return matter


def test_transfer_to_the_suggested_unit_is_recorded_as_accepted(feedback_model, django_capture_on_commit_callbacks):
    cast = feedback_model
    matter = registered(cast, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(cast.officer).post(reverse("handling:action", args=[matter.pk, "transfer"]),
                                                 {"to_unit": cast.unit_b.pk, "note": "",
                                                  "version": Petition.objects.get(pk=matter.pk).version})
    assert response.status_code == 302
    row = SuggestionFeedback.objects.get(petition=matter, kind="unit")
    assert (row.chosen, row.rank) == (cast.unit_b.code, 1) and row.decided_at is not None
    accuracy = {a["kind"]: a for a in selectors.suggestion_accuracy()}
    assert accuracy["unit"] == {"kind": "unit", "label": "承办单位", "n": 1, "top1": 1.0, "top3": 1.0}
    # the category rows are the registration's business: untouched here
    assert SuggestionFeedback.objects.filter(petition=matter, decided_at__isnull=False).count() == 1


def test_assignment_elsewhere_is_recorded_as_overridden_and_later_dispatches_change_nothing(
        feedback_model, django_capture_on_commit_callbacks, next_year_table):
    cast = feedback_model
    matter = registered(cast, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        handling.assign(matter, actor=cast.officer, to_unit=cast.town_c,
                        report_due_on=timezone.localdate() + datetime.timedelta(days=30))
    row = SuggestionFeedback.objects.get(petition=matter, kind="unit")
    assert (row.chosen, row.rank) == (cast.town_c.code, None)  # not among the three suggested: overridden
    decided_at = row.decided_at
    assert decided_at is not None
    # the second-ranked unit counts as rank 2, on another matter
    other = registered(cast, django_capture_on_commit_callbacks)
    second = SuggestionFeedback.objects.get(petition=other, kind="unit").suggested[1][0]
    from orgs.models import Unit

    with django_capture_on_commit_callbacks(execute=True):
        handling.transfer(other, actor=cast.officer, to_unit=Unit.objects.get(code=second))
    assert SuggestionFeedback.objects.get(petition=other, kind="unit").rank == 2
    # running the recording again (or a later dispatch of the same matter) changes nothing
    dispatch = matter.dispatches.get()
    assert services.record_dispatch_choice(dispatch.pk) is False
    row.refresh_from_db()
    assert (row.chosen, row.rank, row.decided_at) == (cast.town_c.code, None, decided_at)
    accuracy = {a["kind"]: a for a in selectors.suggestion_accuracy()}
    assert accuracy["unit"]["n"] == 2 and accuracy["unit"]["top1"] == 0.0 and accuracy["unit"]["top3"] == 0.5


def test_direct_handling_decides_nothing_and_a_matter_from_before_the_model_gets_its_row_at_dispatch(
        cast, insight_dir, django_capture_on_commit_callbacks, next_year_table):
    with django_capture_on_commit_callbacks(execute=True):
        early = make_petition(cast.town_a, actor=cast.desk_a, title=HOUSING_TEXT)
        direct = make_petition(cast.town_a, actor=cast.desk_a, title=HOUSING_TEXT)
    assert not SuggestionFeedback.objects.exists()  # registered before any model was trained
    history(cast)
    train_units()
    with django_capture_on_commit_callbacks(execute=True):
        handling.handle_directly(direct, actor=cast.officer)
        handling.transfer(early, actor=cast.officer, to_unit=cast.unit_b)
    assert not SuggestionFeedback.objects.filter(petition=direct).exists()
    row = SuggestionFeedback.objects.get(petition=early)
    assert row.kind == "unit" and (row.chosen, row.rank) == (cast.unit_b.code, 1)
    assert [label for label, _ in row.suggested] == [s["label"] for s in services.unit_suggestions(early)]
