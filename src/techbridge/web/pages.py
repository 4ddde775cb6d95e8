"""What every page shares: the signed-in visitor, the language, rendering, and errors as pages.

A web route declares ``visitor: VisitorDep`` to require a signed-in user (anyone else is sent to
the sign-in page; a user who must change their password, to the password page) and returns
``render(request, visitor, "x.html", {...})`` with plain data.
Errors of the services become ``error.html`` pages through ``WebRoute``.
"""

from __future__ import annotations

import logging
import math
import secrets
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape

from techbridge.config import Settings
from techbridge.domain.money import format_eok
from techbridge.errors import (
    ConflictError,
    InvalidError,
    NotFoundError,
    NotIndexedError,
    PermissionDeniedError,
    TechbridgeError,
)
from techbridge.services import accounts
from techbridge.services.accounts import PasswordChangeRequiredError
from techbridge.services.accounts.caller import signed_in
from techbridge.services.actor import Actor
from techbridge.services.core import Core, DuplicateSubmissionError, submitted_once
from techbridge.services.dashboards import primary_role
from techbridge.web.i18n import pick_language, translator

log = logging.getLogger(__name__)

# The same cookies as the REST API's (api/deps.py): one sign-in serves the pages and the API.
SESSION_COOKIE = "techbridge_session"
CSRF_COOKIE = "techbridge_csrf"
LANGUAGE_COOKIE = "techbridge_lang"
PASSWORD_PAGE = "/auth/password"
TEMPLATES = Path(__file__).parent / "templates"
_STATUS = {
    NotFoundError: 404,
    PermissionDeniedError: 403,
    InvalidError: 400,
    ConflictError: 409,
    NotIndexedError: 409,
}


class SignInRequiredError(Exception):
    """The page needs a signed-in user; the visitor is sent to the sign-in page."""


@dataclass(frozen=True, slots=True)
class Visitor:
    """The signed-in user of a page: who they act as, their role, language and form token, and
    whether they must change their password first."""

    actor: Actor
    role: str
    language: str
    csrf: str
    display_name: str
    must_change_password: bool = False


def bar_width(percent: float) -> str:
    """Return the ``app.css`` class (``w0`` … ``w100``) giving a bar this width, in whole percent.

    Bars are sized by class, not by a ``style`` attribute, so that the pages' Content-Security-Policy
    can refuse every inline style (``web/headers.py``).
    """
    whole = round(percent) if math.isfinite(percent) else 0
    return f"w{min(100, max(0, whole))}"


def make_templates() -> Jinja2Templates:
    """Return the page templates with the money and bar width filters."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    env.filters["eok"] = format_eok
    env.filters["bar"] = bar_width
    env.globals["once_token"] = lambda: secrets.token_urlsafe(24)  # each form's one-time token
    return Jinja2Templates(env=env)


def get_settings(request: Request) -> Settings:
    """Return the app's settings."""
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


def language_of(request: Request) -> str:
    """Return the page language: ``?lang=`` first, then the cookie, then Korean."""
    return pick_language(request.query_params.get("lang"), request.cookies.get(LANGUAGE_COOKIE))


def get_core(request: Request) -> Core:
    """Return the application core the app was created with."""
    core: Core = request.app.state.core
    return core


CoreDep = Annotated[Core, Depends(get_core)]


def get_visitor(request: Request, core: CoreDep) -> Visitor:
    """Return the signed-in visitor (a form's CSRF token is checked by ``check_csrf``).

    Raises:
        SignInRequiredError: no session cookie, or an expired one.
        PasswordChangeRequiredError: the user must change their password first.
    """
    return _visitor(request, core, for_own_account=False)


def get_account_visitor(request: Request, core: CoreDep) -> Visitor:
    """Return the signed-in visitor of the pages open to a user who must change their password.

    Raises:
        SignInRequiredError: no session cookie, or an expired one.
    """
    return _visitor(request, core, for_own_account=True)


def _visitor(request: Request, core: Core, for_own_account: bool) -> Visitor:
    found = signed_in(core, request.cookies.get(SESSION_COOKIE), for_own_account)
    if found is None:
        raise SignInRequiredError
    role = primary_role(found.actor)
    language = language_of(request)
    return Visitor(found.actor, role, language, found.csrf, found.display_name, found.must_change_password)


