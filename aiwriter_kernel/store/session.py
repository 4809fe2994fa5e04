"""The one place where a unit of work is committed or rolled back.

Repositories never hand sessions or ORM objects to callers: each method runs in its own
short transaction and returns frozen records, so no caller can hold a database lock
by accident or touch a detached object.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

from sqlalchemy.orm import Session, sessionmaker


@contextmanager
def session_scope(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """A session in a transaction: committed if the block succeeds, rolled back if it raises."""
    session = sessions()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


class Repository:
    """Base of the repositories: holds the sessionmaker and opens transactions."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def _session(self) -> AbstractContextManager[Session]:
        return session_scope(self._sessions)
