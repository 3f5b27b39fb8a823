"""Schemathesis over the whole OpenAPI document: every operation, a bounded number of generated
requests each (valid and invalid), as an administrator with a token, against the real database
(SQLite, then PostgreSQL in `make test`). The pass mark: no server error (5xx), every status
documented, every body matching its documented schema.

The app runs in-process through Django's WSGI handler (schemathesis's documented WSGI loader),
in this test's transaction. ``CSKH_SCHEMATHESIS_EXAMPLES`` raises the number of examples per
operation for a deeper local run."""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import positive_data_acceptance

from tests.conftest import make_token

EXAMPLES = int(os.environ.get("CSKH_SCHEMATHESIS_EXAMPLES", "5"))


@pytest.fixture
def api_token(world, center):
    from cskh.org.services import create_user

    admin = create_user(username="qtv_api", password="Matkhau!2026", role="admin", unit=center)
    return make_token(admin)


@pytest.fixture
def api_schema(api_token):
    """The schema, loaded through the WSGI app. Like Django's test client, the in-process
    handler must not close the test's database connection after each request."""
    from django.core.signals import request_finished, request_started
    from django.core.wsgi import get_wsgi_application
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi(
            "/api/v1/openapi.json",
            get_wsgi_application(),
            headers={"Authorization": f"Bearer {api_token}"},
        )
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _run(operation, mode, token):
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        case.call_and_validate(
            headers={"Authorization": f"Bearer {token}"},
            # "schema-valid data must be accepted" cannot hold for rules a schema cannot say
            # (a phone number's format, an opaque cursor, a ward that must exist): those are 4xx
            excluded_checks=[positive_data_acceptance],
        )

    run()


@pytest.mark.django_db
def test_api_conforms(api_schema, api_token):
    failures = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) > 50
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                _run(operation, mode, api_token)
            except Unsatisfiable:  # no invalid request expressible for this operation
                continue
            except (Exception, BaseExceptionGroup) as exc:  # collect every operation's failure
                failures.append(f"{operation.label} [{mode.value}]: {exc}")
    assert not failures, "\n\n".join(failures)
