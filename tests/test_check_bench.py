"""The benchmark launcher builds linkbench's command lines; it never runs them here."""

from __future__ import annotations

from pathlib import Path

import pytest

from provenance import bench


def _commands(tmp_path: Path, links: int, peer: list[str]) -> tuple[list[str], list[str]]:
    """The two command lines for a harness faked in TMP_PATH, with the default settings."""
    (tmp_path / "run_bench.py").write_text("")
    (tmp_path / "makecorpus.py").write_text("")
    args = bench.argparse.Namespace(
        links=links,
        hosts=100,
        seed=1,
        rounds=3,
        concurrency=32,
        per_host=2,
        latency_ms=50.0,
        timeout_s=2.0,
        out=None,
        keep=False,
        peer=peer,
    )
    return bench.commands(args, bench.bench_dir(str(tmp_path)), tmp_path / "work")


def test_commands_carry_the_benchmark_settings(tmp_path: Path) -> None:
    make, run = _commands(tmp_path, 10000, [])
    assert make[1:] == [
        str(tmp_path / "makecorpus.py"),
        "--out",
        str(tmp_path / "work" / "corpus"),
        "--links",
        "10000",
        "--hosts",
        "100",
        "--seed",
        "1",
    ]
    joined = " ".join(run)
    for part in (
        "--tool provenance",
        "--concurrency 32",
        "--per-host-cap 2",
        "--rounds 3",
        "--latency-ms 50.0",
        "--timeout-s 2.0",
    ):
        assert part in joined


def test_peers_alternate_after_provenance(tmp_path: Path) -> None:
    _, run = _commands(tmp_path, 2000, ["linkinator", "linkchecker"])
    tools = [run[i + 1] for i, part in enumerate(run) if part == "--tool"]
    assert tools == ["provenance", "linkinator", "linkchecker"]


def test_missing_linkbench_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="linkbench not found"):
        bench.bench_dir(str(tmp_path))
