"""Batch runs: a topics CSV through a parameterised notebook, on a process pool or Dask."""

from aiwriter_kernel.batch.models import BatchProgress, BatchReport, ReportRow
from aiwriter_kernel.batch.runner import BatchRunner, default_run_name

__all__ = ["BatchProgress", "BatchReport", "BatchRunner", "ReportRow", "default_run_name"]
