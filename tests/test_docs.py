"""The documentation cannot drift from the code (as sqlite-utils' and datasette's docs tests do):
every command's --help shows an example, README.md's commands table lists every command, and
config.yaml names every configuration key, with a comment and the built-in default."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
import yaml
from click.testing import CliRunner

from provenance.cli import main
from provenance.config import Config, SourceConfig, config_from_mapping, load_config

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
CONFIG = ROOT / "config.yaml"


def _command_paths(command: click.Command, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """PATH and, for a group, every command under it, as the words after `provenance`."""
    yield path
    if isinstance(command, click.Group):
        ctx = click.Context(command, info_name=path[-1] if path else "provenance")
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            assert sub is not None, name
            yield from _command_paths(sub, (*path, name))


COMMANDS = list(_command_paths(main))
SUBCOMMANDS = [path for path in COMMANDS if path]


def _name(path: tuple[str, ...]) -> str:
    return " ".join(("provenance", *path))


def test_the_walk_finds_the_commands_and_the_db_subcommand() -> None:
    assert {"audit", "harvest", "check", "reconcile", "report", "daemon", "status", "db"} <= {p[0] for p in SUBCOMMANDS}
    assert ("db", "upgrade") in SUBCOMMANDS


def _example_lines(help_text: str) -> list[str]:
    """The lines of the help's "Example:" (or "Examples:") section, up to the next blank line."""
    lines = help_text.splitlines()
    for i, line in enumerate(lines):
        if line.strip() in ("Example:", "Examples:"):
            section = []
            for following in lines[i + 1 :]:
                if not following.strip():
                    break
                section.append(following.strip())
            return section
    return []


@pytest.mark.parametrize("path", COMMANDS, ids=_name)
def test_every_command_help_has_an_example(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, result.output
    examples = _example_lines(result.output)
    assert any(line.startswith("provenance ") for line in examples), f"no example in {_name(path)} --help"


def test_an_example_is_found_only_under_its_heading() -> None:
    assert _example_lines("Usage: x\n\n  Does x.\n\n  Example:\n    provenance x --y\n\nOptions:\n") == [
        "provenance x --y"
    ]
    assert _example_lines("Usage: x\n\n  Run provenance x to do x.\n\nOptions:\n") == []


def _readme_commands() -> list[list[str]]:
    """The first cell of each row of README.md's Commands table, as words."""
    section = README.read_text(encoding="utf-8").split("\n## Commands\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")][2:]  # past the header and rule
    return [row.split("|")[1].strip().strip("`").split() for row in rows]


@pytest.mark.parametrize("path", SUBCOMMANDS, ids=_name)
def test_every_command_is_in_the_readme_commands_table(path: tuple[str, ...]) -> None:
    listed = _readme_commands()
    assert any(words[0] == "provenance" and words[1 : 1 + len(path)] == list(path) for words in listed), (
        f"{_name(path)} is not in README.md's Commands table"
    )


def _sections() -> dict[str, object]:
    """Config's sections (http, harvest, ...): its fields whose defaults are dataclasses themselves."""
    defaults = Config()
    return {
        f.name: getattr(defaults, f.name)
        for f in dataclasses.fields(Config)
        if dataclasses.is_dataclass(getattr(defaults, f.name))
    }


SECTION_KEYS = [
    (section, f.name)
    for section, default in _sections().items()
    for f in dataclasses.fields(default)  # type: ignore[arg-type]
]
SOURCE_KEYS = [f.name for f in dataclasses.fields(SourceConfig)]


def test_the_sections_are_the_documented_ones() -> None:
    assert list(_sections()) == ["http", "harvest", "archive", "schedule", "reconcile"]
    assert sorted(SOURCE_KEYS) == ["every", "path", "url"]


def _commented(lines: list[str], index: int) -> bool:
    """A `#` comment on line INDEX after its value, or a comment line right above it."""
    return bool(re.search(r"\s#", lines[index])) or (index > 0 and lines[index - 1].lstrip().startswith("#"))


def _key_line(lines: list[str], section: str, key: str) -> int:
    """The index of KEY's line within SECTION's block of config.yaml."""
    start = lines.index(next(line for line in lines if line.startswith(f"{section}:")))
    for i in range(start + 1, len(lines)):
        if lines[i] and not lines[i].startswith((" ", "#")):
            break  # the next section
        if re.match(rf"\s+{re.escape(key)}:", lines[i]):
            return i
    raise AssertionError(f"{section}.{key} has no line in config.yaml")


@pytest.mark.parametrize(("section", "key"), SECTION_KEYS, ids=[f"{s}.{k}" for s, k in SECTION_KEYS])
def test_every_config_key_is_in_config_yaml_with_a_comment(section: str, key: str) -> None:
    shipped = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    assert key in (shipped.get(section) or {}), f"{section}.{key} is missing from config.yaml"
    lines = CONFIG.read_text(encoding="utf-8").splitlines()
    assert _commented(lines, _key_line(lines, section, key)), f"{section}.{key} has no comment in config.yaml"


def _source_example() -> tuple[list[str], list[dict]]:
    """The commented-out `sources:` entries under `sources: []`, uncommented, and as parsed."""
    lines = CONFIG.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("sources:"))
    example = []
    for line in lines[start + 1 :]:
        if not line.startswith("#"):
            break
        example.append(line[1:])
    return example, yaml.safe_load("\n".join(example)) or []


@pytest.mark.parametrize("key", SOURCE_KEYS)
def test_every_source_key_is_in_config_yamls_example_with_a_comment(key: str) -> None:
    """`sources:` ships empty (the daemon watches nothing until told), so its keys are documented in
    a commented-out example; that example must be a valid sources list."""
    example, entries = _source_example()
    assert any(key in entry for entry in entries), f"sources[].{key} is not in config.yaml's example"
    config_from_mapping({"sources": entries})  # raises ConfigError if the example is not valid
    [first] = [i for i, line in enumerate(example) if re.match(rf"\s*(- )?{key}:", line)][:1]
    assert _commented(example, first), f"sources[].{key} has no comment in config.yaml's example"


def test_config_yaml_holds_exactly_the_built_in_defaults() -> None:
    loaded = load_config(CONFIG)
    assert loaded.base_dir == ROOT
    assert dataclasses.replace(loaded, base_dir=Config().base_dir) == Config()


def _layout_block() -> str:
    """The fenced block of README.md's "Layout" section."""
    section = README.read_text(encoding="utf-8").split("## Layout", 1)[1]
    return section.split("```", 2)[1]


@pytest.mark.parametrize(
    "name",
    sorted(
        path.name
        for path in (ROOT / "provenance").iterdir()
        if (path.suffix == ".py" or (path / "__init__.py").is_file()) and path.name != "__pycache__"
    ),
)
def test_the_readme_layout_names_every_top_level_module(name: str) -> None:
    shown = name if name.endswith(".py") else f"{name}/"
    assert re.search(rf"(?<![\w/]){re.escape(shown)}", _layout_block()), f"README.md's Layout omits {shown}"
