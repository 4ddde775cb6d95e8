"""CSRF tokens of the web forms.

Signed-in forms carry the accounts service's token (an HMAC of the session token,
``accounts.csrf_token``). The sign-in form has no session yet, so it uses a signed double-submit
token made here: a random nonce in a cookie, and the HMAC of that nonce under the session secret
in a hidden field; a forged cross-site post can neither read the cookie nor sign a nonce.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from techbridge.config import Settings

LOGIN_NONCE_COOKIE = "techbridge_login_nonce"


def new_nonce() -> str:
    """Return a fresh random nonce for the sign-in form's cookie."""
    return secrets.token_urlsafe(24)


def login_token(settings: Settings, nonce: str) -> str:
    """Return the sign-in form's token: the HMAC of the cookie's nonce (purpose-bound)."""
    message = f"login:{nonce}".encode()
    return hmac.new(settings.session_secret.encode(), message, hashlib.sha256).hexdigest()


def is_valid_login_token(settings: Settings, nonce: str | None, given: str | None) -> bool:
    """Return whether the form's token signs the cookie's nonce (compared in constant time)."""
    if not nonce or not given:
        return False
    return hmac.compare_digest(login_token(settings, nonce), given)
