"""The command line: thin click commands over pipeline.py.

Data goes to stdout, progress and logs to stderr.  Every ProvenanceError becomes one stderr line
and exit 2; a traceback is shown only with --debug.
"""

from __future__ import annotations

import atexit
import functools
import logging
import os
import sys
import threading
from collections.abc import Callable
from contextlib import nullcontext
from enum import IntEnum
from typing import Any

import click

from . import __version__
from .config import Config, load_config
from .errors import ConfigError, ProvenanceError

log = logging.getLogger("provenance")


class Exit(IntEnum):
    OK = 0
    FINDINGS = 1  # audit: at least one finding of severity error
    USAGE = 2  # bad usage, or input that could not be read at all
    BUSY = 3  # daemon: another daemon holds the database's lease (or took it over)
    JOB_FAILED = 4  # daemon --once: at least one job ended in error
    INTERRUPTED = 130  # Ctrl-C (128 + SIGINT): what was stored stays, the next run finishes the work


class Context:
    """What every command needs: config, database URL, output format, network switches."""

    def __init__(
        self, config: Config, db: str, fmt: str, offline: bool, archives: bool, quiet: bool, debug: bool
    ) -> None:
        self.config, self.db, self.fmt = config, db, fmt
        self.offline, self.archives, self.quiet, self.debug = offline, archives, quiet, debug
        self._engine = None

    def engine(self):
        """The store, opened and migrated once per command (audit, harvest and reconcile ask twice)."""
        if self._engine is None:
            from .store.migrate import open_store

            self._engine = open_store(self.db)
        return self._engine

    def close(self) -> None:
        """Close the store's connections (SQLite checkpoints its WAL into the file as the last one closes)."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def client(self):
        if self.offline:
            return None
        from .net.client import HttpClient

        return HttpClient(self.config.http)

    def progress(self, label: str):
        from .progress import progress_bar

        return progress_bar(label, enabled=not self.quiet)


def common_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--config, --db, --format, --offline, --no-archive, --quiet, --debug on every command."""
    options = [
        click.option(
            "--config",
            "config_path",
            type=click.Path(dir_okay=False),
            default=None,
            help="YAML config (default: ./config.yaml when present).",
        ),
        click.option("--db", default="sqlite:///provenance.sqlite", show_default=True, help="SQLAlchemy database URL."),
        click.option(
            "--format",
            "fmt",
            type=click.Choice(["table", "json", "csv", "html"]),
            default="table",
            show_default=True,
            help="Output format.",
        ),
        click.option("--offline", is_flag=True, help="No network: harvest and reconcile only."),
        click.option("--no-archive", is_flag=True, help="Check links but skip archive look-ups."),
        click.option("--quiet", "-q", is_flag=True, help="No progress output."),
        click.option("--debug", is_flag=True, help="Show tracebacks and debug logs."),
    ]

    @functools.wraps(func)
    def wrapper(config_path, db, fmt, offline, no_archive, quiet, debug, **kwargs):
        _setup_logging(debug)
        ctx: Context | None = None
        try:
            ctx = Context(load_config(config_path), db, fmt, offline, not no_archive, quiet, debug)
            code = func(ctx, **kwargs)
        except ProvenanceError as exc:
            if debug:
                raise
            click.echo(f"provenance: {_one_line(exc)}", err=True)
            sys.exit(Exit.USAGE)
        except KeyboardInterrupt:  # every unit of work is its own transaction: nothing half-stored
            if debug:
                raise
            click.echo("provenance: interrupted; what was stored is kept, run the command again to finish", err=True)
            sys.exit(Exit.INTERRUPTED)
        finally:
            if ctx is not None:
                ctx.close()
        sys.exit(code or Exit.OK)

    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _setup_logging(debug: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="provenance")
def main() -> None:
    """Audit what documents cite: harvest links, check them, compare with web archives, report rot."""
    from .memory import limit_malloc_arenas

    limit_malloc_arenas()  # before any worker thread: see memory.py


def run() -> None:
    """The console entry point: `main`, then leave without tearing the interpreter down.

    Once the command is over (output written, store closed, exit handlers run), freeing every
    module and object one at a time is all that is left of a normal exit: ~0.13 s of every
    command, most of it the imports (measured on linkbench's 2,000-link audit).  Left to Python
    whenever another thread is still alive: Python waits for non-daemon threads, and for pool
    workers even when they are daemon threads (the daemon's APScheduler jobs finish their run
    rows that way after a stop).
    """
    try:
        main()
    except SystemExit as done:
        if threading.active_count() > 1:
            raise
        code = _exit_status(done.code)
        atexit._run_exitfuncs()
        code = _flush_output(code)
        os._exit(code)


def _exit_status(code: object) -> int:
    """The process status Python gives SystemExit(CODE): None is 0, a message is printed and 1."""
    if code is None or isinstance(code, int):
        return code or 0
    print(code, file=sys.stderr)
    return 1


