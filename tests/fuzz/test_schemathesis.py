"""Schemathesis against the OpenAPI schema, through the WSGI app, with a liaison token.

Every operation gets generated requests (bounded in examples and time) and every default
check: no 5xx, status codes and bodies as documented, content types, and so on.
"""

from io import StringIO

import pytest
import schemathesis
from django.core import signals
from django.core.management import call_command
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from recommendations.models import MemberState, Recommendation
from recommendations.services import follow_ups as services
from recommendations.services.tokens import liaison_create

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

TOKEN = {}

# A schema-valid request may still be refused with 400 for what a schema cannot say: an id
# that names no row in your scope, a second follow-up of the same recommendation, a
# withdrawn recommendation, an action dated in the future; and with 412 for an If-Match
# that is not the current ETag. Everything else is schemathesis's defaults.
CONFIG = schemathesis.config.SchemathesisConfig.from_str(
    """
[checks.positive_data_acceptance]
expected-statuses = ["2xx", "400", "401", "403", "404", "412"]
"""
)


@pytest.fixture
def api_schema(db):
    call_command("import_seeds", stdout=StringIO())
    user, _, _, key = liaison_create(
        username="fuzzer", member_state=MemberState.objects.get(iso3="KEN")
    )
    follow_up = services.follow_up_create(
        recommendation=Recommendation.objects.get(label="93(b)"),
        member_state=MemberState.objects.get(iso3="KEN"),
        user=user,
    )
    services.action_create(
        follow_up=follow_up, user=user, date="2026-01-01", kind="policy", description="x"
    )
    TOKEN["key"] = key
    from tracker.wsgi import application

    # As Django's test client does: requests made inside the test's transaction must not
    # close the database connection when they start or finish.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application, config=CONFIG)
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case):
    from django.core.cache import cache

    cache.clear()  # the fuzzer's own requests must not trip the throttle
    case.call_and_validate(headers={"Authorization": f"Token {TOKEN['key']}"})
