"""The CORDIS preset: Horizon Europe participant lists, one row per organisation in a project.

Columns are those of ``COLUMNS`` (as in ``shared/data/README.md``). Each row gives an organisation
(key ``cordis:<organisationID>``; activity type HES/REC/PRC/PUB/OTH → kind, blank → ``other``; the
small-enterprise flag true → size class ``small``), a project (key
``HE-<projectID>``, funder "Horizon Europe") and the organisation's participation (role,
contribution in EUR). The rows of one project become one project record.

CORDIS lists an organisation once per role it has in a project (participant and associated
partner, say): such repeats are merged, not refused; the stronger role is kept and the
contributions are added.
"""

from __future__ import annotations

from typing import Any

from techbridge.domain.organization import OrganizationKind, SizeClass
from techbridge.services.ingest.mapping import Column, Mapped, Record, column_name, match_columns, parse_row
from techbridge.services.ingest.reading import Table
from techbridge.services.ingest.values import parse_country, parse_flag, parse_number, parse_text

FUNDER = "Horizon Europe"
COLUMNS = (
    Column("project_id", ("projectid",), required=True),
    Column("acronym", ("projectacronym",)),
    Column("organization_id", ("organisationid",), required=True),
    Column("name", (), required=True),
    Column("is_small", ("sme",), parse_flag),  # codespell:ignore sme
    Column("kind", ("activitytype",), lambda value: _activity(value)),
    Column("region", ("city",)),
    Column("country", (), parse_country),
    Column("role", ()),
    Column("contribution", ("eccontribution",), parse_number),
)
_ACTIVITY = {
    "HES": OrganizationKind.UNIVERSITY,
    "REC": OrganizationKind.RESEARCH_INSTITUTE,
    "PRC": OrganizationKind.COMPANY,
    "PUB": OrganizationKind.PUBLIC,
    "OTH": OrganizationKind.OTHER,
}
_ROLES = ("coordinator", "participant", "associatedPartner", "thirdParty")  # codespell:ignore


def _activity(value: Any) -> OrganizationKind:
    code = parse_text(value).upper()
    if code not in _ACTIVITY:
        raise ValueError(f"not a CORDIS activity type (HES, REC, PRC, PUB, OTH): {value!r}")
    return _ACTIVITY[code]


def is_cordis(columns: list[str]) -> bool:
    """Return whether a header looks like a CORDIS participant list."""
    names = {column_name(column) for column in columns}
    return {"projectid", "organisationid"} <= names


def map_cordis(table: Table) -> Mapped:
    """Map a CORDIS participant list to project records, each with its participating organisations."""
    file = table.path.name
    headers = match_columns(table.columns, COLUMNS)
    mapped = Mapped()
    missing = [column.field for column in COLUMNS if column.required and column.field not in headers]
    mapped.problems += [f"{file}:1: {_ORIGINAL[name]}: required column missing" for name in missing]
    if missing:
        return mapped
    projects: dict[str, Record] = {}
    for row in table.rows:
        values, problems = parse_row(file, row.line, row.values, COLUMNS, headers)
        mapped.problems += problems
        if not problems:
            _add_participation(projects, row.line, values)
    mapped.records = list(projects.values())
    return mapped


_ORIGINAL = {"project_id": "projectID", "organization_id": "organisationID", "name": "name"}


def _add_participation(projects: dict[str, Record], line: int, values: dict[str, Any]) -> None:
    key = f"HE-{values['project_id']}"
    if key not in projects:
        project = {"key": key, "acronym": values.get("acronym"), "funder": FUNDER, "source": "CORDIS"}
        projects[key] = Record("project", line, key, project | {"participants": []})
    participants: list[dict[str, Any]] = projects[key].values["participants"]
    organization = {
        "key": f"cordis:{values['organization_id']}",
        "name": values["name"],
        "kind": values.get("kind", OrganizationKind.OTHER).value,
        "country": values.get("country", ""),
        "region": values.get("region"),
        "size_class": SizeClass.SMALL.value if values.get("is_small") else None,
        "source": "CORDIS",
    }
    role, contribution = values.get("role") or "participant", values.get("contribution")
    for known in participants:
        if known["organization"]["key"] == organization["key"]:
            known["role"] = min(known["role"], role, key=_rank)
            if contribution is not None:
                known["contribution"] = (known["contribution"] or 0.0) + contribution
            return
    participants.append({"organization": organization, "role": role, "contribution": contribution})


def _rank(role: str) -> int:
    return _ROLES.index(role) if role in _ROLES else len(_ROLES)