def _flush_output(code: int) -> int:
    """Flush stdout and stderr; a failed flush (a full disk, a closed pipe) is 120, as in Python."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            code = code or 120
    return code


def _print_report(ctx: Context, document_ids=None) -> None:
    from .report.formats import write_stored_report

    write_stored_report(ctx.engine(), ctx.fmt, sys.stdout, document_ids)


@main.command()
@click.argument("targets", nargs=-1, required=True)
@common_options
def audit(ctx: Context, targets: tuple[str, ...]) -> int:
    """Harvest TARGETS (files, folders, URLs), check every link, look up snapshots, reconcile, report."""
    from . import pipeline

    engine = ctx.engine()
    client = ctx.client()
    try:
        with ctx.progress("checking") as progress:
            outcome = pipeline.audit(
                engine, ctx.config, list(targets), client, archives=ctx.archives, progress=progress
            )
    finally:
        if client is not None:
            client.close()
    _print_report(ctx, outcome.document_ids)
    return Exit.FINDINGS if outcome.findings.errors else Exit.OK


@main.command()
@click.argument("targets", nargs=-1, required=True)
@common_options
def harvest(ctx: Context, targets: tuple[str, ...]) -> int:
    """Harvest TARGETS into the database (no checks)."""
    from . import pipeline

    client = ctx.client()
    try:
        outcome = pipeline.harvest(ctx.engine(), ctx.config, list(targets), client=client)
    finally:
        if client is not None:
            client.close()
    _print_report(ctx, outcome.document_ids)
    return Exit.OK


@main.command()
@click.option("--all", "check_all", is_flag=True, help="Check every stored link, not only those due.")
@common_options
def check(ctx: Context, check_all: bool) -> int:
    """Check the links that are due (all with --all)."""
    from . import pipeline

    if ctx.offline:
        raise ConfigError("check needs the network; drop --offline")
    engine = ctx.engine()
    chosen = nullcontext(pipeline.checkable_urls(engine)) if check_all else pipeline.due_urls(engine, ctx.config)
    client = ctx.client()
    try:
        with chosen as urls, ctx.progress("checking") as progress:
            done = pipeline.check(engine, ctx.config, client, urls, progress=progress)
            if ctx.archives and ctx.config.archive.enabled:
                pipeline.archive(engine, ctx.config, client, urls)
    finally:
        client.close()
    click.echo(f"checked {done} links", err=True)
    return Exit.OK


@main.command()
@common_options
def reconcile(ctx: Context) -> int:
    """Recompute findings from what is stored (no network)."""
    from . import pipeline

    pipeline.reconcile(ctx.engine(), ctx.config)
    _print_report(ctx)
    return Exit.OK


@main.command()
@click.argument("name", required=False)
@click.option("--sql", "sql", default=None, help="Run a read-only SQL query.")
@click.option("--output", "-o", type=click.File("w", encoding="utf-8"), default=None, help="Write to FILE.")
@click.option("--document", default=None, help="Only this document (id as reports show it, e.g. d3).")
@click.option("--domain", default=None, help="Only links of this registrable domain (e.g. bbc.co.uk).")
@click.option("--kind", default=None, help="Only this finding kind (or, for link reports, this status).")
@click.option("--since", default=None, help="Only rows on or after this ISO date (or date-time, UTC).")
@common_options
def report(
    ctx: Context,
    name: str | None,
    sql: str | None,
    output,
    document: str | None,
    domain: str | None,
    kind: str | None,
    since: str | None,
) -> int:
    """Named reports (none given: list them; --format json|csv|html: the whole report), or read-only --sql."""
    from .report.named import ReportFilters, run_named_or_sql

    filters = ReportFilters(document=document, domain=domain, kind=kind, since=since)
    run_named_or_sql(ctx, name, sql, output or sys.stdout, filters)
    return Exit.OK


@main.command()
@click.option("--once", is_flag=True, help="Run one full cycle (harvest, check, archive, reconcile) and exit.")
@common_options
def daemon(ctx: Context, once: bool) -> int:
    """Scheduled service: harvest watched sources, check due links, reconcile; stops on SIGINT/SIGTERM."""
    import os

    from .daemon import Daemon, stop_on_signals
    from .errors import LeaseHeld

    logging.getLogger("provenance").setLevel(
        logging.DEBUG if ctx.debug else logging.WARNING if ctx.quiet else logging.INFO
    )
    logging.getLogger("apscheduler").setLevel(logging.DEBUG if ctx.debug else logging.WARNING)
    engine = ctx.engine()
    client = ctx.client()
    service = Daemon(engine, ctx.config, client, archives=ctx.archives)
    try:
        with stop_on_signals(service.stop):
            outcome = service.run_once() if once else service.serve()
    except LeaseHeld as exc:
        click.echo(f"provenance: {exc}", err=True)
        return Exit.BUSY
    finally:
        if client is not None:
            client.close()
    if not outcome.clean:  # a job outlived the stop deadline: its thread must not hold the exit up
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(Exit.OK)
    if outcome.lost_lease:
        return Exit.BUSY
    return Exit.JOB_FAILED if any(status == "error" for _, status in outcome.runs) else Exit.OK


@main.command()
@common_options
def status(ctx: Context) -> int:
    """The daemon's jobs (last and next run, last error), links due and backlog."""
    from .daemon_status import format_status
    from .daemon_status import status as daemon_status

    format_status(daemon_status(ctx.engine(), ctx.config), ctx.fmt, sys.stdout)
    return Exit.OK


@main.group()
def db() -> None:
    """Database maintenance."""


@db.command()
@common_options
def upgrade(ctx: Context) -> int:
    """Apply the Alembic migrations."""
    ctx.engine()
    click.echo("database is at the latest revision", err=True)
    return Exit.OK
