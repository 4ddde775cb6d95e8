"""The import job: a file uploaded through the API or the web is imported by the job runner.

``start_import`` decides access and checks what can be checked without reading the file (the
entity, the mapping, the format), keeps the file in a folder of the job's own, stores the job
(queued) and hands it to the runner; the answer is the job, at once. In the worker, the import is
the one the CLI runs (``services.ingest.importing``: read, map and check everything, then write
everything in one unit of work), reporting its phases and counts; the job's result is recorded
in the import's own unit of work, so a job "succeeded" exactly when its records are committed.
A refused file fails the job with the problems listed row by row, and nothing is written.
"""

from __future__ import annotations

import logging
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from techbridge.config import Settings
from techbridge.errors import ImportRejectedError, TechbridgeError
from techbridge.services.access.importing import require_importer
from techbridge.services.actor import Actor
from techbridge.services.core import Core
from techbridge.services.ingest.importing import (
    ImportRequest,
    check_choice,
    check_file,
    import_limits,
    write_checked,
)
from techbridge.services.ingest.reading import detect_format
from techbridge.services.jobs import job
from techbridge.services.jobs.job import JobError, JobView
from techbridge.services.jobs.runner import Reporter
from techbridge.services.models import Models
from techbridge.storage.db import make_engine

log = logging.getLogger(__name__)

KIND = "import"
_SAFE_NAME = re.compile(r"[^\w.\- ]+")
_cores: dict[str, Core] = {}  # the worker's cores, one per database


@dataclass(frozen=True, slots=True)
class ImportUpload:
    """A file sent to be imported: its name (for its format and the problems' ``file:line``) and bytes.

    Attributes:
        entity: ``organization``, ``person``, ``technology``, ``need``, ``proposal`` or ``project``.
        mapping: ``default``, ``kipris`` or ``cordis``.
        fmt: ``csv``, ``xlsx`` or ``jsonl``; default from the file name's extension.
    """

    entity: str
    filename: str
    content: bytes
    mapping: str = "default"
    fmt: str | None = None


def start_import(core: Core, actor: Actor, upload: ImportUpload) -> JobView:
    """Start importing an uploaded file as ``actor`` in the job runner; return the queued job.

    Raises:
        PermissionDeniedError: the actor may not import (before the file is looked at).
        InvalidError: the entity or mapping is unknown or they do not fit together.
        ImportRejectedError: the file's format cannot be told from its name.
    """
    require_importer(actor)
    check_choice(upload.entity, upload.mapping)
    name = _file_name(upload.filename)
    fmt = detect_format(Path(name), upload.fmt)
    folder = Path(tempfile.mkdtemp(prefix="techbridge-import-"))
    path = folder / name
    path.write_bytes(upload.content)
    try:
        with core.writing() as session:
            stored = job.new_job(session, actor, KIND, name)
            queued = job.view_of(stored)
        request = ImportRequest(upload.entity, path, fmt, upload.mapping)
        core.runner.submit(queued.id, _Ended(core, folder), run_import, core.settings, actor, request)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    log.info("import job %s queued: %s (%s)", queued.id, name, upload.entity)
    return queued


def run_import(job_id: str, settings: Settings, actor: Actor, request: ImportRequest) -> None:
    """Run an import job in the worker process: the job's row records how it ended."""
    core = _core_for(settings)
    job.mark_running(core, job_id)
    report = Reporter(job_id)
    try:
        require_importer(actor)
        report.phase("reading")
        checked = check_file(request, import_limits(settings), lambda: report.phase("checking"))
        report.phase("writing", 0, len(checked.records))
        with core.writing() as session:
            result = write_checked(session, actor, checked, report.count)
            job.succeed(session, job_id, core.clock(), result.to_dict())
    except TechbridgeError as exc:
        problems = list(exc.problems) if isinstance(exc, ImportRejectedError) else []
        job.fail(core, job_id, JobError(str(exc.args[0]) if exc.args else str(exc), problems))
    except Exception:
        log.exception("import job %s failed", job_id)
        job.fail(core, job_id, JobError("an unexpected error occurred; nothing was written"))


class _Ended:
    """What the server does when an import job has ended: record a crash, remove the job's folder."""

    def __init__(self, core: Core, folder: Path) -> None:
        self.core, self.folder = core, folder

    def __call__(self, job_id: str, error: BaseException | None) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
        if error is not None:  # the worker died or was stopped: the job could not record it
            log.error("import job %s stopped: %s", job_id, error)
            job.fail(self.core, job_id, JobError(job.INTERRUPTED))


def _file_name(filename: str) -> str:
    name = _SAFE_NAME.sub("_", Path(filename.replace("\\", "/")).name).strip(" .")
    suffix = Path(name).suffix
    if not name or len(name) > 100:
        return f"upload{suffix[:10] or '.csv'}"
    return name


def _core_for(settings: Settings) -> Core:
    core = _cores.get(settings.database_url)
    if core is None:
        core = _cores[settings.database_url] = Core(settings, make_engine(settings), Models(settings))
    return core
