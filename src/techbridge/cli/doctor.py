"""CLI commands ``doctor …``: checks of the stored data that need an operator's eye."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import typer

from techbridge.cli.output import console, opened, print_json, print_table
from techbridge.cli.programs import JsonOption
from techbridge.domain.text import is_default_ignorable
from techbridge.services.catalogue.normal_form import NameReport, repair_names

doctor_app = typer.Typer(help="Check the stored data for what needs an operator's eye.", no_args_is_help=True)


@doctor_app.command("names")
def names(
    ctx: typer.Context,
    apply: Annotated[
        bool, typer.Option("--apply", help="Normalise every name and key in no collision (one unit of work).")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """List stored names and keys not in normal form (NFKC, no invisible characters) and collisions.

    A collision is two records that would hold the same key, or two organisations of one country
    whose names would normalise alike: a person decides which is which, so they are left as they
    are. Invisible characters are shown as \\uXXXX. After --apply, rebuild the index.

    Example: techbridge doctor names --apply
    """
    with opened(ctx, create=False) as (core, actor):
        report = repair_names(core, actor, apply)
    if as_json:
        print_json(
            {
                "applied": report.applied,
                "changed": report.changed,
                "fixes": [asdict(fix) for fix in report.fixes],
                "collisions": [asdict(collision) for collision in report.collisions],
            }
        )
        return
    _print(report)


def _print(report: NameReport) -> None:
    rows = [
        {
            "entity": fix.entity,
            "key": visible(fix.key),
            "field": fix.field,
            "stored": visible(fix.stored),
            "normal": visible(fix.normal),
            "left": "collision" if fix.collides else "",
        }
        for fix in report.fixes
    ]
    print_table(
        "Names and keys not in normal form", ("entity", "key", "field", "stored", "normal", "left"), rows
    )
    for collision in report.collisions:
        keys = ", ".join(visible(key) for key in collision.keys)
        console.print(
            f"collision: {collision.entity} {collision.field} {visible(collision.normal)!s}: {keys}"
        )
    verb = "normalised" if report.applied else "would be normalised (run with --apply)"
    console.print(
        f"{report.changed} names and keys {verb}; {len(report.collisions)} collisions left for you."
    )
    if report.applied and report.changed:
        console.print("Rebuild the index: techbridge index --rebuild")


def visible(text: str) -> str:
    """Return ``text`` with invisible and control characters written as ``\\uXXXX``."""
    return "".join(f"\\u{ord(c):04x}" if is_default_ignorable(c) or not c.isprintable() else c for c in text)


def register(app: typer.Typer) -> None:
    """Add the ``doctor`` commands to ``app``."""
    app.add_typer(doctor_app, name="doctor")
