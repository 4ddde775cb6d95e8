"""The list and get routes of a public record kind, written once (``add_record_routes``).

``GET /{plural}`` answers one page of records (``?limit``, ``?offset`` and the kind's filters) and
``GET /{plural}/{ident}`` one record by id or key; both through ``services.catalogue.records``.
"""

# No ``from __future__ import annotations`` here: FastAPI reads the annotations of the route functions
# built below, and they name the resource's own filter dependency, which only exists in this closure.

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from techbridge.api.deps import ActorDep, CoreDep, PagingDep
from techbridge.api.schemas import Page
from techbridge.services.catalogue.entity import Row
from techbridge.services.catalogue.records import RecordFilter, RecordPage, get_record, list_records

TextQuery = Annotated[str | None, Query(max_length=200, description="Text the name or title contains.")]
ValueQuery = Annotated[str | None, Query(max_length=200)]


def add_record_routes(
    router: APIRouter,
    kind: str,
    plural: str,
    schema: type[BaseModel],
    filters: Callable[..., dict[str, Any]],
) -> None:
    """Add ``GET ""`` (a filtered page) and ``GET "/{ident}"`` (one record) for ``kind`` to ``router``.

    Args:
        kind: the record kind, singular (``organization``).
        plural: how paths and summaries name it (``organizations``).
        schema: the response model of one record.
        filters: a FastAPI dependency that declares the list's query filters and returns their values.
    """
    Filters = Annotated[dict[str, Any], Depends(filters)]

    def list_page(core: CoreDep, actor: ActorDep, paging: PagingDep, values: Filters) -> RecordPage:
        return list_records(core, actor, kind, RecordFilter(values, paging.limit, paging.offset))

    def get_one(core: CoreDep, actor: ActorDep, ident: str) -> Row:
        return get_record(core, actor, kind, ident)

    router.add_api_route(
        "",
        list_page,
        methods=["GET"],
        response_model=Page[schema],  # type: ignore[valid-type]
        name=f"list_{plural}",
        summary=f"List {plural}",
        description=f"List {plural} (any signed-in user), filtered by the query parameters.",
    )
    router.add_api_route(
        "/{ident}",
        get_one,
        methods=["GET"],
        response_model=schema,
        name=f"get_{kind}",
        summary=f"Read one {kind}",
        description=f"Read one {kind} by id or key.",
    )
