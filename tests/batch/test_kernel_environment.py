"""What a batch hands its kernels: enough to open the same workbench, and never a key."""

from __future__ import annotations

from pathlib import Path

from aiwriter_kernel import Workbench
from aiwriter_kernel.batch.runner import BatchRunner
from aiwriter_kernel.batch.scope import BatchScope


def test_kernels_get_the_home_and_model_choice_but_no_key(tmp_path: Path) -> None:
    with Workbench.open(
        home=tmp_path,
        provider="openai",
        model="gpt-test",
        openai_api_key="sk-secret-value",
        openai_base_url="http://127.0.0.1:9/v1",
    ) as workbench:
        env = BatchRunner(BatchScope.of(workbench))._kernel_env()
    assert env["AIWRITER_HOME"] == str(tmp_path)
    assert env["AIWRITER_PROVIDER"] == "openai"
    assert env["AIWRITER_MODEL"] == "gpt-test"
    assert env["AIWRITER_OPENAI_BASE_URL"] == "http://127.0.0.1:9/v1"
    assert not any("sk-secret-value" in value for value in env.values())
    assert not any("KEY" in name for name in env)
