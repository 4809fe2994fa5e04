"""Liveness and readiness probes: no key needed, so load balancers and orchestrators can ask.

``/health`` says the process answers; ``/ready`` says it can serve, i.e. the database answers
with the schema this code expects and the vector store opens with a vector for every stored
chunk. They reveal nothing about users or content, nor where the server keeps its files.
"""

from __future__ import annotations

from typing import Annotated

from aiwriter_apps.api.auth import home_workbench
from aiwriter_apps.api.schemas import ErrorDetail, HealthStatus, ReadyStatus
from fastapi import APIRouter, Depends, status
from fastapi.responses import JSONResponse

from aiwriter_kernel.errors import StoreError
from aiwriter_kernel.workbench import Workbench

router = APIRouter(tags=["health"])


@router.get(
    "/health",
    response_model=HealthStatus,
    summary="Liveness",
    description="Answers while the process runs; checks nothing else.",
)
def health() -> HealthStatus:
    return HealthStatus()


@router.get(
    "/ready",
    response_model=ReadyStatus,
    summary="Readiness",
    description=(
        "Ready when the database answers with a current schema and the vector store opens "
        "with a vector for every stored chunk; 503 otherwise."
    ),
    responses={503: {"model": ErrorDetail, "description": "Not ready, and why."}},
)
def ready(workbench: Annotated[Workbench, Depends(home_workbench)]) -> ReadyStatus | JSONResponse:
    try:
        workbench.check_ready()
    except StoreError as error:
        return JSONResponse(
            {"detail": f"not ready: {error}"}, status_code=status.HTTP_503_SERVICE_UNAVAILABLE
        )
    return ReadyStatus()
