"""Bodies of technology exchange meetings (기술교류회) and the follow-up tasks they make."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from techbridge.api.schemas import Key, ResponseModel
from techbridge.domain import limits


class FollowUpIn(BaseModel):
    """A follow-up agreed at a meeting."""

    model_config = ConfigDict(extra="forbid")
    title: Annotated[str, Field(min_length=1, max_length=2000)]
    owner: Annotated[str, Field(min_length=1, max_length=200)]
    due_on: dt.date
    cooperation: Key | None = None


class MeetingCreate(BaseModel):
    """A technology exchange meeting (기술교류회) and its follow-ups.

    A meeting of a ``cooperation`` takes its program, its members as the default attendees and the
    cooperation as its follow-ups' default; without one, ``program`` defaults to the consortium's.
    ``key`` defaults to one the server makes (a chosen key is kept only for those who read every
    meeting)."""

    model_config = ConfigDict(extra="forbid")
    key: Key | None = None
    title: Annotated[str, Field(min_length=1, max_length=2000)]
    held_on: dt.date
    place: Annotated[str, Field(max_length=300)] | None = None
    program: Key | None = None
    consortium: Key | None = None
    cooperation: Key | None = None
    attendees: (
        Annotated[list[Annotated[str, Field(max_length=200)]], Field(max_length=limits.ITEMS)] | None
    ) = None
    technologies: Annotated[list[Key], Field(max_length=limits.ITEMS)] = []
    follow_ups: Annotated[list[FollowUpIn], Field(max_length=limits.ITEMS)] = []


class MeetingPublic(ResponseModel):
    """The recorded meeting and the keys of the tasks made from its follow-ups."""

    model_config = ConfigDict(from_attributes=True)
    key: str
    tasks: list[str]


class MeetingDetail(ResponseModel):
    """A recorded meeting: when, where, who came and which technologies were presented."""

    id: int
    key: str
    title: str
    held_on: dt.date
    place: str | None
    program_id: int | None
    consortium_id: int | None
    attendees: list[str]
    technology_keys: list[str]
    notes: str | None


class TaskPublic(ResponseModel):
    """A follow-up task with its owner, due date and status."""

    model_config = ConfigDict(from_attributes=True)
    key: str
    title: str
    owner: str
    due_on: dt.date | None
    status: str
    meeting: str | None
    cooperation: str | None