VisitorDep = Annotated[Visitor, Depends(get_visitor)]
AccountVisitorDep = Annotated[Visitor, Depends(get_account_visitor)]


async def check_csrf(request: Request, visitor: VisitorDep, settings: SettingsDep) -> None:
    """Refuse a form whose ``csrf_token`` field is not the session's token.

    Raises:
        PermissionDeniedError: the token is missing or wrong.
    """
    await _require_csrf(request, settings)


async def check_account_csrf(request: Request, visitor: AccountVisitorDep, settings: SettingsDep) -> None:
    """``check_csrf`` for the forms open to a user who must change their password (the change itself,
    signing out).

    Raises:
        PermissionDeniedError: the token is missing or wrong.
    """
    await _require_csrf(request, settings)


async def _require_csrf(request: Request, settings: Settings) -> None:
    """Check the form's CSRF token, and hand its one-time token (``once``) to the core: the use case
    stores it with its change, and the same form sent again stores nothing (``submitted_once``)."""
    form = await request.form()
    given = form.get("csrf_token")
    token = request.cookies.get(SESSION_COOKIE, "")
    if not accounts.is_valid_csrf(settings, token, given if isinstance(given, str) else None):
        raise PermissionDeniedError("missing or wrong CSRF token; reload the page and try again")
    once = form.get("once")
    submitted_once(once if isinstance(once, str) and once else None)


CsrfDep = Depends(check_csrf)
AccountCsrfDep = Depends(check_account_csrf)


def render(
    request: Request, visitor: Visitor | None, name: str, data: dict[str, Any], status: int = 200
) -> HTMLResponse:
    """Render a page template with ``data`` plus the visitor, ``t`` (messages) and the path."""
    language = visitor.language if visitor else language_of(request)
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    context = {"visitor": visitor, "t": translator(language), "lang": language, "path": request.url.path}
    context["here"] = here
    templates: Jinja2Templates = request.app.state.web_templates
    response = templates.TemplateResponse(request, name, {**context, **data}, status_code=status)
    if request.query_params.get("lang") == language:
        response.set_cookie(LANGUAGE_COOKIE, language, max_age=365 * 86400, samesite="lax")
    return response


def redirect(url: str) -> RedirectResponse:
    """Return a see-other redirect (after a form post)."""
    return RedirectResponse(url, status_code=303)


def error_page(request: Request, exc: TechbridgeError) -> HTMLResponse:
    """Render ``error.html`` with the status the error maps to."""
    status = next((code for kind, code in _STATUS.items() if isinstance(exc, kind)), 400)
    detail = getattr(exc, "problems", None) or []
    data = {"status": status, "message": str(exc.args[0]) if exc.args else str(exc), "problems": detail}
    return render(request, None, "error.html", data, status=status)


async def _after_duplicate(request: Request) -> str:
    """Where a form sent twice goes: the page it names to go back to, else the page it was sent from.

    Only a path of this site is followed (never another host)."""
    back = (await request.form()).get("back")
    referer = urlsplit(request.headers.get("referer", ""))
    candidates = [back if isinstance(back, str) else ""]
    if referer.netloc == request.url.netloc:
        candidates.append(referer.path + (f"?{referer.query}" if referer.query else ""))
    return next((c for c in candidates if c.startswith("/") and not c.startswith("//")), "/")


class WebRoute(APIRoute):
    """A page route: service errors become error pages; a missing sign-in redirects to the form."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """Wrap the handler so that errors are answered as pages."""
        handler = super().get_route_handler()

        async def page(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInRequiredError:
                return redirect(f"/login?next={request.url.path}")
            except PasswordChangeRequiredError:
                return redirect(PASSWORD_PAGE)
            except DuplicateSubmissionError:
                return redirect(await _after_duplicate(request))
            except RequestValidationError as exc:
                problems = [f"{'.'.join(str(p) for p in e['loc'][1:])}: {e['msg']}" for e in exc.errors()]
                return error_page(request, InvalidError("the form has wrong or missing values", problems))
            except TechbridgeError as exc:
                log.info("page %s answered %s", request.url.path, type(exc).__name__)
                return error_page(request, exc)

        return page
