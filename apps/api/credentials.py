"""The key a request presents (``Authorization: Bearer`` or ``X-API-Key``), read and nothing
more: no lookup, no counting. Kept apart so the limiters that run before the lookup (per
key, per client address) and the lookup itself all start from the same reading."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, status
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

bearer = HTTPBearer(auto_error=False, description="An API key from `aiwriter keys create USER`.")
api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False)


def api_key(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    header_key: Annotated[str | None, Depends(api_key_header)],
) -> str:
    """The presented key; 401 when there is none."""
    key = credentials.credentials if credentials is not None else header_key
    if not key:
        raise unauthorized("an API key is required (Authorization: Bearer <key>)")
    return key


def unauthorized(message: str) -> HTTPException:
    """A 401 that tells the client how to present a key."""
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail=message, headers={"WWW-Authenticate": "Bearer"}
    )
