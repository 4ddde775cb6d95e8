"""The exception tree of techbridge.

    TechbridgeError
    ├── NotFoundError          a record that was asked for does not exist
    ├── ConflictError          the change contradicts what is stored
    ├── InvalidError           input that breaks a rule (carries every problem found)
    │   └── ImportRejectedError  a file refused whole, with one problem per bad row
    ├── PermissionDeniedError  the actor may not do this
    ├── NotIndexedError        the matching index is missing or stale
    └── ConfigError            a setting is missing or wrong

Domain code and services raise only these; each edge (CLI, API, web) maps them once.
"""

from __future__ import annotations

from collections.abc import Sequence


class TechbridgeError(Exception):
    """Base of every error techbridge raises on purpose."""


class NotFoundError(TechbridgeError):
    """A record that was asked for does not exist."""


class ConflictError(TechbridgeError):
    """The change contradicts what is already stored."""


class InvalidError(TechbridgeError):
    """Input that breaks a rule; ``problems`` lists every one found."""

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.problems: tuple[str, ...] = tuple(problems)

    def __str__(self) -> str:
        head = super().__str__()
        if not self.problems:
            return head
        return head + "\n" + "\n".join(self.problems)


class ImportRejectedError(InvalidError):
    """A file was refused whole; ``problems`` holds ``file:line: column: reason`` lines."""


class PermissionDeniedError(TechbridgeError):
    """The actor may not read or change this."""


class NotIndexedError(TechbridgeError):
    """The matching index is missing or does not fit the database."""


class ConfigError(TechbridgeError):
    """A setting is missing or wrong."""
