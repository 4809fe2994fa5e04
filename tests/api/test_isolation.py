"""Auth and isolation: no key, no access; and one user never reaches another's work.

Alice owns a source and drafts holding a secret (``SECRET``). Every resource route is probed
as Bob: a route taking Alice's id answers 404 exactly like a missing id, a listing or search
shows nothing of hers, and no answer ever contains her secret. Each probe is first made as
Alice and must succeed, so a probe that cannot tell the two apart fails. A route added to the
research, pipeline or draft routers without a probe here fails ``test_every_route_is_probed``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib import import_module
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from aiwriter_kernel import Workbench

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
MODULES = (
    "aiwriter_apps.api.routes.research",
    "aiwriter_apps.api.routes.pipelines",
    "aiwriter_apps.api.routes.drafts",
)
SECRET = "4417"
NOTES = (
    "# Harbour notes\n\n"
    f"The harbour gate code is {SECRET} and the quokkaberry jam is kept in the cellar. "
    "The cellar is cold, dark and dry, which keeps the jam for years.\n"
)


@pytest.fixture(scope="module", params=BACKENDS)
def api_backend(request: pytest.FixtureRequest) -> str:
    return request.param


@dataclass(frozen=True)
class Owned:
    """Alice's resources, by id."""

    source_id: int
    draft_id: int


@pytest.fixture(scope="module")
def owned(client: TestClient, alice: Any) -> Owned:
    added = client.post(
        "/api/sources/text", json={"title": "Harbour", "text": NOTES}, headers=alice.headers
    )
    assert added.status_code == 200, added.text
    written = client.post(
        "/api/articles",
        json={"topic": f"harbour gate {SECRET} and the quokkaberry jam"},
        headers=alice.headers,
    )
    assert written.status_code == 200, written.text
    assert SECRET in written.text
    return Owned(added.json()["items"][0]["source_id"], written.json()["draft_id"])


@dataclass(frozen=True)
class Probe:
    """One request as Bob: what he must get (a 404, or a 2xx showing nothing of Alice's)."""

    method: str
    path: str  # the route's path; {source_id} and {draft_id} become Alice's, {version} 1
    json: dict[str, Any] | None = None
    params: dict[str, Any] = field(default_factory=dict)
    bob_status: int = 404

    @property
    def route(self) -> tuple[str, str]:
        return self.method, self.path

    def send(self, client: TestClient, owned: Owned, headers: dict[str, str]) -> Any:
        ids = {"source_id": owned.source_id, "draft_id": owned.draft_id}
        body = None if self.json is None else _fill(self.json, ids)
        return client.request(
            self.method,
            self.path.format(version=1, **ids),
            json=body,
            params=self.params,
            headers=headers,
        )


def _fill(body: dict[str, Any], ids: dict[str, int]) -> dict[str, Any]:
    """Replace the placeholders "<draft_id>" and "<source_id>" in a body with Alice's ids."""

    def one(value: Any) -> Any:
        if isinstance(value, str) and value.startswith("<"):
            return ids[value.strip("<>")]
        if isinstance(value, list):
            return [one(v) for v in value]
        return value

    return {key: one(value) for key, value in body.items()}


