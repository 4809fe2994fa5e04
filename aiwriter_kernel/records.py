"""The record types front ends may name: what the Workbench returns about stored things.

Records are defined next to the repositories that make them (``store/records.py``), but
``store`` is the data layer, which no front end may import (``tests/test_front_ends.py``
checks it). This module is their public name, so the CLI, the API, the app, the widgets
and notebooks type their code against the facade's answers without reaching into the store.
"""

from aiwriter_kernel.store.records import (
    JOB_TERMINAL,
    ApiKeyRecord,
    BatchRowRecord,
    BatchRunRecord,
    DraftRecord,
    DraftVersionRecord,
    JobEventRecord,
    JobRecord,
    JobStatus,
    PersonaRecord,
    RowStatus,
    RunStatus,
    SourceRecord,
    UsageRow,
    UserRecord,
    WorkspaceRecord,
)

__all__ = [
    "JOB_TERMINAL",
    "ApiKeyRecord",
    "BatchRowRecord",
    "BatchRunRecord",
    "DraftRecord",
    "DraftVersionRecord",
    "JobEventRecord",
    "JobRecord",
    "JobStatus",
    "PersonaRecord",
    "RowStatus",
    "RunStatus",
    "SourceRecord",
    "UsageRow",
    "UserRecord",
    "WorkspaceRecord",
]
