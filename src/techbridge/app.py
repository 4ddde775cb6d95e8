"""The ASGI application: ``create_app(settings)`` mounts the REST API and the web pages.

Nothing is built at import time: the engine is made when the app is, and disposed of when it shuts
down. Run it with ``techbridge serve`` or any ASGI server through the factory::

    uvicorn --factory techbridge.app:app_from_environment
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.types import ASGIApp

import techbridge
from techbridge.api import api_router
from techbridge.api.errors import install_error_handlers
from techbridge.config import Settings
from techbridge.services.core import Core
from techbridge.services.jobs.job import recover_jobs
from techbridge.web import mount_web
from techbridge.web.body_limit import BodyLimit
from techbridge.web.headers import SecurityHeaders

log = logging.getLogger(__name__)

DESCRIPTION = """Connect companies' technology needs with institutes, universities and their
technologies. Authenticate with an API token (`Authorization: Bearer tb_…`) or the session cookie
set by `POST /api/v1/auth/login` (unsafe methods then need the `X-CSRF-Token` header). Errors
always answer `{"error": {"type", "message"}}`; a request body over the limit (2 MiB by default)
answers 413."""


# Paths that take files, with a body limit of their own (``max_upload_bytes``).
UPLOAD_PATHS = ("/needs/import", "/api/v1/imports")


class _GuardedApp(FastAPI):
    """FastAPI with the guards outermost: they wrap even the answers of Starlette's own error layer."""

    def build_middleware_stack(self) -> ASGIApp:
        settings: Settings = self.state.settings
        uploads = dict.fromkeys(UPLOAD_PATHS, settings.max_upload_bytes)
        limited = BodyLimit(super().build_middleware_stack(), settings.max_body_bytes, uploads)
        return SecurityHeaders(limited)


def create_app(settings: Settings) -> FastAPI:
    """Return the techbridge ASGI app: migrated database, API under ``/api/v1``, web pages at ``/``.

    The web pages share ``app.state.core`` (settings, database, models) and the session cookie with
    the API. Every answer carries the security headers of ``web/headers.py``, and request bodies
    are held to ``settings.max_body_bytes`` (``web/body_limit.py``).
    """
    core = Core.open(settings)
    recover_jobs(core)  # jobs a stopped server left unfinished are marked interrupted

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            core.close()

    app = _GuardedApp(
        title="techbridge",
        version=getattr(techbridge, "__version__", "0.1.0"),
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.core = core
    app.state.engine = core.engine
    install_error_handlers(app)
    app.include_router(api_router())
    mount_web(app, settings)
    return app


def app_from_environment() -> FastAPI:
    """Return the app configured from the environment (``TECHBRIDGE_*``), for ASGI servers' ``--factory``."""
    return create_app(Settings())
