"""The contract's strings are the code's strings, and every command answers --help."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from provenance.cli import main
from provenance.records import FindingKind, LinkRole, LinkStatus

CONTRACT = Path(__file__).resolve().parents[2] / "shared" / "CONTRACT.md"


@pytest.fixture(scope="module")
def contract_text(corpus_dir) -> str:  # corpus_dir: ../shared is present (required under CI)
    return CONTRACT.read_text(encoding="utf-8")


@pytest.mark.corpus
def test_every_finding_kind_is_in_the_contract_table_and_back(contract_text):
    table = set(re.findall(r"^\| `([a-z_0-9]+)` \|", contract_text, re.M))
    kinds = {k.value for k in FindingKind}
    assert kinds <= table
    assert table - kinds == {"audit"} or table >= kinds  # the commands table shares the shape


@pytest.mark.corpus
@pytest.mark.parametrize("enum", [LinkRole, LinkStatus])
def test_roles_and_statuses_are_the_contracts(contract_text, enum):
    for member in enum:
        assert f"`{member.value}`" in contract_text


def _commands(group, prefix=()):
    for name, command in group.commands.items():
        yield prefix + (name,)
        if hasattr(command, "commands"):
            yield from _commands(command, prefix + (name,))


@pytest.mark.parametrize("path", list(_commands(main)))
def test_every_command_has_help(path):
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def test_contract_commands_exist():
    names = {p[0] for p in _commands(main)}
    assert {"audit", "harvest", "check", "reconcile", "report", "db"} <= names
