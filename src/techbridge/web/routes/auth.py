"""Signing in and out with the password form, and switching the language."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse

from techbridge.services.accounts import AuthenticationError, TooManyAttemptsError
from techbridge.services.accounts.signing import SignInRequest, sign_in, sign_out
from techbridge.web.csrf import LOGIN_NONCE_COOKIE, is_valid_login_token, login_token, new_nonce
from techbridge.web.i18n import LANGUAGES
from techbridge.web.pages import (
    CSRF_COOKIE,
    LANGUAGE_COOKIE,
    PASSWORD_PAGE,
    SESSION_COOKIE,
    AccountCsrfDep,
    CoreDep,
    SettingsDep,
    WebRoute,
    redirect,
    render,
)

router = APIRouter(route_class=WebRoute, include_in_schema=False)


def _safe_next(target: str | None) -> str:
    """Return a local path to go to after signing in (never another site)."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"


def _login_form(
    request: Request, settings: SettingsDep, error: str | None, status: int = 200
) -> HTMLResponse:
    nonce = new_nonce()
    data = {
        "login_token": login_token(settings, nonce),
        "next": _safe_next(request.query_params.get("next")),
        "error": error,
    }
    response = render(request, None, "login.html", data, status=status)
    response.set_cookie(
        LOGIN_NONCE_COOKIE, nonce, httponly=True, samesite="strict", secure=settings.cookie_secure
    )
    return response


@router.get("/login")
def login_page(request: Request, settings: SettingsDep) -> HTMLResponse:
    """Show the sign-in form."""
    return _login_form(request, settings, None)


@router.post("/login", response_model=None)
def login(
    request: Request,
    core: CoreDep,
    settings: SettingsDep,
    username: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=200)],
    login_token: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=300)] = "/",
) -> Response:
    """Check the password (rate-limited by the accounts service) and open a session."""
    if not is_valid_login_token(settings, request.cookies.get(LOGIN_NONCE_COOKIE), login_token):
        return _login_form(request, settings, "error.denied", status=403)
    address = request.client.host if request.client else None
    try:
        opened = sign_in(core, SignInRequest(username, password, address))
    except TooManyAttemptsError:
        return _login_form(request, settings, "login.locked", status=429)
    except AuthenticationError:
        return _login_form(request, settings, "login.failed", status=401)
    # A generated or administrator-set password: the password page first (every other page sends
    # them there anyway).
    response = redirect(PASSWORD_PAGE if opened.user.must_change_password else _safe_next(next))
    age, secure = opened.max_age, settings.cookie_secure
    response.set_cookie(
        SESSION_COOKIE, opened.token, max_age=age, httponly=True, samesite="lax", secure=secure
    )
    response.set_cookie(CSRF_COOKIE, opened.csrf, max_age=age, httponly=False, samesite="lax", secure=secure)
    response.delete_cookie(LOGIN_NONCE_COOKIE)
    return response


@router.post("/logout", dependencies=[AccountCsrfDep])
def logout(request: Request, core: CoreDep) -> Response:
    """End the session (before answering) and go back to the sign-in form."""
    sign_out(core, request.cookies.get(SESSION_COOKIE))
    response = redirect("/login")
    response.delete_cookie(SESSION_COOKIE)
    response.delete_cookie(CSRF_COOKIE)
    return response


@router.get("/lang/{language}")
def switch_language(language: str, next: str = "/") -> Response:
    """Remember the chosen language in a cookie and go back to the page."""
    response = redirect(_safe_next(next))
    if language in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, language, max_age=365 * 86400, samesite="lax")
    return response