DRAFT = "/api/drafts/{draft_id}"
PROBES = [
    # research
    Probe("GET", "/api/sources", bob_status=200),
    Probe("DELETE", "/api/sources/{source_id}"),
    Probe("POST", "/api/search", json={"query": "harbour gate code"}, bob_status=200),
    Probe(
        "POST",
        "/api/sources/text",
        json={"title": "Bob", "text": "Bob's own.", "workspace": "scratch"},
        bob_status=200,
    ),
    # drafts
    Probe("GET", "/api/drafts", bob_status=200),
    Probe("GET", DRAFT),
    Probe("DELETE", DRAFT),
    Probe("GET", DRAFT + "/versions"),
    Probe("GET", DRAFT + "/versions/{version}"),
    Probe("GET", DRAFT + "/diff", params={"old": 1}),
    Probe("GET", DRAFT + "/export", params={"format": "md"}),
    Probe("POST", DRAFT + "/article", json={}),
    # pipelines naming a draft or sources
    Probe("POST", "/api/rewrite", json={"channel": "linkedin", "draft_id": "<draft_id>"}),
    Probe("POST", "/api/seo-metadata", json={"draft_id": "<draft_id>"}),
    Probe("POST", "/api/copy", json={"framework": "pas", "draft_id": "<draft_id>"}),
    Probe("POST", "/api/fact-checks", json={"draft_id": "<draft_id>"}),
    Probe("POST", "/api/summaries", json={"source_ids": ["<source_id>"]}),
    Probe("POST", "/api/answers", json={"question": "Gate code?", "source_ids": ["<source_id>"]}),
    # pipelines over the caller's own knowledge base: Bob's default workspace is empty, so they
    # answer from nothing or refuse (422), never from Alice's notes
    Probe(
        "POST", "/api/answers", json={"question": "What is the harbour gate code?"}, bob_status=200
    ),
    Probe("POST", "/api/summaries", json={"query": "harbour gate code"}, bob_status=422),
    Probe("POST", "/api/outlines", json={"topic": "the harbour gate code"}, bob_status=422),
    Probe("POST", "/api/articles", json={"topic": "the harbour gate code"}, bob_status=422),
    Probe("POST", "/api/analyze", json={"markdown": "# Bob\n\nBob's text."}, bob_status=200),
]
UPLOAD = ("POST", "/api/sources")  # multipart: probed by its own test below


def _route_paths() -> set[tuple[str, str]]:
    """Every (method, path) of the probed routers, as the app serves them under /api. (The
    routers themselves, not ``app.routes``: this FastAPI keeps included routers whole
    there, so a walk over it finds no route and would let a new one go unprobed.)"""
    found = set()
    for name in MODULES:
        for route in import_module(name).router.routes:
            if isinstance(route, APIRoute):
                found |= {(method, f"/api{route.path}") for method in route.methods}
    return found


def test_every_route_is_probed() -> None:
    routes = _route_paths()
    assert {p.route for p in PROBES} <= routes  # the walk finds the routes at all
    missing = routes - {p.route for p in PROBES} - {UPLOAD}
    assert not missing, f"routes without an isolation probe: {sorted(missing)}"


@pytest.mark.parametrize("probe", PROBES, ids=lambda p: f"{p.method} {p.path}")
def test_bob_never_reaches_alices_work(
    client: TestClient, alice: Any, bob: Any, owned: Owned, probe: Probe
) -> None:
    if probe.method != "DELETE":  # the probe must work for the owner, or it proves nothing
        as_alice = probe.send(client, owned, alice.headers)
        assert as_alice.status_code < 300, as_alice.text
    as_bob = probe.send(client, owned, bob.headers)
    assert as_bob.status_code == probe.bob_status, as_bob.text
    assert SECRET not in as_bob.text
    if probe.bob_status == 404:
        assert as_bob.json()["detail"]
    # nothing of Alice's was changed or removed
    assert client.get(f"/api/drafts/{owned.draft_id}", headers=alice.headers).status_code == 200
    sources = client.get("/api/sources", headers=alice.headers).json()
    assert owned.source_id in [s["id"] for s in sources]


def test_lists_show_only_the_callers_own(
    client: TestClient, alice: Any, bob: Any, owned: Owned
) -> None:
    assert owned.draft_id in [
        d["id"] for d in client.get("/api/drafts", headers=alice.headers).json()
    ]
    bobs = client.get("/api/drafts", headers=bob.headers).json()
    assert owned.draft_id not in [d["id"] for d in bobs]
    bob_sources = client.get("/api/sources", headers=bob.headers).json()
    assert owned.source_id not in [s["id"] for s in bob_sources]


