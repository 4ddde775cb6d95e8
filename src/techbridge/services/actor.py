"""The caller of a use case: a signed-in user with their organisation and role grants, or the operator.

Every use case takes the actor first after the core; what the actor may do is decided in
``techbridge.services.access`` and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ADMINISTRATOR = "administrator"
PROGRAM_MANAGER = "program_manager"
COMPANY_MEMBER = "company_member"
INSTITUTE_MEMBER = "institute_member"
VIEWER = "viewer"
ROLES = (ADMINISTRATOR, PROGRAM_MANAGER, COMPANY_MEMBER, INSTITUTE_MEMBER, VIEWER)


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is asking: a signed-in user (with their organisation and role grants) or the CLI operator."""

    name: str
    user_id: int | None = None
    organization_id: int | None = None
    roles: frozenset[tuple[str, int | None]] = field(default_factory=frozenset)

    def has_role(self, role: str, program_id: int | None = None) -> bool:
        """Return whether the actor holds ``role`` in ``program_id`` (a grant without program covers all)."""
        return any(r == role and (p is None or p == program_id) for r, p in self.roles)

    def holds(self, role: str) -> bool:
        """Return whether the actor holds ``role`` in any program."""
        return any(r == role for r, _ in self.roles)

    @property
    def is_admin(self) -> bool:
        """Whether the actor is an administrator."""
        return self.has_role(ADMINISTRATOR)

    def manages(self, program_id: int | None) -> bool:
        """Return whether the actor is an administrator or a manager of ``program_id``.

        ``None`` stands for "no program": only administrators and managers of every program manage it.
        """
        if self.is_admin:
            return True
        if program_id is None:
            return (PROGRAM_MANAGER, None) in self.roles
        return self.has_role(PROGRAM_MANAGER, program_id)

    @property
    def manages_every_program(self) -> bool:
        """Whether the actor is an administrator or holds a manager grant without program."""
        return self.is_admin or (PROGRAM_MANAGER, None) in self.roles


def operator(name: str) -> Actor:
    """Return the actor of the command line: whoever runs it has the database, so is an administrator."""
    return Actor(name=name, roles=frozenset({(ADMINISTRATOR, None)}))
