"""Jobs and their events: a queue kept in the database, so it outlives any process.

Every change of state is a conditional ``UPDATE`` whose row count says who won: a job is
claimed by exactly one dispatcher (``status = 'queued'``), and only the holder of its
``worker`` token may heartbeat, report or finish it. A worker whose job was cancelled or
handed to someone else learns so from a ``False`` answer and stops. Queued jobs are
handed out round robin by owner (``queued_ids``), so no user's jobs starve another's.
"""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from aiwriter_kernel.store.records import JOB_TERMINAL, JobEventRecord, JobRecord
from aiwriter_kernel.store.session import Repository
from aiwriter_kernel.store.tables import Job, JobEvent, utcnow

SEQ_RETRIES = 5


class JobsRepository(Repository):
    """Create, claim, heartbeat, finish, cancel and requeue jobs; append and read events."""

    # -- creating and reading ---------------------------------------------------------------

    def create(self, kind: str, request: dict[str, Any], owner_id: int | None) -> JobRecord:
        """A new queued job (its first event says so)."""
        with self._session() as session:
            job = Job(
                id=str(uuid.uuid4()),
                owner_id=owner_id,
                kind=kind,
                status="queued",
                request=dict(request),
                attempts=0,
            )
            session.add(job)
            session.flush()
            _append(session, job.id, "status", {"status": "queued"})
            return JobRecord.model_validate(job)

    def get(self, job_id: str) -> JobRecord | None:
        with self._session() as session:
            found = session.get(Job, job_id)
            return None if found is None else JobRecord.model_validate(found)

    def list(self, owner_id: int | None, status: str | None = None) -> builtins.list[JobRecord]:
        """The jobs of ``owner_id`` (None: the operator's own, unowned jobs), newest first."""
        owner = Job.owner_id.is_(None) if owner_id is None else Job.owner_id == owner_id
        query = select(Job).where(owner).order_by(Job.created_at.desc(), Job.id)
        if status is not None:
            query = query.where(Job.status == status)
        with self._session() as session:
            return [JobRecord.model_validate(job) for job in session.scalars(query)]

    def queued_ids(self, limit: int) -> builtins.list[str]:
        """Up to ``limit`` queued jobs in the order a dispatcher should claim them.

        Round robin by owner, so one user's many jobs (or one big batch) never hold back
        another user's single job: an owner's n-th oldest queued job has turn n, counted
        after the jobs that owner already has running; at equal turns the owner served
        longest ago (or never) goes first, then the oldest job. The operator's unowned
        jobs count as one owner. Window functions and ``NULLS FIRST`` are portable to
        SQLite (3.30+) and PostgreSQL.
        """
        served = (
            select(
                Job.owner_id,
                func.sum(case((Job.status == "running", 1), else_=0)).label("running"),
                func.max(Job.started_at).label("last_started"),
            )
            .where(Job.started_at.is_not(None))
            .group_by(Job.owner_id)
            .subquery()
        )
        turn = func.row_number().over(partition_by=Job.owner_id, order_by=(Job.created_at, Job.id))
        queued = (
            select(Job.id, Job.owner_id, Job.created_at, turn.label("turn"))
            .where(Job.status == "queued")
            .subquery()
        )
        same_owner = queued.c.owner_id.is_not_distinct_from(served.c.owner_id)
        query = (
            select(queued.c.id)
            .select_from(queued.outerjoin(served, same_owner))
            .order_by(
                queued.c.turn + func.coalesce(served.c.running, 0),
                served.c.last_started.asc().nulls_first(),
                queued.c.created_at,
                queued.c.id,
            )
            .limit(limit)
        )
        with self._session() as session:
            return builtins.list(session.scalars(query))

    # -- the worker's side ----------------------------------------------------------------

    def claim(self, job_id: str, worker: str) -> JobRecord | None:
        """Take a queued job for ``worker``; None when another claimer was first."""
        now = utcnow()
        with self._session() as session:
            won = _update(
                session,
                (Job.id == job_id, Job.status == "queued"),
                status="running",
                worker=worker,
                attempts=Job.attempts + 1,
                started_at=now,
                heartbeat_at=now,
            )
            if not won:
                return None
            job = session.get(Job, job_id)
            assert job is not None
            data = {"status": "running", "attempt": job.attempts}
            _append(session, job_id, "status", data)
            return JobRecord.model_validate(job)

    def heartbeat(self, job_id: str, worker: str) -> bool:
        """Say ``worker`` still runs the job; False when it is no longer theirs."""
        with self._session() as session:
            return _update(session, _held(job_id, worker), heartbeat_at=utcnow())

    def add_event(
        self, job_id: str, type_: str, data: dict[str, Any], *, worker: str | None = None
    ) -> JobEventRecord | None:
        """Append an event; with ``worker``, only while that worker holds the running job."""
        for _ in range(SEQ_RETRIES):
            try:
                with self._session() as session:
                    if worker is not None and not _update(
                        session, _held(job_id, worker), heartbeat_at=utcnow()
                    ):
                        return None
                    return _append(session, job_id, type_, data)
            except IntegrityError:
                continue  # another writer took this seq number: take the next one
        raise RuntimeError(f"could not number an event of job {job_id}")

    def events(self, job_id: str, after: int = 0) -> builtins.list[JobEventRecord]:
        """The job's events with ``seq`` above ``after``, in order."""
        query = (
            select(JobEvent)
            .where(JobEvent.job_id == job_id, JobEvent.seq > after)
            .order_by(JobEvent.seq)
        )
        with self._session() as session:
            return [JobEventRecord.model_validate(event) for event in session.scalars(query)]

    def finish(
        self,
        job_id: str,
        worker: str,
        status: str,
        *,
        result: dict[str, Any] | None = None,
        error: str | None = None,
    ) -> bool:
        """End the running job ``worker`` holds; False (nothing changed) if it is not theirs."""
        assert status in JOB_TERMINAL
        with self._session() as session:
            won = _update(
                session,
                _held(job_id, worker),
                status=status,
                result=result,
                error=error,
                finished_at=utcnow(),
            )
            if won:
                _append(session, job_id, "status", _status_data(status, error))
            return won

    def requeue(self, job_id: str, worker: str, *, note: str, give_back: bool = False) -> bool:
        """Put the job ``worker`` holds back in the queue (``give_back``: this attempt
        does not count, as when the server stops on purpose)."""
        with self._session() as session:
            attempts = Job.attempts - 1 if give_back else Job.attempts
            won = _update(
                session,
                _held(job_id, worker),
                status="queued",
                worker=None,
                heartbeat_at=None,
                attempts=attempts,
            )
            if won:
                _append(session, job_id, "status", {"status": "queued", "note": note})
            return won

    # -- the dispatcher's and the owner's side ----------------------------------------------

    def cancel(self, job_id: str) -> JobRecord | None:
        """Cancel a queued or running job (a running one stops at its next event); a
        finished job is returned unchanged. None when there is no such job."""
        with self._session() as session:
            won = _update(
                session,
                (Job.id == job_id, Job.status.in_(("queued", "running"))),
                status="cancelled",
                finished_at=utcnow(),
            )
            if won:
                _append(session, job_id, "status", {"status": "cancelled"})
            job = session.get(Job, job_id)
            return None if job is None else JobRecord.model_validate(job)

    def requeue_stale(
        self, stale_before: datetime, max_attempts: int, keep: Collection[str] = ()
    ) -> builtins.list[JobRecord]:
        """Running jobs whose worker stopped heartbeating before ``stale_before`` (a crash,
        a killed server) go back to the queue, or fail after ``max_attempts`` attempts.
        Jobs in ``keep`` (the caller's own, alive however late its heartbeat) are left."""
        query = select(Job).where(Job.status == "running", Job.heartbeat_at < stale_before)
        if keep:
            query = query.where(Job.id.not_in(list(keep)))
        with self._session() as session:
            stale = builtins.list(session.scalars(query))
        changed = []
        for job in stale:
            assert job.worker is not None
            if job.attempts >= max_attempts:
                error = (
                    f"the job was interrupted {job.attempts} times (its worker stopped); giving up"
                )
                done = self.finish(job.id, job.worker, "failed", error=error)
            else:
                done = self.requeue(job.id, job.worker, note="its worker stopped; retrying")
            if done:
                changed.append(job.id)
        return [record for record in map(self.get, changed) if record is not None]


def _held(job_id: str, worker: str) -> tuple[Any, ...]:
    return (Job.id == job_id, Job.worker == worker, Job.status == "running")


def _update(session: Session, where: tuple[Any, ...], **values: Any) -> bool:
    """One conditional UPDATE; True when it changed the row (the caller won)."""
    statement = update(Job).where(*where).values(**values)
    result = session.execute(statement.execution_options(synchronize_session=False))
    return result.rowcount == 1  # type: ignore[attr-defined]


def _append(session: Session, job_id: str, type_: str, data: dict[str, Any]) -> JobEventRecord:
    last = session.scalar(select(func.max(JobEvent.seq)).where(JobEvent.job_id == job_id))
    event = JobEvent(job_id=job_id, seq=(last or 0) + 1, type=type_, data=dict(data))
    session.add(event)
    session.flush()
    return JobEventRecord.model_validate(event)


def _status_data(status: str, error: str | None) -> dict[str, Any]:
    return {"status": status} if error is None else {"status": status, "error": error}
