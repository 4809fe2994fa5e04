"""Run a topics CSV through the article notebook, row by row, resumably.

A run is named after the CSV's stem and content hash, so running the same file again
resumes the same run: rows done before are reported skipped, rows a killed run left
"running" go back to pending, and rows whose drafts already exist are finished, not
written twice (see ``resume``). Rows execute on a local process pool or a Dask cluster;
at most ``capacity`` rows are in flight, so exactly those are marked "running".
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiwriter_kernel.batch.executors import RowExecutor, check_options, make_executor
from aiwriter_kernel.batch.inputs import TopicsFile, read_topics
from aiwriter_kernel.batch.layout import file_stem, row_files, run_dir
from aiwriter_kernel.batch.models import BatchProgress, BatchReport, RowOutcome, RowTask
from aiwriter_kernel.batch.notebook_runner import one_line_error
from aiwriter_kernel.batch.report import EARLIER_RUN_NOTE, build_report
from aiwriter_kernel.batch.resume import ResumePlan, RowPlan, plan_resume
from aiwriter_kernel.batch.summary import write_summary
from aiwriter_kernel.errors import ValidationError
from aiwriter_kernel.store.records import BatchRunRecord, NewBatchRow
from aiwriter_kernel.store.tables import BatchRun
from aiwriter_kernel.worker_env import worker_env

if TYPE_CHECKING:
    from aiwriter_kernel.batch.scope import BatchScope

DEFAULT_TEMPLATE = Path(__file__).resolve().parents[2] / "notebooks" / "templates" / "article.ipynb"
ADOPTED_NOTE = "finished by an interrupted run; its result was adopted"
OnProgress = Callable[[BatchProgress], None]
TEMPLATE_COLUMN_LENGTH = BatchRun.template.property.columns[0].type.length


def default_run_name(topics: TopicsFile) -> str:
    """``<csv stem>-<content hash>``: the same file always names the same run."""
    return f"{file_stem(Path(topics.path).stem)}-{topics.digest[:10]}"


class BatchRunner:
    """Runs batches for one owner of a home; see the module docstring."""

    def __init__(self, scope: BatchScope) -> None:
        self.scope = scope

    def run(
        self,
        csv_path: str | Path,
        *,
        name: str | None = None,
        template: str | Path | None = None,
        workers: int = 1,
        executor: str = "local",
        scheduler: str | None = None,
        on_progress: OnProgress | None = None,
        limit: int | None = None,
    ) -> BatchReport:
        """Register the file's rows, execute what is left (at most ``limit`` rows), report.

        ``limit=0`` registers the rows without executing any; a later run resumes them.
        """
        topics = read_topics(csv_path, max_rows=self.scope.settings.max_batch_rows)
        template_path = _template(template)
        check_options(executor, workers=workers, scheduler=scheduler)
        run = self._registered_run(topics, name or default_run_name(topics), template_path)
        directory = run_dir(self.scope.settings.home, run.name, run.workspace_id)
        directory.mkdir(parents=True, exist_ok=True)
        rows = self.scope.batches.list_rows(run.id)
        earlier = {row.row_key for row in rows if row.status == "done"}
        input_errors = {row.row_key for row in topics.rows if row.error}
        plan = plan_resume(self.scope, rows, directory, input_errors)
        progress = _Progress(on_progress, len(rows))
        notes = self._adopt(plan, progress)
        for row in rows:
            if row.row_key in earlier or row.row_key in input_errors:
                if row.row_key in earlier:
                    progress.report(row.row_key, row.topic, "skipped", note=EARLIER_RUN_NOTE)
                else:
                    progress.report(row.row_key, row.topic, "failed", error=row.error)
        to_run = plan.to_run if limit is None else plan.to_run[: max(0, limit)]
        if to_run:
            context = _RunContext(
                run, directory, template_path, self._kernel_env(), self.scope.owner_id
            )
            self._execute(context, to_run, workers, executor, scheduler, progress)
        return self._finish(run.id, earlier, notes)

    # -- registering ----------------------------------------------------------------------

    def _registered_run(self, topics: TopicsFile, name: str, template: Path) -> BatchRunRecord:
        repo = self.scope.batches
        workspace_id = self.scope.run_workspace_id()
        run = repo.find_run_by_name(name, workspace_id)
        if run is None:
            run = repo.create_run(
                name,
                input_path=str(Path(topics.path).resolve()),
                template=str(template),
                params={"digest": topics.digest},
                workspace_id=workspace_id,
            )
        elif run.status != "running":
            run = repo.reopen_run(run.id)  # a resume: the run is running again until it ends
        known = {row.row_key for row in repo.list_rows(run.id)}
        new = [row for row in topics.rows if row.row_key not in known]
        added = repo.add_rows(
            run.id, [NewBatchRow(row_key=r.row_key, topic=r.topic, params=r.params) for r in new]
        )
        errors = {row.row_key: row.error for row in new if row.error}
        for record in added:
            if record.row_key in errors:
                repo.set_row_status(record.id, "failed", error=errors[record.row_key])
        return run

    def _adopt(self, plan: ResumePlan, progress: _Progress) -> dict[str, str]:
        repo = self.scope.batches
        for item in plan.adopted:
            repo.set_row_status(item.row.id, "running")
            repo.set_row_status(
                item.row.id, "done", draft_id=item.draft_id, output_path=item.output_path
            )
            progress.report(item.row.row_key, item.row.topic, "done", note=ADOPTED_NOTE)
        return {item.row.row_key: ADOPTED_NOTE for item in plan.adopted}

    # -- executing ------------------------------------------------------------------------

    def _execute(
        self,
        context: _RunContext,
        plans: list[RowPlan],
        workers: int,
        kind: str,
        scheduler: str | None,
        progress: _Progress,
    ) -> None:
        home = str(self.scope.settings.home)

        def new_executor() -> RowExecutor:
            return make_executor(
                kind, workers=workers, scheduler=scheduler, env=context.env, cwd=home
            )

        executor, generation = new_executor(), 0
        waiting = deque(plans)
        in_flight: dict[Any, tuple[RowPlan, int]] = {}
        try:
            while waiting or in_flight:
                while waiting and len(in_flight) < executor.capacity:
                    plan = waiting.popleft()
                    self.scope.batches.set_row_status(plan.row.id, "running")
                    in_flight[executor.submit(context.task(plan, home))] = (plan, generation)
                broken = False
                for future in executor.wait_any(in_flight):
                    plan, submitted_to = in_flight.pop(future)
                    outcome = _outcome(future, plan, context)
                    self._record(plan, outcome, progress)
                    broken |= submitted_to == generation and _pool_died(outcome)
                if broken:  # a pool whose worker died takes no more work: start a new one
                    executor.close()
                    executor, generation = new_executor(), generation + 1
        finally:
            executor.close()

    def _record(self, plan: RowPlan, outcome: RowOutcome, progress: _Progress) -> None:
        repo = self.scope.batches
        if outcome.status == "done" and outcome.draft_id is not None:
            repo.set_row_status(
                plan.row.id, "done", draft_id=outcome.draft_id, output_path=outcome.notebook_path
            )
        else:
            error = outcome.error or "the row produced no draft"
            output = outcome.notebook_path if Path(outcome.notebook_path).exists() else None
            repo.set_row_status(plan.row.id, "failed", error=error, output_path=output)
        progress.report(
            plan.row.row_key,
            plan.row.topic,
            outcome.status,
            error=outcome.error,
            draft_id=outcome.draft_id,
            output_path=outcome.notebook_path,
        )

    def _finish(self, run_id: int, earlier: set[str], notes: dict[str, str]) -> BatchReport:
        report = build_report(self.scope, run_id, skipped=earlier, notes=notes)
        if not (report.totals["pending"] or report.totals["running"]):
            self.scope.batches.finish_run(run_id, "failed" if report.totals["failed"] else "done")
        write_summary(report)
        return build_report(self.scope, run_id, skipped=earlier, notes=notes)

    def _kernel_env(self) -> dict[str, str]:
        """What the kernels need to open this workbench as it is (home, database, model
        choice); never a key: kernels read keys from the user's own environment."""
        return worker_env(self.scope.settings)


