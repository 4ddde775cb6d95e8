"""Accounts: password hashes, the first administrator, sign-in rate limiting, sessions and tokens."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine, func, select

from techbridge.config import Settings
from techbridge.errors import ConflictError, InvalidError
from techbridge.services import accounts
from techbridge.services.accounts.signing import SignInRequest, sign_in
from techbridge.services.accounts.token import TokenRevocation, revoke_token
from techbridge.services.accounts.user import ensure_admin
from techbridge.services.actor import operator
from techbridge.storage.accounts import ApiToken, LoginAttempt, User, UserSession
from techbridge.storage.db import transaction
from tests.factories import core_on

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)


def test_a_password_is_kept_only_as_an_argon2_hash() -> None:
    stored = accounts.hash_password("correct horse")
    assert stored.startswith("$argon2id$") and "correct horse" not in stored
    assert accounts.verify_password(stored, "correct horse")
    assert not accounts.verify_password(stored, "wrong horse")
    assert not accounts.verify_password(None, "correct horse")
    assert not accounts.verify_password("not a hash", "correct horse")


def _sign_in(engine: Engine, settings: Settings, name: str, password: str, address: str | None = None,
             now: dt.datetime = NOW) -> int:  # fmt: skip
    core = core_on(engine, settings)
    core.clock = lambda: now
    return sign_in(core, SignInRequest(name, password, address)).user.id


def test_the_first_administrator_gets_a_one_time_password(engine: Engine, settings: Settings) -> None:
    password = ensure_admin(core_on(engine, settings))
    assert password is not None and len(password) >= 12
    assert ensure_admin(core_on(engine, settings)) is None  # there is a user now: nothing happens
    assert _sign_in(engine, settings, "admin", password) > 0


def test_the_administrator_password_can_come_from_settings(engine: Engine, settings: Settings) -> None:
    configured = settings.model_copy(update={"admin_password": "from the environment"})
    assert ensure_admin(core_on(engine, configured)) is None
    with transaction(engine) as session:
        admin = session.scalar(select(User).where(User.username == "admin"))
        assert admin is not None and [g.role for g in admin.grants] == ["administrator"]
        assert accounts.verify_password(admin.password_hash, "from the environment")


def test_users_are_checked(engine: Engine) -> None:
    with transaction(engine) as session:
        accounts.create_user(session, "kim", "long enough")
        with pytest.raises(ConflictError):
            accounts.create_user(session, "kim", "long enough")
        with pytest.raises(InvalidError) as problems:
            accounts.create_user(session, " ", "short", grants=[accounts.Grant("emperor")])
        assert len(problems.value.problems) == 3


def _limited(settings: Settings, **update: int) -> Settings:
    limits = {"login_max_failures": 2, "login_window_minutes": 10, "login_backoff_seconds": 30}
    return settings.model_copy(update={**limits, **update})


def _refused(
    engine: Engine, settings: Settings, name: str, password: str, address: str, now: dt.datetime
) -> str:
    try:
        _sign_in(engine, settings, name, password, address, now=now)
    except accounts.TooManyAttemptsError:
        return "wait"
    except accounts.AuthenticationError:
        return "wrong"
    return "in"


def test_guesses_from_one_address_do_not_lock_the_owner_out(engine: Engine, settings: Settings) -> None:
    limited = _limited(settings)
    with transaction(engine) as session:
        accounts.create_user(session, "kim", "long enough", grants=[accounts.Grant("administrator")])
    guesses = [_refused(engine, limited, "kim", "wrong", "10.0.0.1", NOW) for _ in range(4)]
    assert guesses == ["wrong", "wrong", "wait", "wait"]  # only the limit is checked
    assert _refused(engine, limited, "kim", "long enough", "10.0.0.1", NOW) == "wait"  # that pair waits
    assert _refused(engine, limited, "kim", "long enough", "10.0.0.2", NOW) == "in"  # the owner does not
    assert _refused(engine, limited, "lee", "whatever", "10.0.0.1", NOW) == "wrong"  # nor other names


def test_the_wait_doubles_with_each_failure_and_a_success_forgets_them(
    engine: Engine, settings: Settings
) -> None:
    limited = _limited(settings)
    with transaction(engine) as session:
        accounts.create_user(session, "kim", "long enough")
    at = NOW
    assert [_refused(engine, limited, "kim", "wrong", "10.0.0.1", at) for _ in range(2)] == ["wrong", "wrong"]
    for wait in (30, 60, 120):
        assert (
            _refused(engine, limited, "kim", "wrong", "10.0.0.1", at + dt.timedelta(seconds=wait - 1))
            == "wait"
        )
        at += dt.timedelta(seconds=wait)
        assert _refused(engine, limited, "kim", "wrong", "10.0.0.1", at) == "wrong"
    at += dt.timedelta(seconds=240)
    assert _refused(engine, limited, "kim", "long enough", "10.0.0.1", at) == "in"
    at += dt.timedelta(seconds=1)
    assert [_refused(engine, limited, "kim", "wrong", "10.0.0.1", at) for _ in range(3)] == [
        "wrong",
        "wrong",
        "wait",
    ]
    later = at + dt.timedelta(minutes=11)  # the window is over: everything is forgotten
    assert _refused(engine, limited, "kim", "long enough", "10.0.0.1", later) == "in"


def test_an_address_guessing_many_names_waits(engine: Engine, settings: Settings) -> None:
    limited = _limited(settings, login_address_max_failures=3)
    names = ["a", "b", "c", "d"]
    assert [_refused(engine, limited, n, "x", "10.0.0.9", NOW) for n in names] == ["wrong"] * 3 + ["wait"]
    assert _refused(engine, limited, "d", "x", "10.0.0.8", NOW) == "wrong"


def test_concurrent_guesses_are_checked_at_most_up_to_the_limit(engine: Engine, settings: Settings) -> None:
    """30 wrong passwords at once: only ``login_max_failures`` of them are checked (were 19 of 30)."""
    limited = settings.model_copy(update={"login_max_failures": 5})
    with transaction(engine) as session:
        accounts.create_user(session, "kim", "long enough", grants=[accounts.Grant("administrator")])
    core = core_on(engine, limited)
    core.clock = lambda: NOW
    start = threading.Barrier(30)

    def guess(_: int) -> str:
        start.wait()
        try:
            sign_in(core, SignInRequest("kim", "wrong", "10.0.0.1"))
        except accounts.TooManyAttemptsError:
            return "wait"
        except accounts.AuthenticationError:
            return "wrong"
        return "in"

    with ThreadPoolExecutor(30) as pool:
        answers = list(pool.map(guess, range(30)))
    assert answers.count("wrong") == 5 and answers.count("wait") == 25
    with transaction(engine) as session:
        assert session.scalar(select(func.count()).select_from(LoginAttempt)) == 5


def test_sessions_expire_and_only_their_hash_is_stored(engine: Engine, settings: Settings) -> None:
    with transaction(engine) as session:
        user = accounts.create_user(session, "kim", None, grants=[accounts.Grant("viewer")])
        token = accounts.start_session(session, user.id, settings, now=NOW)
    with transaction(engine) as session:
        assert token not in {s.token_hash for s in session.scalars(select(UserSession))}
        actor = accounts.session_actor(session, token, now=NOW + dt.timedelta(hours=1))
        assert actor is not None and actor.roles == frozenset({("viewer", None)})
        assert accounts.session_actor(session, token, now=NOW + dt.timedelta(hours=13)) is None
        assert accounts.session_actor(session, "forged", now=NOW) is None


def test_csrf_tokens_belong_to_their_session(settings: Settings) -> None:
    token = accounts.csrf_token(settings, "session-a")
    assert accounts.is_valid_csrf(settings, "session-a", token)
    assert not accounts.is_valid_csrf(settings, "session-b", token)
    assert not accounts.is_valid_csrf(settings, "session-a", None)


def test_api_tokens_are_stored_hashed_and_can_be_revoked_once(engine: Engine, settings: Settings) -> None:
    with transaction(engine) as session:
        user = accounts.create_user(session, "bot", None)
        token, secret = accounts.create_token(session, user.id, "nightly import")
    with transaction(engine) as session:
        assert secret not in {t.token_hash for t in session.scalars(select(ApiToken))}
        assert accounts.token_actor(session, secret) is not None
    core = core_on(engine, settings)
    core.clock = lambda: NOW
    revoke_token(core, operator("admin"), TokenRevocation(token.id, "bot"))
    with transaction(engine) as session:
        assert accounts.token_actor(session, secret) is None
    core.clock = lambda: NOW + dt.timedelta(days=3)
    with pytest.raises(ConflictError, match="revoked already"):  # and keeps when it was first revoked
        revoke_token(core, operator("admin"), TokenRevocation(token.id, "bot"))
    with transaction(engine) as session:
        revoked = session.get(ApiToken, token.id)
        assert revoked is not None and revoked.revoked_at is not None
        assert revoked.revoked_at.replace(tzinfo=None) == NOW.replace(tzinfo=None)


def test_the_default_secret_is_refused_outside_development() -> None:
    with pytest.raises(ValueError, match="TECHBRIDGE_SESSION_SECRET"):
        Settings(environment="production")
    assert Settings(environment="production", session_secret="s3cret-from-vault").environment == "production"
