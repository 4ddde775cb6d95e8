"""Following an import started from the web form to its job page, until the job has finished."""

from __future__ import annotations

import re
import time
from typing import Any

from fastapi.testclient import TestClient

_FINISHED = re.compile(r'data-status="(succeeded|failed)"')


def finished_page(client: TestClient, started: Any) -> tuple[int, str]:
    """Return the status and text of the job page ``started`` (a 303 to it) leads to, once the job has
    finished; the job's key in the text is written ``<job>``. The time bound only stops a broken run."""
    assert started.status_code == 303, started.text
    location = started.headers["location"]
    assert location.startswith("/jobs/")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        page = client.get(location)
        if page.status_code != 200 or _FINISHED.search(page.text):
            return page.status_code, page.text.replace(location.removeprefix("/jobs/"), "<job>")
        assert '<meta http-equiv="refresh" content="1">' in page.text  # it refreshes itself meanwhile
        time.sleep(0.1)
    raise AssertionError("the import job did not finish")
