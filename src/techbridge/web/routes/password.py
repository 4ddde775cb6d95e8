"""The password page: a signed-in user changes their own password (the only page, with signing out,
open to a user who must change a generated or administrator-set password)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse

from techbridge.domain.limits import PASSWORD_MAX, PASSWORD_MIN
from techbridge.errors import ConflictError, InvalidError, PermissionDeniedError
from techbridge.services.accounts import TooManyAttemptsError
from techbridge.services.accounts.password import PasswordChange, change_password
from techbridge.web.pages import (
    PASSWORD_PAGE,
    SESSION_COOKIE,
    AccountCsrfDep,
    AccountVisitorDep,
    CoreDep,
    Visitor,
    WebRoute,
    redirect,
    render,
)

router = APIRouter(route_class=WebRoute, include_in_schema=False)
Password = Annotated[str, Form(max_length=PASSWORD_MAX)]


def _form(
    request: Request,
    visitor: Visitor,
    error: str | None = None,
    problems: list[str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    data = {"error": error, "problems": problems or [], "minimum": PASSWORD_MIN, "maximum": PASSWORD_MAX}
    return render(request, visitor, "password.html", data, status=status)


@router.get(PASSWORD_PAGE)
def password_page(request: Request, visitor: AccountVisitorDep) -> HTMLResponse:
    """Show the password change form."""
    return _form(request, visitor)


@router.post(PASSWORD_PAGE, dependencies=[AccountCsrfDep], response_model=None)
def change(
    request: Request,
    core: CoreDep,
    visitor: AccountVisitorDep,
    current_password: Password,
    new_password: Password,
    repeated_password: Password,
) -> Response:
    """Change the password; the other sessions end, API tokens are revoked, this session goes on."""
    if new_password != repeated_password:
        return _form(request, visitor, "password.mismatch", status=400)
    address = request.client.host if request.client else None
    cookie = request.cookies.get(SESSION_COOKIE)
    try:
        change_password(core, visitor.actor, PasswordChange(current_password, new_password, cookie, address))
    except TooManyAttemptsError:
        return _form(request, visitor, "login.locked", status=429)
    except InvalidError as exc:
        return _form(request, visitor, "password.refused", list(exc.problems), status=400)
    except ConflictError:
        return _form(request, visitor, "password.conflict", status=409)
    except PermissionDeniedError:
        return _form(request, visitor, "password.wrong_current", status=403)
    return redirect("/")
