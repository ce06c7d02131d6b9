"""Schemathesis over /api/schema/ (the whole staff API and Open311): no request may get a 5xx.

Bounded so the suite stays fast: a few generated examples per operation (XINFANG_FUZZ_EXAMPLES,
default 3; `make fuzz` runs more), as the county officer (the broadest staff role), against the WSGI
app in the test's own database transaction.
"""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings

from accounts.services import issue_token
from xinfang.testing import make_petition

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture
def keep_connection():
    """Calling the WSGI app directly fires request_finished, which would close the test's database
    connection mid-transaction (PostgreSQL); Django's own test client disconnects it the same way."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(cast, keep_connection):
    from django.core.wsgi import get_wsgi_application

    return schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture
def officer_token(cast):
    # Something to find: a matter at the county bureau and one at the city bureau.
    make_petition(cast.county_bureau, actor=cast.officer)
    make_petition(cast.city_bureau, channel="online")
    return issue_token(cast.officer)


@schema.parametrize()
@settings(max_examples=int(os.environ.get("XINFANG_FUZZ_EXAMPLES", "3")), deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=list(HealthCheck))
def test_no_request_gets_a_server_error(case, officer_token):
    response = case.call(headers={"Authorization": f"Token {officer_token}"})
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path} query={case.query} body={case.body!r} -> "
        f"{response.status_code} {response.text[:300]}")
