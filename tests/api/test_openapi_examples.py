"""The request examples in the OpenAPI schema work as written: a new user who copies them
from /docs, in the order the docs suggest (add a source first), gets a 2xx for each.

The examples are read from the schema the app serves, not repeated here, so an example
that drifts from what the route accepts fails this test.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from .conftest import ApiUser, wait_for_job

pytestmark = pytest.mark.slow

# The order a reader follows: a source first, then the pipelines that need one, and the
# outline before the examples that name draft 1 (this module's home is new: it is draft 1).
ORDER = [
    "/api/sources/text",
    "/api/search",
    "/api/analyze",
    "/api/seo-metadata",
    "/api/outlines",
    "/api/articles",
    "/api/rewrite",
    "/api/summaries",
    "/api/answers",
    "/api/copy",
    "/api/fact-checks",
    "/api/jobs",
    "/v1/chat/completions",
]


def request_examples(schema: dict[str, Any], path: str) -> list[dict[str, Any]]:
    """The JSON request examples of ``POST path``: the body schema's own, or, for a union
    (a job submission), each member's."""
    content = schema["paths"][path]["post"]["requestBody"]["content"]["application/json"]
    body = content["schema"]
    components = schema["components"]["schemas"]

    def resolve(node: dict[str, Any]) -> dict[str, Any]:
        return components[node["$ref"].split("/")[-1]] if "$ref" in node else node

    members = [resolve(body)]
    members += [resolve(member) for member in body.get("oneOf", body.get("anyOf", []))]
    return [example for member in members for example in member.get("examples", [])]


def test_every_json_request_has_an_example(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    for path, item in schema["paths"].items():
        operation = item.get("post", {})
        if "application/json" in operation.get("requestBody", {}).get("content", {}):
            if "{" in path:
                continue  # an optional edited outline: the body may be left out
            assert request_examples(schema, path), f"POST {path} has no request example"
    assert set(ORDER) <= set(schema["paths"])


def test_the_documented_examples_work_in_order(client: TestClient, alice: ApiUser) -> None:
    schema = client.get("/openapi.json").json()
    for path in ORDER:
        for example in request_examples(schema, path):
            answer = client.post(path, json=example, headers=alice.headers)
            assert answer.status_code in (200, 202), f"{path} {example}: {answer.text}"
            if answer.status_code == 202:
                job = wait_for_job(client, answer.json()["id"], alice.headers)
                assert job["status"] == "succeeded", job
