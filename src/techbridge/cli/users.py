"""CLI commands ``user …``: the accounts that sign in to the API and web pages, their roles and API tokens."""

from __future__ import annotations

from typing import Annotated

import typer

from techbridge.cli.output import console, opened, print_json, print_table
from techbridge.cli.programs import JsonOption
from techbridge.services.accounts.password import (
    PasswordChanged,
    PasswordSetting,
    reset_password,
    set_password,
)
from techbridge.services.accounts.token import (
    TokenRequest,
    TokenRevocation,
    TokenView,
    issue_token,
    list_tokens,
    revoke_token,
)
from techbridge.services.accounts.user import (
    RoleChange,
    UserRequest,
    UserView,
    add_user,
    grant_role,
    grants_of,
    list_users,
    parse_grant,
    revoke_role,
)
from techbridge.services.actor import ROLES

user_app = typer.Typer(help="Manage the users who sign in to the API and web pages.", no_args_is_help=True)
token_app = typer.Typer(
    help="API tokens for scripts: create (shown once), list, revoke.", no_args_is_help=True
)
role_app = typer.Typer(
    help="Grant and revoke a user's roles, in one program or in all.", no_args_is_help=True
)
Username = Annotated[str, typer.Argument(help="The user's sign-in name.")]
RoleText = Annotated[
    str, typer.Argument(help=f"A role, or role:program-key for one program. Roles: {', '.join(ROLES)}.")
]


@user_app.command("create")
def create(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="The name to sign in with.")],
    organization: Annotated[
        str | None, typer.Option(help="Key of the user's organisation (company, institute …).")
    ] = None,
    role: Annotated[
        list[str] | None,
        typer.Option(help=f"A role, or role:program-key; repeatable. Roles: {', '.join(ROLES)}."),
    ] = None,
    password: Annotated[
        str | None,
        typer.Option(
            hidden=True,
            envvar="TECHBRIDGE_NEW_USER_PASSWORD",
            help="Password (asked for, twice and hidden, when not given; at least 8 characters); "
            "the user must change it at their first sign-in.",
        ),
    ] = None,
    no_password: Annotated[
        bool, typer.Option("--no-password", help="No password: a script account that only uses API tokens.")
    ] = False,
    token: Annotated[
        str | None,
        typer.Option(help="Also create an API token with this name and print it once (with --no-password)."),
    ] = None,
) -> None:
    """Create a user who belongs to an organisation and holds roles.

    The password is yours, not theirs: they must change it at their first sign-in, and that change
    revokes every API token they hold, so a token is made with the user only for a script account
    (--no-password); people make their own tokens once signed in.

    Example: techbridge user create kim --organization kr-lms --role company_member
    """
    if password is None and not no_password:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    with opened(ctx) as (core, actor):
        request = UserRequest(
            username, password or None, organization, grants_of(role or []), token_name=token
        )
        created = add_user(core, actor, request)
    console.print(f"Created user {created.user.username}")
    if created.token:
        typer.echo(f"API token (shown once, keep it safe): {created.token}")


