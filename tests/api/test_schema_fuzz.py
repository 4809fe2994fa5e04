"""Schemathesis over the whole OpenAPI schema: generated requests, valid and invalid, as a
signed-in user. No answer may be a 500, and every answer must match what the schema says
(status codes, content types, headers and bodies).

Examples per operation are kept small so the run fits in CI; the point is breadth (every
route, every field type, the edge values hypothesis finds), not depth.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from aiwriter_apps.api.app import create_app
from aiwriter_apps.api.settings import ApiSettings
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from aiwriter_kernel import Workbench

CORPUS = Path(__file__).resolve().parents[2] / "data" / "demo_corpus"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def fuzz_target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[object, dict]]:
    """A running app (lifespan entered) on a home with the demo corpus, and a user's key."""
    workbench = Workbench.open(home=tmp_path_factory.mktemp("fuzz") / "home")
    workbench.db.accounts.create_user("fuzz")
    _, key = workbench.db.accounts.create_api_key("fuzz")
    workbench.for_user(workbench.user_id("fuzz")).ingest(CORPUS)
    api_settings = ApiSettings(
        rate_limit_per_minute=10_000_000, auth_failures_per_minute=0, job_workers=1, _env_file=None
    )
    app = create_app(workbench, api_settings=api_settings)
    with TestClient(app):
        yield app, {"Authorization": f"Bearer {key}"}
    workbench.close()


@pytest.fixture(scope="module")
def api_schema(fuzz_target):
    app, _ = fuzz_target
    return schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.fixture(scope="module")
def headers(fuzz_target) -> dict:
    return fuzz_target[1]


def _operations() -> list[tuple[str, str]]:
    """Every (method, path) of the schema; building the app opens nothing until it starts."""
    paths = create_app(api_settings=ApiSettings(_env_file=None)).openapi()["paths"]
    return [(method.upper(), path) for path, item in paths.items() for method in item]


@pytest.mark.parametrize(("method", "path"), _operations())
def test_no_server_errors_and_answers_match_the_schema(
    api_schema, headers: dict, method: str, path: str
) -> None:
    operation = api_schema[path][method]

    @given(case=operation.as_strategy())
    @settings(
        max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None
    )
    def generated(case) -> None:
        # Not positive_data_acceptance: request models have cross-field rules (exactly one of
        # draft_id or text, ...) that JSON Schema does not carry, so a schema-valid body
        # can still be a clear 422. Every other check runs, server errors included.
        case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

    generated()
