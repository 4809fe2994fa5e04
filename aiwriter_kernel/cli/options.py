"""Options several commands share, declared once so their flags and help read the same."""

from __future__ import annotations

from typing import Annotated

import typer

PersonaOption = Annotated[str | None, typer.Option("--persona", help="Persona (voice).")]
ProviderOption = Annotated[str | None, typer.Option("--provider", "-p", help="Provider.")]
ModelOption = Annotated[str | None, typer.Option("--model", "-m", help="Model.")]
WorkspaceOption = Annotated[str, typer.Option("--workspace", "-w", help="Workspace.")]
WorkspaceNameOption = Annotated[str, typer.Option("--workspace", "-w", help="Workspace name.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]
