"""What a guessed key costs the server, before and after its address is blocked.

Opens a workbench on a fresh home (SQLite, or ``--database-url``), builds the app and sends
invented keys through a TestClient (in this process, no socket): first with the per-address
limit off, so every guess is a key lookup answered 401; then with the limit at 1 after one
failure, so every guess is refused 429 before the lookup, counted in-process and, when
``--redis-url`` answers, in Redis. Prints the median and p99 time per request and the SQL
statements each kind of answer ran.

    .venv/bin/python benchmarks/auth_failures.py [--requests 500] [--database-url URL]
        [--redis-url redis://127.0.0.1:6379/0]
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import tempfile
import time
from pathlib import Path

from aiwriter_apps.api.app import create_app
from aiwriter_apps.api.ratelimit import RedisLimiter
from aiwriter_apps.api.settings import ApiSettings
from fastapi.testclient import TestClient
from sqlalchemy import event

from aiwriter_kernel import Workbench

ROUTE = "/api/batch/runs"


def guesses(client: TestClient, count: int, expected: int) -> list[float]:
    """Seconds per request for ``count`` invented keys, each answered ``expected``."""
    times = []
    for _ in range(count):
        headers = {"Authorization": f"Bearer aiw_{secrets.token_urlsafe(16)}"}
        started = time.perf_counter()
        status = client.get(ROUTE, headers=headers).status_code
        times.append(time.perf_counter() - started)
        assert status == expected, status
    return times


def measure(workbench: Workbench, count: int, failures: int, redis_url: str | None) -> dict:
    settings = ApiSettings(
        auth_failures_per_minute=failures, rate_limit_per_minute=10**6, _env_file=None
    )
    app = create_app(workbench, api_settings=settings)
    statements: list[str] = []

    def record(*arguments: object) -> None:  # (conn, cursor, statement, ...)
        statements.append(str(arguments[2]))

    event.listen(workbench.db.engine, "before_cursor_execute", record)
    prefix = f"aiwriter:bench:{secrets.token_hex(6)}:"
    with TestClient(app, client=("203.0.113.50", 1)) as client:
        if redis_url:
            app.state.auth_failure_limiter = RedisLimiter(redis_url, failures, prefix=prefix)
        if failures:
            guesses(client, failures, 401)  # fill the address's count
        statements.clear()
        times = guesses(client, count, 429 if failures else 401)
        if redis_url:
            app.state.auth_failure_limiter._client.delete(prefix + "203.0.113.50")
            app.state.auth_failure_limiter.close()
    event.remove(workbench.db.engine, "before_cursor_execute", record)
    return {
        "median_ms": statistics.median(times) * 1000,
        "p99_ms": statistics.quantiles(times, n=100)[98] * 1000,
        "statements_per_request": len(statements) / count,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--database-url")
    parser.add_argument("--redis-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        overrides = {"database_url": args.database_url} if args.database_url else {}
        with Workbench.open(home=Path(scratch) / "home", **overrides) as workbench:
            rows = [("lookup, 401 (limit off)", measure(workbench, args.requests, 0, None))]
            rows.append(("blocked, 429 (in-process)", measure(workbench, args.requests, 1, None)))
            if args.redis_url:
                blocked = measure(workbench, args.requests, 1, args.redis_url)
                rows.append(("blocked, 429 (Redis)", blocked))
    print("| answer | median ms | p99 ms | SQL statements per request |")
    print("| --- | --- | --- | --- |")
    for name, row in rows:
        print(
            f"| {name} | {row['median_ms']:.2f} | {row['p99_ms']:.2f} | "
            f"{row['statements_per_request']:.1f} |"
        )


if __name__ == "__main__":
    main()
