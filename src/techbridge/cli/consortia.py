"""CLI commands of consortia: ``consortium``, ``fusion`` and ``cluster`` groups, and ``eval-consortia``."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer

from techbridge.cli.output import cli_errors, console, err_console, opened, print_json, print_table
from techbridge.domain.team import Weights
from techbridge.errors import InvalidError

consortium_app = typer.Typer(help="Build consortia and complete them with partners.", no_args_is_help=True)
fusion_app = typer.Typer(help="Discover and record fusion technologies.", no_args_is_help=True)
cluster_app = typer.Typer(help="Group technologies into themed patent clusters.", no_args_is_help=True)

_JSON = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
_ORGS = Annotated[list[str] | None, typer.Option("--org", help="An organisation key (repeatable).")]
_CONSORTIUM = Annotated[str | None, typer.Option("--consortium", help="Key of a stored consortium.")]


def _roles(values: list[str] | None) -> dict[str, int]:
    roles = {}
    for value in values or []:
        kind, _, count = value.partition("=")
        if not kind or not (count.isascii() and count.isdigit()):
            raise InvalidError(f"--role wants KIND=COUNT, got {value!r}")
        roles[kind.strip()] = int(count)
    return roles


@consortium_app.command("build")
def build(
    ctx: typer.Context,
    need: Annotated[str, typer.Argument(help="The field or need, as text.")],
    code: Annotated[list[str] | None, typer.Option(help="A classification code the need asks for.")] = None,
    competence: Annotated[
        list[str] | None, typer.Option(help="A competence (replaces derived ones).")
    ] = None,
    lead: Annotated[str | None, typer.Option(help="Key of a fixed lead organisation.")] = None,
    member: Annotated[list[str] | None, typer.Option(help="Key of a fixed member (repeatable).")] = None,
    size: Annotated[int, typer.Option(help="Members wanted, fixed ones included.")] = 5,
    role: Annotated[list[str] | None, typer.Option(help="At least COUNT of KIND: KIND=COUNT.")] = None,
    kind: Annotated[list[str] | None, typer.Option(help="Only candidates of this kind.")] = None,
    country: Annotated[list[str] | None, typer.Option(help="Only candidates in this country.")] = None,
    top: Annotated[int, typer.Option(help="How many alternative consortia.")] = 3,
    method: Annotated[str, typer.Option(help="auto, exact or greedy.")] = "auto",
    differ: Annotated[int, typer.Option(help="Alternatives differ in at least this many members.")] = 1,
    weights: Annotated[str, typer.Option(help="Coverage,strength,cohesion weights.")] = "0.6,0.2,0.2",
    save: Annotated[str | None, typer.Option(help="Store the best consortium under this key.")] = None,
    as_json: _JSON = False,
) -> None:
    """Propose consortia covering a need: members, coverage matrix with evidence, ties, one score.

    Example: techbridge consortium build "인공지능 기반 정밀의료, 스마트 공장" --lead kr-gist --country KR
    """
    from techbridge.services.consortia.builder import ConsortiumRequest
    from techbridge.services.consortia.consortium import propose_consortia

    with cli_errors():
        parts = [float(w) for w in weights.split(",")]
        if len(parts) != 3:
            raise InvalidError("--weights wants three numbers: coverage,strength,cohesion")
        request = ConsortiumRequest(
            need=need, codes=tuple(code or ()), competences=tuple(competence or ()), lead=lead,
            members=tuple(member or ()), size=size, roles=_roles(role), kinds=tuple(kind or ()),
            countries=tuple(country or ()), top=top, method=method, differ=differ, weights=Weights(*parts),
            save=save,
        )  # fmt: skip
    with opened(ctx) as (core, actor):
        result = propose_consortia(core, actor, request)
    if as_json:
        print_json(result)
        return
    _print_consortia(result)


def _print_consortia(result: dict[str, Any]) -> None:
    console.print(f"Competences: {', '.join(result['competences'])}")
    console.print(f"Search: {result['method']} over {result['candidates']} candidates; {result['guarantee']}")
    for n, option in enumerate(result["consortia"], 1):
        title = (
            f"Consortium {n}: score {option['score']:.3f} (coverage {option['coverage']:.2f}, "
            f"strength {option['strength']:.2f}, cohesion {option['cohesion']:.2f})"
        )
        print_table(title, ("key", "name", "kind", "role", "why"), option["members"])
        for tie in option["history"]:
            console.print(f"  worked together: {' + '.join(tie['members'])}: {', '.join(tie['shared'][:5])}")


@consortium_app.command("partners")
def partners(
    ctx: typer.Context,
    members: Annotated[list[str], typer.Argument(help="Keys of the members the consortium has.")],
    need: Annotated[str | None, typer.Option(help="What it works on (adds text relevance).")] = None,
    k: Annotated[int, typer.Option("-k", help="How many partners.")] = 10,
    as_json: _JSON = False,
) -> None:
    """Rank who should join a consortium: past collaboration with its members, and the need's text.

    Example: techbridge consortium partners kr-etri kr-kims --need "인공지능 스마트 공장" -k 5
    """
    from techbridge.services.consortia.consortium import PartnerRequest, suggest_partners

    with opened(ctx) as (core, actor):
        found = [asdict(p) for p in suggest_partners(core, actor, PartnerRequest(tuple(members), need, k))]
    if as_json:
        print_json(found)
        return
    rows = [{**p, "history": [f"{m}: {', '.join(g[:3])}" for m, g in p["history"].items()]} for p in found]
    print_table("Partners", ("key", "name", "kind", "country", "score", "history", "evidence"), rows)


@consortium_app.command("load-seeded")
def load_seeded(ctx: typer.Context) -> None:
    """Store the five consortia of the 2017–2022 university–institute program (bundled facts).

    Example: techbridge consortium load-seeded
    """
    from techbridge.services.consortia.consortium import load_seeded_consortia

    with opened(ctx) as (core, actor):
        created = load_seeded_consortia(core, actor)
    console.print(f"Stored {created} consortia")


@fusion_app.command("find")
def fusion_find(
    ctx: typer.Context,
    need: Annotated[str | None, typer.Option(help="The field or need the combination serves.")] = None,
    org: _ORGS = None,
    consortium: _CONSORTIUM = None,
    k: Annotated[int, typer.Option("-k", help="How many pairs.")] = 10,
    as_json: _JSON = False,
) -> None:
    """Rank pairs of technologies of different owners that complement each other, and explain them.

    Example: techbridge fusion find --need "인공지능 기반 정밀의료" --consortium msit-lab-linked-gist
    """
    from techbridge.services.consortia.fusion import FusionSearch, find_fusions

    with opened(ctx) as (core, actor):
        result = find_fusions(core, actor, FusionSearch(need, tuple(org or ()), consortium, k))
    if as_json:
        print_json(result)
        return
    rows = [
        {
            "key": f["key"],
            "score": f["score"],
            "pair": [t["title"][:40] for t in f["technologies"]],
            "why": f["why"],
        }
        for f in result["fusions"]
    ]
    print_table(f"Fusion candidates ({result['portfolio']['size']} {result['portfolio']['kind']})",
                ("key", "score", "pair", "why"), rows)  # fmt: skip


@fusion_app.command("record")
def fusion_record(
    ctx: typer.Context,
    first: Annotated[str, typer.Argument(help="Key of the first technology.")],
    second: Annotated[str, typer.Argument(help="Key of the second technology.")],
    description: Annotated[str, typer.Option(help="What the combination is for.")] = "",
    consortium: _CONSORTIUM = None,
) -> None:
    """Record a discovered fusion technology (an outcome of kind fusion_technology).

    Example: techbridge fusion record KR1020200012345 KR1020190054321 --description "AI 진단 + 영상"
    """
    from techbridge.services.consortia.fusion import FusionRecord, record_fusion

    with opened(ctx) as (core, actor):
        view = record_fusion(core, actor, FusionRecord(first, second, description, consortium))
    console.print(f"Recorded fusion technology {view.key}")


@cluster_app.command("build")
def cluster_build(
    ctx: typer.Context,
    org: _ORGS = None,
    consortium: _CONSORTIUM = None,
    field: Annotated[str | None, typer.Option(help="A field: the technologies closest to this text.")] = None,
    k: Annotated[int | None, typer.Option("-k", help="Clusters (default: about sqrt(n/2)).")] = None,
    limit: Annotated[int, typer.Option(help="At most this many technologies.")] = 300,
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for clusters.json/xlsx/svg.")] = Path("."),
    as_json: _JSON = False,
) -> None:
    """Group technologies into themed clusters, export them as licensing bundles and draw a map.

    Example: techbridge cluster build --consortium msit-lab-linked-gist --out clusters/
    """
    from techbridge.services.consortia.cluster import (
        ClusterRequest,
        build_clusters,
        clustering_json,
        write_cluster_files,
    )
    from techbridge.services.consortia.portfolio import PortfolioScope

    scope = PortfolioScope(tuple(org or ()), consortium, field, limit)
    with opened(ctx) as (core, actor):
        built = build_clusters(core, actor, ClusterRequest(scope, k))
        paths = write_cluster_files(built.clustering, out)
    clustering, portfolio = built.clustering, built.portfolio
    if as_json:
        print_json({**clustering_json(clustering), "files": {k: str(p) for k, p in paths.items()}})
        return
    rows = [{"cluster": c.number, "size": len(c.records), "terms_ko": c.terms_ko, "terms_en": c.terms_en,
             "codes": c.codes} for c in clustering.clusters]  # fmt: skip
    print_table(f"{len(rows)} clusters of {len(portfolio.records)} {portfolio.kind}", list(rows[0]), rows)
    console.print("Wrote " + ", ".join(str(p) for p in paths.values()))


def eval_consortia(
    participants_csv: Annotated[Path, typer.Argument(help="CORDIS-style participants .csv(.gz).")],
    from_project: Annotated[
        int | None, typer.Option(help="First grant number queried (default: the last fifth of projects).")
    ] = None,
) -> None:
    """Measure partner completion: for each later project, rank partners of its coordinator.

    Only projects with smaller grant numbers are used. Prints one JSON object on standard output.

    Example: techbridge eval-consortia cordis-he-participants-dev/participants.csv.gz --from-project 101114732
    """
    from techbridge.services.matching.consortium_eval import run_consortium_eval, split_point

    with cli_errors():
        start = from_project if from_project is not None else split_point(participants_csv)
        err_console.print(f"evaluating projects from grant {start}")

        def tick(done: int, total: int) -> None:
            if done % 200 == 0 or done == total:
                sys.stderr.write(f"{done}/{total} projects\n")

        report = run_consortium_eval(participants_csv, start, progress=tick)
    typer.echo(json.dumps(report))


def register(app: typer.Typer) -> None:
    """Add the ``consortium``, ``fusion`` and ``cluster`` groups and ``eval-consortia`` to ``app``."""
    app.add_typer(consortium_app, name="consortium")
    app.add_typer(fusion_app, name="fusion")
    app.add_typer(cluster_app, name="cluster")
    app.command("eval-consortia")(eval_consortia)
