"""The documentation tells the truth: every command, setting and public name is documented."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import typer.main

import techbridge
from techbridge.cli.app import app
from techbridge.config import Settings

ROOT = Path(__file__).resolve().parents[1]


def _generated_cli_docs() -> str:
    result = subprocess.run(
        [sys.executable, "-m", "typer", "techbridge.cli.app", "utils", "docs", "--name", "techbridge"],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def _command_paths() -> list[str]:
    paths: list[str] = []

    def walk(command: object, prefix: str) -> None:
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            paths.append(f"{prefix} {name}")
            walk(sub, f"{prefix} {name}")

    walk(typer.main.get_command(app), "techbridge")
    return paths


def test_cli_reference_is_generated_from_the_cli() -> None:
    documented = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert documented.strip() == _generated_cli_docs().strip(), "run `make docs` to regenerate docs/cli.md"


def test_every_command_is_in_the_cli_reference_with_an_example() -> None:
    documented = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for path in _command_paths():
        heading = f"## `{path}`"
        assert heading in documented, path
        section = documented.split(heading, 1)[1].split("\n## ", 1)[0]
        if "**Commands**" not in section:  # a group lists its commands; a command shows an example
            assert "Example:" in section, path


def test_every_setting_is_documented() -> None:
    documented = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    for name, field in Settings.model_fields.items():
        assert f"`TECHBRIDGE_{name.upper()}`" in documented, name
        assert field.description, name


def test_public_names_are_sorted_and_importable() -> None:
    assert techbridge.__all__ == sorted(techbridge.__all__)
    for name in techbridge.__all__:
        assert hasattr(techbridge, name), name
