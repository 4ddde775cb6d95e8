"""Who may import files, and which need rows an importer may write.

Importing is bulk writing of public records and needs: administrators and program managers import
(the command line's operator is an administrator); company and institute members, and viewers, do
not (``docs/security.md`` gives them no import). Others get the refusal before the file is read.

A need row writes only what its importer may write. Administrators and managers of every program
read every need, so a file of theirs creates and updates needs as it says. Anyone else (a manager of
one program) may only update needs they may change: a row with any other key, free or held by a need
they may not read, is refused with the same message, so that an import tells nothing about needs the
importer may not read (``docs/security.md``, "Taken keys").
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from techbridge.errors import PermissionDeniedError
from techbridge.services.access.need import may_change_need, program_of_need, reads_every_need
from techbridge.services.actor import PROGRAM_MANAGER, Actor
from techbridge.services.needs.need import find_need


class ImportAction(StrEnum):
    """What can be done with import files."""

    IMPORT = "import"


def may_import(actor: Actor) -> bool:
    """Return whether the actor may import files (administrators and program managers)."""
    return actor.is_admin or actor.holds(PROGRAM_MANAGER)


def require_importer(actor: Actor, action: ImportAction = ImportAction.IMPORT) -> None:
    """Require that the actor may ``action`` import files.

    Raises:
        PermissionDeniedError: anyone but administrators and program managers.
    """
    if not may_import(actor):
        raise PermissionDeniedError(f"only administrators and program managers {action.value} files")


def refused_need(session: Session, actor: Actor, values: Mapping[str, Any]) -> str | None:
    """Return why ``actor`` may not write the need row ``values``, the same for a free and a hidden key.

    ``None``: the actor may write it.
    """
    if reads_every_need(actor):
        return None
    key = str(values.get("key") or "")
    need = find_need(session, key)
    if need is not None and may_change_need(actor, need, program_of_need(session, need)):
        return None
    return (
        f"{values.get('key')!r} is not a need you may change; only administrators and managers "
        "of every program import new needs"
    )
