"""`python -m provenance.bench`: measure `provenance audit` on the shared loopback benchmark.

Makes a deterministic corpus with linkbench's `makecorpus.py` in a temporary folder, then runs
linkbench's `run_bench.py` with its `provenance` adapter (which writes a config with remap,
allow_private, concurrency and per_host, and runs `provenance audit --no-archive --format json`)
for several rounds, and prints its table.  `--peer linkinator --peer linkchecker` alternates
other checkers with it (A B C A B C ...), as docs/performance.md's figures are measured; see linkbench's
README for installing them in a scratch folder.  linkbench lives beside the project
(`../shared/bench`, or `--bench-dir`, or $PROVENANCE_BENCH_DIR); it is a measuring tool, not
part of the product, so it is run as a separate process and never imported.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

DEFAULT_BENCH_DIR = Path(__file__).resolve().parents[2] / "shared" / "bench"


def bench_dir(given: str | None) -> Path:
    """Where linkbench is: --bench-dir, $PROVENANCE_BENCH_DIR, else ../shared/bench beside the project."""
    path = Path(given or os.environ.get("PROVENANCE_BENCH_DIR") or DEFAULT_BENCH_DIR)
    if not (path / "run_bench.py").is_file() or not (path / "makecorpus.py").is_file():
        raise SystemExit(f"provenance.bench: linkbench not found in {path} (give --bench-dir)")
    return path


def commands(args: argparse.Namespace, bench: Path, work: Path) -> tuple[list[str], list[str]]:
    """The makecorpus and run_bench command lines for ARGS, writing under WORK."""
    corpus = work / "corpus"
    make = [
        sys.executable,
        str(bench / "makecorpus.py"),
        "--out",
        str(corpus),
        "--links",
        str(args.links),
        "--hosts",
        str(args.hosts),
        "--seed",
        str(args.seed),
    ]
    tools = ["--tool", "provenance"] + [arg for peer in args.peer for arg in ("--tool", peer)]
    run = [
        sys.executable,
        str(bench / "run_bench.py"),
        "--corpus",
        str(corpus),
        *tools,
        "--concurrency",
        str(args.concurrency),
        "--per-host-cap",
        str(args.per_host),
        "--rounds",
        str(args.rounds),
        "--latency-ms",
        str(args.latency_ms),
        "--timeout-s",
        str(args.timeout_s),
        "--workdir",
        str(work),
    ]
    if args.out:
        run += ["--out", args.out]
    if args.keep:
        run.append("--keep")
    return make, run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m provenance.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--links", type=int, default=2000)
    parser.add_argument("--hosts", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--per-host", type=int, default=2)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--timeout-s", type=float, default=2.0)
    parser.add_argument("--bench-dir", help="linkbench folder (default ../shared/bench)")
    parser.add_argument("--out", help="also append run_bench's JSON lines to this file")
    parser.add_argument("--keep", action="store_true", help="keep the work folder and each run's output")
    parser.add_argument(
        "--peer",
        action="append",
        default=[],
        metavar="TOOL",
        help="also run this linkbench tool in alternation (linkinator, linkchecker, refcheck, or "
        "NAME:ALIAS=COMMAND); its command comes from $LINKBENCH_<NAME> or PATH",
    )
    args = parser.parse_args(argv)
    bench = bench_dir(args.bench_dir)
    env = dict(os.environ)
    # The adapter runs LINKBENCH_PROVENANCE: this interpreter's provenance, whatever is on PATH.
    env.setdefault("LINKBENCH_PROVENANCE", f"{shlex.quote(sys.executable)} -m provenance")
    work = Path(tempfile.mkdtemp(prefix="provenance-bench-"))
    work.chmod(0o755)  # LinkChecker, run as root, drops to `nobody` and must still read the corpus
    try:
        make, run = commands(args, bench, work)
        subprocess.run(make, check=True, stdout=subprocess.DEVNULL, env=env)
        return subprocess.run(run, env=env).returncode
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