@user_app.command("list")
def list_(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List users with their organisation, roles and whether they may sign in.

    Example: techbridge user list --json
    """
    with opened(ctx) as (core, actor):
        rows = [_user_row(user) for user in list_users(core, actor)]
    if as_json:
        print_json(rows)
        return
    table = [row | {"active": "yes" if row["is_active"] else "no"} for row in rows]
    print_table("users", ("id", "username", "organization", "roles", "active"), table)


def _user_row(user: UserView) -> dict[str, object]:
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "organization": user.organization,
        "roles": [role.text for role in user.roles],
        "is_active": user.is_active,
        "created_at": user.created_at,
    }


def _token_row(token: TokenView) -> dict[str, object]:
    return {
        "id": token.id,
        "user": token.user,
        "name": token.name,
        "prefix": token.prefix,
        "created_at": token.created_at,
        "revoked_at": token.revoked_at,
    }


@token_app.command("create")
def token_create(
    ctx: typer.Context,
    username: Username,
    name: Annotated[
        str, typer.Option(help="A name to recognise the token by (e.g. the script using it).")
    ] = "cli",
    as_json: JsonOption = False,
) -> None:
    """Create an API token for a user and print its secret, once: only its hash is stored.

    Scripts send it as ``Authorization: Bearer <token>``.

    Example: techbridge user token create kim --name nightly-export
    """
    with opened(ctx) as (core, actor):
        issued = issue_token(core, actor, TokenRequest(name, username))
    if as_json:
        print_json(_token_row(issued.token) | {"token": issued.secret})
        return
    console.print(f"Created API token {issued.token.id} ({issued.token.name}) for {username}")
    typer.echo(f"API token (shown once, keep it safe): {issued.secret}")


@token_app.command("list")
def token_list(
    ctx: typer.Context,
    username: Annotated[
        str | None, typer.Argument(help="Only this user's tokens (default: everyone's; with --as, your own).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """List API tokens (never their secrets): id, user, name, first characters, when made and revoked.

    Example: techbridge user token list kim
    """
    with opened(ctx) as (core, actor):
        rows = [_token_row(token) for token in list_tokens(core, actor, username)]
    if as_json:
        print_json(rows)
        return
    table = [
        row | {"created": f"{row['created_at']:%Y-%m-%d %H:%M}", "revoked": _when(row["revoked_at"])}
        for row in rows
    ]
    print_table("API tokens", ("id", "user", "name", "prefix", "created", "revoked"), table)


def _when(value: object) -> str:
    return "" if value is None else f"{value:%Y-%m-%d %H:%M}"


@token_app.command("revoke")
def token_revoke(
    ctx: typer.Context,
    username: Username,
    token_id: Annotated[int, typer.Argument(help="The token's id (see `user token list`).", min=1)],
) -> None:
    """Revoke one of a user's API tokens: scripts using it are refused from now on.

    Example: techbridge user token revoke kim 3
    """
    with opened(ctx) as (core, actor):
        revoke_token(core, actor, TokenRevocation(token_id, username))
    console.print(f"Revoked API token {token_id} of {username}")


@role_app.command("grant")
def role_grant(ctx: typer.Context, username: Username, role: RoleText) -> None:
    """Give a user a role, in one program (role:program-key) or in all of them.

    Example: techbridge user role grant lee program_manager:demo-2021
    """
    with opened(ctx) as (core, actor):
        grant_role(core, actor, RoleChange(username, parse_grant(role)))
    console.print(f"Granted {role} to {username}")


@role_app.command("revoke")
def role_revoke(ctx: typer.Context, username: Username, role: RoleText) -> None:
    """Take a role away from a user, as it was granted (role, or role:program-key).

    Example: techbridge user role revoke lee program_manager:demo-2021
    """
    with opened(ctx) as (core, actor):
        revoke_role(core, actor, RoleChange(username, parse_grant(role)))
    console.print(f"Revoked {role} from {username}")


@user_app.command("password")
def password(
    ctx: typer.Context,
    username: Username,
    generate: Annotated[
        bool, typer.Option("--generate", help="Print a one-time password the user must change instead.")
    ] = False,
) -> None:
    """Set a user's password (asked twice, not shown; at least 12 characters, not the user name), or
    with --generate a one-time password they must change at their next sign-in.

    Only the operator (no --as) sets passwords: administrators reset them. The user's sessions end and
    all their API tokens are revoked.

    Example: techbridge user password admin
    """
    chosen = None
    if not generate:
        chosen = typer.prompt("New password", hide_input=True, confirmation_prompt=True)
    with opened(ctx) as (core, actor):
        changed = set_password(core, actor, PasswordSetting(username, chosen))
    _print_password(changed)


@user_app.command("reset-password")
def reset_password_(ctx: typer.Context, username: Username) -> None:
    """Give a user a one-time password (printed once) that they must change at their next sign-in; end
    all their sessions and revoke all their API tokens (administrators).

    Example: techbridge user reset-password kim
    """
    with opened(ctx) as (core, actor):
        changed = reset_password(core, actor, username)
    _print_password(changed)


def _print_password(changed: PasswordChanged) -> None:
    console.print(
        f"Password of {changed.user.username} set: {changed.sessions_ended} sessions ended, "
        f"{changed.tokens_revoked} API tokens revoked"
    )
    if changed.one_time_password:
        typer.echo(
            f"One-time password (shown once; to be changed at the next sign-in): {changed.one_time_password}"
        )


user_app.add_typer(token_app, name="token")
user_app.add_typer(role_app, name="role")


def register(app: typer.Typer) -> None:
    """Add the ``user`` commands to ``app``."""
    app.add_typer(user_app, name="user")
