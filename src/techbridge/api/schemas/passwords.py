"""Bodies of passwords: a user's own change, and what a change or an administrator's reset answers."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from techbridge.api.schemas import ResponseModel, UserPublic
from techbridge.domain import limits


class PasswordChangeRequest(BaseModel):
    """Your current password and the new one (at least 12 characters, not your user name)."""

    model_config = ConfigDict(extra="forbid")
    current_password: Annotated[str, Field(min_length=1, max_length=limits.PASSWORD_MAX)]
    new_password: Annotated[str, Field(min_length=1, max_length=limits.PASSWORD_MAX)]


class PasswordChangedPublic(ResponseModel):
    """A changed password: the user, how many of their other sessions ended and API tokens (all of
    them, the one this request came with included) were revoked."""

    user: UserPublic
    sessions_ended: int
    tokens_revoked: int


class PasswordResetPublic(PasswordChangedPublic):
    """A reset password: ``one_time_password`` is shown in this answer only; the user must change it
    at their next sign-in."""

    one_time_password: str