def test_an_upload_goes_to_the_callers_own_workspace(
    client: TestClient, alice: Any, bob: Any, owned: Owned
) -> None:
    files = [
        (
            "files",
            ("Harbour.md", b"# Bob's boats\n\nBob keeps boats in the marina.", "text/markdown"),
        )
    ]
    form = {"workspace": "boats"}
    uploaded = client.post("/api/sources", files=files, data=form, headers=bob.headers)
    assert uploaded.status_code == 200, uploaded.text
    bobs = uploaded.json()["items"][0]["source_id"]
    assert bobs != owned.source_id
    query = {"query": "boats marina", "workspace": "boats"}
    alices = client.get("/api/sources", params=form, headers=alice.headers).json()
    assert alices == []
    hits = client.post("/api/search", json=query, headers=alice.headers)
    assert hits.json()["hits"] == []
    hits = client.post("/api/search", json=query, headers=bob.headers)
    assert {hit["source_id"] for hit in hits.json()["hits"]} == {bobs}


# -- authentication ---------------------------------------------------------------------------


def _all_routes(app: FastAPI) -> list[tuple[str, str]]:
    """Every (method, path) the app documents under /api."""
    paths = app.openapi()["paths"]
    found = [(m.upper(), p) for p, item in paths.items() if p.startswith("/api/") for m in item]
    assert len(found) >= len(_route_paths())  # the walk finds the routes at all
    return sorted(found)


def test_every_route_needs_a_key(client: TestClient, api_app: FastAPI) -> None:
    for method, path in _all_routes(api_app):
        url = re.sub(r"\{[a-z_]+\}", "1", path)
        answer = client.request(method, url, json={})
        assert answer.status_code == 401, f"{method} {path}: {answer.status_code}"
        assert answer.json()["detail"].startswith("an API key is required")
        assert answer.headers["www-authenticate"] == "Bearer"


def test_a_key_works_as_bearer_and_as_x_api_key(client: TestClient, alice: Any) -> None:
    assert client.get("/api/drafts", headers=alice.headers).status_code == 200
    assert client.get("/api/drafts", headers={"X-API-Key": alice.key}).status_code == 200


def _refused(client: TestClient, key: str) -> None:
    answer = client.get("/api/drafts", headers={"Authorization": f"Bearer {key}"})
    assert answer.status_code == 401
    assert answer.json()["detail"] == "the API key is unknown, revoked or expired"


def test_an_unknown_key_is_refused(client: TestClient, alice: Any) -> None:
    _refused(client, "aiw_not-a-key")
    _refused(client, alice.key + "x")


def test_a_revoked_key_is_refused(
    client: TestClient, api_workbench: Workbench, make_user: Any
) -> None:
    carol = make_user("carol")
    record = api_workbench.db.accounts.list_api_keys("carol")[0]
    assert client.get("/api/drafts", headers=carol.headers).status_code == 200
    api_workbench.db.accounts.revoke_api_key(record.id)
    _refused(client, carol.key)


def test_an_expired_key_is_refused(
    client: TestClient, api_workbench: Workbench, make_user: Any
) -> None:
    make_user("dave")
    past = datetime.now(UTC) - timedelta(minutes=1)
    _, expired = api_workbench.db.accounts.create_api_key("dave", expires_at=past)
    _refused(client, expired)
    future = datetime.now(UTC) + timedelta(days=1)
    _, valid = api_workbench.db.accounts.create_api_key("dave", expires_at=future)
    assert client.get("/api/drafts", headers={"X-API-Key": valid}).status_code == 200


def test_a_disabled_users_keys_are_refused(
    client: TestClient, api_workbench: Workbench, make_user: Any
) -> None:
    erin = make_user("erin")
    assert client.get("/api/drafts", headers=erin.headers).status_code == 200
    api_workbench.db.accounts.set_user_disabled("erin")
    _refused(client, erin.key)
    api_workbench.db.accounts.set_user_disabled("erin", False)
    assert client.get("/api/drafts", headers=erin.headers).status_code == 200
