"""Fixtures shared by every test file.

Helpers that are plain functions or values (not fixtures) live in modules the tests import:
loopback.py (a real HTTP server), audited.py (the audited fixture folder), helpers.py (the rest).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import responses
from audited import AuditedDb, build_audited_db
from helpers import PUBLIC
from loopback import loopback  # noqa: F401 - serve()'s fixture form, for every test file
from sqlalchemy.engine import Engine

from provenance.config import HttpConfig
from provenance.net.client import HttpClient
from provenance.store.migrate import open_store

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"


def _corpus_dir() -> Path:
    return Path(os.environ.get("PROVENANCE_CORPUS", ROOT.parent / "shared" / "corpus"))


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """../shared/corpus, read in place. CI sets PROVENANCE_REQUIRE_CORPUS=1 so absence fails there."""
    path = _corpus_dir()
    if not path.is_dir():
        if os.environ.get("PROVENANCE_REQUIRE_CORPUS"):
            pytest.fail(f"corpus required but missing at {path}")
        pytest.skip(f"real-world corpus not found at {path}")
    return path


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--regen-golden",
        action="store_true",
        default=False,
        help="rewrite golden reports in tests/data/golden/ from the current output",
    )


@pytest.fixture
def regen_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--regen-golden"))


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """A SQLite file in the test's tmp_path, for a second connection to the `engine` store."""
    return f"sqlite:///{tmp_path / 'store.sqlite'}"


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """A new store at `db_url`, migrated to head, disposed after the test."""
    engine = open_store(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def client() -> Iterator[HttpClient]:
    """An HttpClient for `responses`-mocked sites: every host resolves to one public address."""
    with HttpClient(HttpConfig(timeout=5), resolver=PUBLIC) as c:
        yield c


@pytest.fixture
def mocked() -> Iterator[responses.RequestsMock]:
    """Mocked HTTP for `client`; fails the test if a registered answer was never asked for."""
    with responses.RequestsMock() as rsps:
        yield rsps


@pytest.fixture(scope="session")
def audited_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AuditedDb]:
    """The fixture folder audited on day 1, re-checked on day 3 (audited.py); tests only read it."""
    yield from build_audited_db(tmp_path_factory.mktemp("audited"))
