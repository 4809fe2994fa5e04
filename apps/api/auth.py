"""Who is calling: an API key (``Authorization: Bearer`` or ``X-API-Key``) names a user, and
every route works through a Workbench scoped to that user."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from aiwriter_kernel.store.records import UserRecord
from aiwriter_kernel.workbench import Workbench

bearer = HTTPBearer(auto_error=False, description="An API key from `aiwriter keys create USER`.")
api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False)


def home_workbench(request: Request) -> Workbench:
    """The app's one open Workbench (shared connections); never handed to a route as is."""
    return request.app.state.workbench


def api_key(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    header_key: Annotated[str | None, Depends(api_key_header)],
) -> str:
    """The presented key; 401 when there is none."""
    key = credentials.credentials if credentials is not None else header_key
    if not key:
        raise _unauthorized("an API key is required (Authorization: Bearer <key>)")
    return key


def current_user(
    request: Request,
    key: Annotated[str, Depends(api_key)],
    workbench: Annotated[Workbench, Depends(home_workbench)],
) -> UserRecord:
    """The key's user; unknown, revoked and expired keys and disabled users all get 401."""
    user = workbench.authenticate(key)
    if user is None:
        raise _unauthorized("the API key is unknown, revoked or expired")
    request.state.user = user
    return user


def user_workbench(
    user: Annotated[UserRecord, Depends(current_user)],
    workbench: Annotated[Workbench, Depends(home_workbench)],
) -> Workbench:
    """The Workbench as this user sees it: only their workspaces, drafts, sources and jobs."""
    return workbench.for_user(user.id)


CurrentUser = Annotated[UserRecord, Depends(current_user)]
UserWorkbench = Annotated[Workbench, Depends(user_workbench)]


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail=message, headers={"WWW-Authenticate": "Bearer"}
    )
