from deadlines.models import Clock
from petitions.models import Event
from xinfang.testing import make_petition


def bare_petition(unit, **kwargs):
    """A registered matter without the triage clock registration starts, so a test sets its own clocks."""
    petition = make_petition(unit, **kwargs)
    Clock.objects.filter(petition=petition).delete()
    Event.objects.filter(petition=petition, action="clock_started").delete()
    return petition
