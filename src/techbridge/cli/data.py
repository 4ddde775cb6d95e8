"""CLI commands over the stored data: ``init``, ``list``, ``show``, ``export``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from techbridge.cli.output import console, opened, print_json, print_table, settings_of
from techbridge.services.accounts.user import ensure_admin
from techbridge.services.catalogue.browsing import ExportRequest, export_stored, list_stored, show_stored
from techbridge.services.catalogue.entity import ENTITIES, entity_spec

_ENTITY_HELP = "Entity: " + ", ".join(ENTITIES) + "."


def init(ctx: typer.Context) -> None:
    """Create or upgrade the database's tables, and make the administrator ``admin`` if there is no user.

    The administrator's password is TECHBRIDGE_ADMIN_PASSWORD when set; otherwise a one-time password
    is printed once, which must be changed at the first sign-in.

    Example: techbridge --db sqlite:///techbridge.db init
    """
    settings = settings_of(ctx)
    with opened(ctx) as (core, _actor):
        password = ensure_admin(core)
    console.print(f"Database ready: {settings.database_url}")
    if password:
        console.print(
            f"Administrator created: sign in as admin with the one-time password {password} "
            "(you will be asked to choose your own)"
        )


def list_(
    ctx: typer.Context,
    entity: Annotated[str, typer.Argument(help=_ENTITY_HELP)],
    limit: Annotated[int, typer.Option(help="Show at most this many records.")] = 50,
    offset: Annotated[int, typer.Option(help="Skip this many records first.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """List stored records of one entity, oldest first (with --as: those that user may see).

    Example: techbridge list organization --limit 20 --json
    """
    with opened(ctx) as (core, actor):
        spec = entity_spec(entity)
        page = list_stored(core, actor, spec.name, limit, offset)
    if as_json:
        print_json({"entity": spec.name, "total": page.total, "offset": offset, "items": page.items})
        return
    print_table(f"{spec.plural} ({len(page.items)} of {page.total})", spec.list_columns, page.items)


def show(
    ctx: typer.Context,
    entity: Annotated[str, typer.Argument(help=_ENTITY_HELP)],
    ident: Annotated[str, typer.Argument(metavar="ID", help="The record's id or key.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Show one record with all its fields and related records.

    Example: techbridge show organization org:엘엠에스:KR --json
    """
    with opened(ctx) as (core, actor):
        spec = entity_spec(entity)
        row = show_stored(core, actor, spec.name, ident)
    if as_json:
        print_json(row)
        return
    print_table(
        f"{spec.name} {ident}", ("field", "value"), [{"field": k, "value": v} for k, v in row.items()]
    )


def export(
    ctx: typer.Context,
    entity: Annotated[str, typer.Argument(help=_ENTITY_HELP)],
    out: Annotated[Path, typer.Option("--out", "-o", help="File to write (.csv, .xlsx or .jsonl).")],
    fmt: Annotated[
        str | None, typer.Option("--format", help="csv, xlsx or jsonl (default: from --out).")
    ] = None,
) -> None:
    """Export every record of one entity to CSV, XLSX or JSON Lines (with --as: those that user may see).

    Example: techbridge export technology --out technologies.xlsx
    """
    with opened(ctx) as (core, actor):
        written = export_stored(core, actor, ExportRequest(entity, out, fmt))
    console.print(f"Wrote {written} {entity} records to {out}")


def register(app: typer.Typer) -> None:
    """Add the data commands to ``app``."""
    app.command()(init)
    app.command("list")(list_)
    app.command()(show)
    app.command()(export)
