"""Which files a harvest reads: inside the named targets only, regular files only, each real file once."""

from __future__ import annotations

import os
import pickle
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy.engine import Engine

from provenance import pipeline
from provenance.cli import main
from provenance.config import Config
from provenance.harvest.files import expand_targets, source_targets
from provenance.reading import read_capped
from provenance.store import repo
from provenance.store.db import session_scope

CITING = "A note citing https://example.org/a today.\n"


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "note.txt").write_text(CITING, encoding="utf-8")
    return folder


def _audit(tmp_path: Path, *targets: str):
    db = f"sqlite:///{tmp_path / 'p.sqlite'}"
    return CliRunner().invoke(main, ["audit", *targets, "--offline", "--db", db])


def test_a_link_leading_out_of_the_folder_is_not_followed(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    secret = tmp_path / "secret.txt"
    secret.write_text("TOKEN=https://evil.example/?k=s3cret\n", encoding="utf-8")
    (folder / "passwd").symlink_to("/etc/passwd")
    (folder / "environ").symlink_to("/proc/self/environ")
    (folder / "secret.txt").symlink_to(secret)
    inputs = expand_targets([str(folder)])
    assert [item.source for item in inputs.items] == [str(folder / "note.txt")]
    assert {s.source: s.reason for s in inputs.skipped} == {
        str(folder / name): "a link leading outside the folder: not followed"
        for name in ("passwd", "environ", "secret.txt")
    }
    assert not any(s.failed for s in inputs.skipped)

    result = _audit(tmp_path, str(folder))
    assert result.exit_code == 0, result.output
    assert "s3cret" not in result.stdout and "evil.example" not in result.stdout
    assert result.stderr.count("not followed") == 3


def test_links_inside_the_folder_are_read_once_by_their_real_path(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    (folder / "sub").mkdir()
    (folder / "sub" / "again.txt").symlink_to(folder / "note.txt")
    (folder / "mirror").symlink_to(folder / "sub", target_is_directory=True)
    inputs = expand_targets([str(folder)])
    assert [(item.source, item.location) for item in inputs.items] == [
        (str(folder / "note.txt"), str((folder / "note.txt").resolve()))
    ]
    assert inputs.skipped == ()


def test_a_named_link_is_the_users_choice_and_is_followed(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text(CITING, encoding="utf-8")
    named = tmp_path / "named.txt"
    named.symlink_to(elsewhere)
    (item,) = expand_targets([str(named)]).items
    assert item.named and item.source == str(named) and item.path == elsewhere.resolve()


def test_special_files_are_never_opened(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    os.mkfifo(folder / "pipe")
    inputs = expand_targets([str(folder)])
    assert [item.source for item in inputs.items] == [str(folder / "note.txt")]
    assert [(s.source, s.reason) for s in inputs.skipped] == [
        (str(folder / "pipe"), "not a regular file: a named pipe")
    ]
    # Named, a FIFO is an input that cannot be read: one line and exit 2, not a hang.
    result = _audit(tmp_path, str(folder / "note.txt"), str(folder / "pipe"))
    assert result.exit_code == 2
    assert (
        result.stderr.strip()
        == f"provenance: cannot read {folder / 'pipe'}: cannot read: not a regular file: a named pipe"
    )


def test_a_pseudo_file_is_read_only_up_to_the_size_it_declares(tmp_path: Path) -> None:
    # /proc files declare size 0 and produce text (or block, /proc/kmsg) when read.
    assert read_capped(Path("/proc/self/environ"), 1_000_000) == (b"", False)
    grown = tmp_path / "grown.txt"
    grown.write_bytes(b"x" * 10)
    assert read_capped(grown, 4) == (b"xxxx", True)


def test_the_same_file_by_two_spellings_is_one_document(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: Engine
) -> None:
    folder = _folder(tmp_path)
    monkeypatch.chdir(tmp_path)
    first = pipeline.harvest(engine, Config(), ["docs/note.txt", "./docs/note.txt", str(folder / "note.txt")])
    second = pipeline.harvest(engine, Config(), [str(folder)])
    with session_scope(engine) as session:
        docs = repo.load_documents(session, with_links=False)
    assert len(set(first.document_ids)) == 1 and first.document_ids == second.document_ids
    assert [(d.source, d.location) for d in docs] == [(str(folder / "note.txt"), str(folder.resolve() / "note.txt"))]


def test_a_folder_that_cannot_be_listed_is_said_and_fails_the_input(tmp_path: Path) -> None:
    """Run as an unprivileged user (a forked child drops root, which may list anything)."""
    top = Path(tempfile.mkdtemp(prefix="provenance-files-"))
    try:
        top.chmod(0o755)
        (top / "note.txt").write_text(CITING, encoding="utf-8")
        (top / "note.txt").chmod(0o644)
        (top / "locked").mkdir(mode=0o000)
        inputs = _expand_as_nobody(str(top))
    finally:
        (top / "locked").chmod(0o755)
        for path in sorted(top.rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
        top.rmdir()
    assert [item.source for item in inputs.items] == [str(top / "note.txt")]
    assert [(s.source, s.reason, s.failed) for s in inputs.skipped] == [
        (str(top / "locked"), "cannot list: Permission denied", True)
    ]
    outcome = pipeline.HarvestOutcome((1,), skipped=inputs.skipped)
    assert outcome.input_failed


def _expand_as_nobody(target: str):
    if os.geteuid() != 0:
        return expand_targets([target])
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child's result is checked by the parent
        try:
            os.close(read)
            os.setgid(65534)
            os.setuid(65534)
            os.write(write, pickle.dumps(expand_targets([target])))
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        data = pipe.read()
    os.waitpid(child, 0)
    return pickle.loads(data)


def test_a_watched_glob_stays_inside_its_folder(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    outside = tmp_path / "outside.md"
    outside.write_text(CITING, encoding="utf-8")
    (folder / "leak.md").symlink_to(outside)
    (folder / "page.md").write_text(CITING, encoding="utf-8")
    os.mkfifo(folder / "pipe.md")
    assert source_targets(tmp_path, "docs/*.md") == [str(folder / "page.md")]