class _RunContext:
    """What every row of this run shares, and how one row becomes a ``RowTask``."""

    def __init__(
        self,
        run: BatchRunRecord,
        directory: Path,
        template: Path,
        env: dict[str, str],
        owner_id: int | None = None,
    ):
        self.run, self.directory, self.template, self.env = run, directory, template, env
        self.owner_id = owner_id

    def task(self, plan: RowPlan, home: str) -> dict[str, Any]:
        files = row_files(self.directory, plan.row.row_key)
        return RowTask(
            run_name=self.run.name,
            row_key=plan.row.row_key,
            topic=plan.row.topic,
            params=plan.row.params,
            home=home,
            template=str(self.template),
            **files.task_paths(),
            draft_id=plan.draft_id,
            owner_id=self.owner_id,
            env=self.env,
        ).model_dump(mode="json")


class _Progress:
    """Counts finished rows and tells ``on_progress`` about each."""

    def __init__(self, callback: OnProgress | None, total: int) -> None:
        self.callback, self.total, self.finished = callback, total, 0

    def report(self, row_key: str, topic: str, status: str, **fields: Any) -> None:
        from aiwriter_kernel.batch.models import ReportRow

        self.finished += 1
        if self.callback is not None:
            row = ReportRow(row_key=row_key, topic=topic, status=status, **fields)
            self.callback(BatchProgress(row=row, finished=self.finished, total=self.total))


def _outcome(future: Any, plan: RowPlan, context: _RunContext) -> RowOutcome:
    """The worker's outcome, or a failed one when the worker itself broke."""
    files = row_files(context.directory, plan.row.row_key)
    try:
        return RowOutcome.model_validate(future.result())
    except BrokenProcessPool as error:
        message = one_line_error("BrokenProcessPool", str(error) or "a worker process died")
    except Exception as error:
        message = one_line_error(type(error).__name__, str(error))
    return RowOutcome(
        row_key=plan.row.row_key,
        status="failed",
        error=message,
        notebook_path=str(files.notebook),
        seconds=0.0,
    )


def _pool_died(outcome: RowOutcome) -> bool:
    return bool(outcome.error and outcome.error.startswith("BrokenProcessPool"))


def _template(template: str | Path | None) -> Path:
    path = Path(template).resolve() if template is not None else DEFAULT_TEMPLATE
    if not path.is_file():
        raise ValidationError(f"notebook template {path} does not exist")
    if len(str(path)) > TEMPLATE_COLUMN_LENGTH:
        raise ValidationError(
            f"the template path is longer than {TEMPLATE_COLUMN_LENGTH} characters: move it"
        )
    return path
