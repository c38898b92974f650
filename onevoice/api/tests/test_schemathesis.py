"""Schemathesis against the OpenAPI document, in-process on the WSGI app with a token of every scope:
no input it generates makes the server fail, and every answer matches the documented schema."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from onevoice.api.tests.conftest import make_post, token_for
from onevoice.api.v1.api import api
from onevoice.inbox.tests.factories import make_case, make_channel

schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
application = get_wsgi_application()


@pytest.fixture(autouse=True)
def keep_the_test_connection() -> Iterator[None]:
    """Calls straight into the WSGI app must not close the test's database connection after each request
    (Django's test client does the same)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(personas: Any) -> dict[str, str]:
    channel = make_channel(personas.organization, department=personas.marketing)
    make_post(personas.admin, personas.marketing, None, [channel], title="Idee")
    make_case(channel)
    return {"Authorization": f"Bearer {token_for(personas.admin)}"}


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_input_makes_the_api_fail(case: Any, bearer: dict[str, str]) -> None:
    from django.core.cache import cache

    cache.clear()  # the examples are many; the rate limit is tested elsewhere
    response = case.call(app=application, headers=bearer)
    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
