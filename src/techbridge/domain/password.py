"""The password policy: what a password chosen by its user (or set by the operator) must be.

At least ``limits.PASSWORD_MIN`` characters (12), at most ``limits.PASSWORD_MAX`` (200), not the user
name (nor the user name with other letter cases or spaces around it). That the new password differs
from the old one is checked where the old hash is, after the current password was verified
(``services.accounts.password``): checked earlier, it would tell a guesser whether a guess is right.
"""

from __future__ import annotations

from techbridge.domain.limits import PASSWORD_MAX, PASSWORD_MIN


def password_problems(password: str, username: str) -> list[str]:
    """Return why ``password`` may not be ``username``'s password (empty: it may)."""
    problems = []
    if len(password) < PASSWORD_MIN:
        problems.append(f"a password needs at least {PASSWORD_MIN} characters ({len(password)} given)")
    if len(password) > PASSWORD_MAX:
        problems.append(f"a password has at most {PASSWORD_MAX} characters ({len(password)} given)")
    if password.strip().casefold() == username.strip().casefold():
        problems.append("a password may not be the user name")
    return problems
