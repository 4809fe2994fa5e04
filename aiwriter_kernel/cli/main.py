"""The root of the ``aiwriter`` command: sub-commands and one-line error reporting."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer
from rich.markup import escape

from aiwriter_kernel.cli import (
    accounts_cmd,
    ask_cmd,
    batch_cmd,
    calendar_cmd,
    config_cmd,
    copy_cmd,
    db_cmd,
    doctor_cmd,
    factcheck_cmd,
    kb_cmd,
    models_cmd,
    persona_cmd,
    prompt_cmd,
    rewrite_cmd,
    seo_cmd,
    serve_cmd,
    summary_cmd,
    usage_cmd,
    web_cmd,
    write_cmd,
)
from aiwriter_kernel.cli.error_message import error_line
from aiwriter_kernel.cli.gc_tuning import command_gc
from aiwriter_kernel.cli.output import stderr


class _State:
    debug = False


class AIWriterApp(typer.Typer):
    """A Typer app that turns errors into one readable line unless ``--debug`` is given."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            with command_gc():
                return super().__call__(*args, **kwargs)
        except Exception as error:
            if _State.debug:
                raise
            message = escape(error_line(error, typer.main.get_command(self), sys.argv[1:]))
            stderr.print(f"[red]error:[/red] {message}", highlight=False, markup=True)
            sys.exit(1)


app = AIWriterApp(
    name="aiwriter",
    help="AI-Writer workbench: research, cited drafts, rewrites, readability and SEO.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},  # sub-commands inherit it
)


def _print_version(value: bool) -> None:
    """``aiwriter --version``: the installed version, before any sub-command is parsed."""
    if value:
        from aiwriter_kernel import __version__

        print(f"aiwriter {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    debug: Annotated[bool, typer.Option("--debug", help="Show full tracebacks.")] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_print_version,
            is_eager=True,
            help="Show the version and exit.",
        ),
    ] = False,
) -> None:
    """AI-Writer workbench command line."""
    _State.debug = debug


app.add_typer(config_cmd.app, name="config")
app.add_typer(db_cmd.app, name="db")
app.command("doctor")(doctor_cmd.doctor)
app.command("prompt")(prompt_cmd.prompt)
app.command("models")(models_cmd.models)
app.command("usage")(usage_cmd.usage)
app.command("ingest")(kb_cmd.ingest)
app.command("search")(kb_cmd.search)
app.command("web")(web_cmd.web)
app.add_typer(kb_cmd.app, name="kb")
app.command("write")(write_cmd.write)
app.command("fact-check")(factcheck_cmd.fact_check)
app.command("calendar")(calendar_cmd.calendar)
app.command("seo-meta")(seo_cmd.seo_meta)
app.command("summarize")(summary_cmd.summarize)
app.command("ask")(ask_cmd.ask)
app.command("copy")(copy_cmd.copy)
app.command("rewrite")(rewrite_cmd.rewrite)
app.command("batch")(batch_cmd.batch)
app.add_typer(persona_cmd.app, name="persona")
app.add_typer(accounts_cmd.users_app, name="users")
app.add_typer(accounts_cmd.keys_app, name="keys")
app.command("serve")(serve_cmd.serve)
