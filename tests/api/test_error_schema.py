"""A 422 answer matches the schema clients are generated from, in both of its forms: the
list of fields at fault, and the one plain line of a request that fits the schema but breaks
a kernel rule (a workspace name of only spaces)."""

from __future__ import annotations

from typing import Any

import jsonschema
from fastapi.testclient import TestClient

from .conftest import ApiUser


def documented_422(schema: dict[str, Any], path: str) -> dict[str, Any]:
    """The 422 body schema of ``GET path``, its references resolvable."""
    answer = schema["paths"][path]["get"]["responses"]["422"]["content"]["application/json"]
    return {**answer["schema"], "components": schema["components"]}


def test_both_forms_of_a_422_match_the_documented_schema(
    client: TestClient, alice: ApiUser
) -> None:
    schema = client.get("/openapi.json").json()
    body_schema = documented_422(schema, "/api/sources")
    headers = {"Authorization": f"Bearer {alice.key}"}

    kernel_rule = client.get("/api/sources", params={"workspace": " "}, headers=headers)
    assert kernel_rule.status_code == 422
    assert isinstance(kernel_rule.json()["detail"], str)
    jsonschema.validate(kernel_rule.json(), body_schema)

    field_rule = client.get("/api/sources", params={"workspace": "x" * 300}, headers=headers)
    assert field_rule.status_code == 422
    assert isinstance(field_rule.json()["detail"], list)
    jsonschema.validate(field_rule.json(), body_schema)
