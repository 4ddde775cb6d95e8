"""The web application: server-rendered pages (Jinja2) over the same services as the CLI and the API.

``mount_web(app, settings)`` adds the pages and the static files to an app made by
``techbridge.app.create_app``; they share its settings, engine and the API's session cookie.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from techbridge.config import Settings
from techbridge.web.pages import make_templates
from techbridge.web.routes import (
    auth,
    consortia,
    home,
    imports,
    jobs,
    kpis,
    needs,
    password,
    pipeline,
    rounds,
    technologies,
)

__all__ = ["mount_web"]

STATIC = Path(__file__).parent / "static"


def mount_web(app: FastAPI, settings: Settings) -> None:
    """Add the pages, their templates and ``/static`` to ``app`` (made by ``create_app(settings)``)."""
    app.state.web_templates = make_templates()
    app.state.settings = getattr(app.state, "settings", settings)
    # imports before needs: /needs/import is not a need's page /needs/{ident}
    for module in (
        auth,
        password,
        home,
        imports,
        jobs,
        needs,
        technologies,
        pipeline,
        rounds,
        kpis,
        consortia,
    ):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
