"""Who may read and change what: the one place where access rules live, per entity and action.

The rules of a company's need (who reads it in full, by its summary, or not at all) are in
``access.need``; those of cooperations and meetings in ``access.cooperation`` and ``access.meeting``,
of public records in ``access.record``, of accounts and the audit log in ``access.account``, of
programs and rounds in ``access.program``, of consortia in ``access.consortium``, of imports in
``access.importing``.
"""

from __future__ import annotations

from techbridge.errors import PermissionDeniedError


def require(condition: bool, message: str) -> None:
    """Raise ``PermissionDeniedError(message)`` unless ``condition`` holds."""
    if not condition:
        raise PermissionDeniedError(message)
