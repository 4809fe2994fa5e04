"""Who is calling: an API key (read by ``credentials``) names a user, and every route works
through a Workbench scoped to that user."""

from __future__ import annotations

from typing import Annotated

from aiwriter_apps.api.auth_failures import admit_address, count_failure
from aiwriter_apps.api.credentials import api_key, unauthorized
from fastapi import Depends, Request

from aiwriter_kernel.records import UserRecord
from aiwriter_kernel.workbench import Workbench


def home_workbench(request: Request) -> Workbench:
    """The app's one open Workbench (shared connections); never handed to a route as is."""
    return request.app.state.workbench


def current_user(
    request: Request,
    _admitted: Annotated[None, Depends(admit_address)],
    key: Annotated[str, Depends(api_key)],
    workbench: Annotated[Workbench, Depends(home_workbench)],
) -> UserRecord:
    """The key's user; unknown, revoked and expired keys and disabled users all get 401,
    and count as a failure against the client's address. The address is admitted first
    (``admit_address``), so an address that keeps failing costs no lookup at all."""
    user = workbench.authenticate(key)
    if user is None:
        count_failure(request)
        raise unauthorized("the API key is unknown, revoked or expired")
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
