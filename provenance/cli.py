"""The command line: thin click commands over pipeline.py, daemon.py and the report layer.

Data goes to stdout, progress and logs to stderr.  Every ProvenanceError becomes one stderr line
and exit 2; a traceback is shown only with --debug.

Each command imports the stages it runs inside its own body: importing all of them is most of a
short command's start-up time and memory (docs/performance.md), which `--help`, `report` and
`status` have no use for.
"""

from __future__ import annotations

import atexit
import functools
import logging
import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from enum import IntEnum
from typing import TYPE_CHECKING, Any, TextIO

import click

from .config import SQL_SECONDS, Config, load_config
from .errors import ConfigError, InputError, LeaseHeld, ProvenanceError
from .records import OutputFormat
from .safetext import for_terminal
from .version import __version__

if TYPE_CHECKING:
    from collections.abc import Collection

    from sqlalchemy.engine import Engine

    from .net.client import HttpClient
    from .pipeline import HarvestOutcome

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
        self._engine: Engine | None = None

    def engine(self) -> Engine:
        """The store, opened and migrated once per command (audit, harvest and reconcile ask twice);
        made when there is none, for the commands that store what they find."""
        return self._open(create=True)

    def stored(self) -> Engine:
        """The store as it is, for commands that only read or build on it: none there is an error."""
        return self._open(create=False)

    def _open(self, *, create: bool) -> Engine:
        if self._engine is None:
            from .store.migrate import open_store  # lazy: --sql never opens the store this way

            self._engine = open_store(self.db, create=create)
        return self._engine

    def close(self) -> None:
        """Close the store's connections (SQLite checkpoints its WAL into the file as the last one closes)."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    @contextmanager
    def client(self) -> Iterator[HttpClient | None]:
        """The HTTP client for the command, closed after it; None with --offline."""
        if self.offline:
            yield None
            return
        from .net.client import HttpClient  # lazy: requests and urllib3, for network commands only

        with HttpClient(self.config.http) as client:
            yield client

    def progress(self, label: str) -> AbstractContextManager[Callable[[int, int], None] | None]:
        from .progress import progress_bar  # lazy: tqdm, for commands that check links only

        return progress_bar(label, enabled=not self.quiet)

    def print_report(self, document_ids: Collection[int] | None = None) -> None:
        """The audit report of DOCUMENT_IDS (all when None) from the store, in --format."""
        from .report.output import write_stored_report  # lazy: the report layer

        write_stored_report(self.engine(), self.fmt, sys.stdout, None if document_ids is None else list(document_ids))


def common_options(func: Callable[..., int]) -> Callable[..., None]:
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
            type=click.Choice([f.value for f in OutputFormat]),
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
    def wrapper(
        config_path: str | None,
        db: str,
        fmt: str,
        offline: bool,
        no_archive: bool,
        quiet: bool,
        debug: bool,
        **kwargs: Any,
    ) -> None:
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
        except Exception as exc:  # only a database's own failure is said in one line; the rest is re-raised
            broken = None if debug else _database_failure(exc)
            if broken is None:
                raise
            click.echo(f"provenance: the database cannot be used: {broken}", err=True)
            sys.exit(Exit.USAGE)
        finally:
            if ctx is not None:
                ctx.close()
        sys.exit(code or Exit.OK)

    decorated: Callable[..., None] = wrapper
    for option in reversed(options):
        decorated = option(decorated)
    return decorated


def _database_failure(exc: BaseException) -> str | None:
    """What a database error says in one line (a corrupt file: 'database disk image is malformed'),
    or None when EXC is not one."""
    import sqlite3

    from sqlalchemy.exc import DBAPIError  # already loaded by whatever raised it

    if isinstance(exc, DBAPIError):
        return _one_line(exc.orig or exc)
    return _one_line(exc) if isinstance(exc, sqlite3.DatabaseError) else None


def _one_line(exc: BaseException) -> str:
    """EXC as one inert line for the terminal: its text may quote a file name, a URL or a page."""
    return " ".join(for_terminal(str(exc)).split()) or type(exc).__name__


class _InertFormatter(logging.Formatter):
    """Log lines quote URLs, file names and server answers: each message is made inert for the terminal."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        return for_terminal(super().formatMessage(record))


def _setup_logging(debug: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_InertFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING, handlers=[handler])


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="provenance")
def main() -> None:
    """Audit what documents cite: harvest links, check them, compare with web archives, report rot.

    \b
    Example:
      provenance audit seeds/            # check, look up archives, report
      provenance audit seeds/ --offline  # what is known without the network
    """
    from .memory import limit_malloc_arenas  # lazy: ctypes, for the commands only

    limit_malloc_arenas()  # before any worker thread: see memory.py


def run() -> None:
    """The console entry point: `main`, then leave without tearing the interpreter down.

    Once the command is over (output written, store closed, exit handlers run), freeing every
    module and object one at a time is all that is left of a normal exit (docs/performance.md).
    Left to Python whenever another thread is still alive: Python waits for non-daemon threads,
    and for pool workers even when they are daemon threads (the daemon's APScheduler jobs finish
    their run rows that way after a stop).
    """
    try:
        main()
    except SystemExit as done:
        if threading.active_count() > 1:
            raise
        code = _exit_status(done.code)
        atexit._run_exitfuncs()  # what a normal exit runs: logging, finalizers, pools
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


def _input_status(outcome: HarvestOutcome) -> Exit | None:
    """Say, a line each, which folder entries were not read and which named inputs could not be
    (the report shows the same errors); USAGE (2) when an input failed, else None."""
    for skipped in outcome.skipped:
        click.echo(f"provenance: skipped {for_terminal(skipped.source)}: {skipped.reason}", err=True)
    shown = set(outcome.unreadable if outcome.nothing_read else outcome.named_unreadable)
    for source, reason in outcome.errors:
        if source in shown:
            click.echo(f"provenance: cannot read {for_terminal(source)}: {_one_line(Exception(reason))}", err=True)
    return Exit.USAGE if outcome.input_failed else None


@main.command()
@click.argument("targets", nargs=-1, required=True)
@common_options
def audit(ctx: Context, targets: tuple[str, ...]) -> int:
    """Harvest TARGETS (files, folders, URLs), check every link, look up snapshots, reconcile, report.

    Exits 1 when a finding has severity error, 2 on bad usage or an input that could not be read.

    \b
    Example:
      provenance audit seeds/ https://example.org/story --format json
    """
    from . import pipeline  # lazy: every stage

    with ctx.client() as client, ctx.progress("checking") as progress:
        outcome = pipeline.audit(ctx.engine(), ctx.config, targets, client, archives=ctx.archives, progress=progress)
    ctx.print_report(outcome.document_ids)
    failed = _input_status(outcome.harvested)
    return failed or (Exit.FINDINGS if outcome.findings.errors else Exit.OK)


@main.command()
@click.argument("targets", nargs=-1, required=True)
@common_options
def harvest(ctx: Context, targets: tuple[str, ...]) -> int:
    """Harvest TARGETS into the database (no checks).

    \b
    Example:
      provenance harvest notes/ --offline
    """
    from . import pipeline  # lazy: the harvester

    with ctx.client() as client:
        outcome = pipeline.harvest(ctx.engine(), ctx.config, targets, client=client)
    ctx.print_report(outcome.document_ids)
    return _input_status(outcome) or Exit.OK


@main.command()
@click.option("--all", "check_all", is_flag=True, help="Check every stored link, not only those due.")
@common_options
def check(ctx: Context, check_all: bool) -> int:
    """Check the links that are due (all with --all), then look up their snapshots.

    \b
    Example:
      provenance check --all --no-archive
    """
    from . import pipeline  # lazy: the checker

    if ctx.offline:
        raise ConfigError("check needs the network; drop --offline")
    engine = ctx.stored()
    chosen = nullcontext(pipeline.checkable_urls(engine)) if check_all else pipeline.due_urls(engine, ctx.config)
    with ctx.client() as client, chosen as urls, ctx.progress("checking") as progress:
        assert client is not None  # not offline
        done = pipeline.check(engine, ctx.config, client, urls, progress=progress)
        if ctx.archives and ctx.config.archive.enabled:
            pipeline.archive(engine, ctx.config, client, urls)
    click.echo(f"checked {done} links", err=True)
    return Exit.OK


@main.command()
@common_options
def reconcile(ctx: Context) -> int:
    """Recompute findings from what is stored (no network), and print the report.

    \b
    Example:
      provenance reconcile --format csv > findings.csv
    """
    from . import pipeline  # lazy: the reconciler

    pipeline.reconcile(ctx.stored(), ctx.config)
    ctx.print_report()
    return Exit.OK


@main.command()
@click.argument("name", required=False)
@click.option("--sql", "sql", default=None, help="Run a read-only SQL query.")
@click.option(
    "--sql-timeout",
    type=float,
    default=SQL_SECONDS,
    show_default=True,
    help="Stop a --sql query after this many seconds of work.",
)
@click.option("--output", "-o", type=click.Path(dir_okay=False, allow_dash=True), default=None, help="Write to FILE.")
@click.option("--document", default=None, help="Only this document (id as reports show it, e.g. d3).")
@click.option("--domain", default=None, help="Only links of this registrable domain (e.g. bbc.co.uk).")
@click.option("--kind", default=None, help="Only this finding kind (or, for link reports, this status).")
@click.option("--since", default=None, help="Only rows on or after this ISO date (or date-time, UTC).")
@common_options
def report(
    ctx: Context,
    name: str | None,
    sql: str | None,
    sql_timeout: float,
    output: str | None,
    document: str | None,
    domain: str | None,
    kind: str | None,
    since: str | None,
) -> int:
    """Named reports (none given: list them; --format json|csv|html: the whole report), or read-only --sql.

    \b
    Example:
      provenance report dead_links --domain bbc.co.uk --format csv
      provenance report --sql "SELECT kind, count(*) FROM report_findings GROUP BY kind"
    """
    from .report.named import ReportFilters, ReportRequest, run_report  # lazy: the report layer

    filters = ReportFilters(document=document, domain=domain, kind=kind, since=since)
    with _written(output) as out:
        run_report(ReportRequest(name, sql, filters, ctx.fmt, sql_timeout), ctx.stored, ctx.db, out)
    return Exit.OK


@contextmanager
def _written(path: str | None) -> Iterator[TextIO]:
    """Standard output, or the file at PATH; a file that cannot be written (a full disk, /dev/full)
    is one line, not a traceback from the last flush."""
    if path is None or path == "-":
        yield sys.stdout
        return
    try:
        with open(path, "w", encoding="utf-8") as out:
            yield out
    except OSError as exc:
        raise InputError(f"cannot write {for_terminal(path)}: {exc.strerror or exc}") from None


@main.command()
@click.option("--once", is_flag=True, help="Run one full cycle (harvest, check, archive, reconcile) and exit.")
@common_options
def daemon(ctx: Context, once: bool) -> int:
    """Scheduled service: harvest watched sources, check due links, reconcile; stops on SIGINT/SIGTERM.

    \b
    Example:
      provenance daemon --config provenance.yaml
      provenance daemon --once --offline   # one cycle, for cron
    """
    from .daemon import Daemon, stop_on_signals  # lazy: APScheduler and every stage

    logging.getLogger("provenance").setLevel(
        logging.DEBUG if ctx.debug else logging.WARNING if ctx.quiet else logging.INFO
    )
    logging.getLogger("apscheduler").setLevel(logging.DEBUG if ctx.debug else logging.WARNING)
    with ctx.client() as client:
        service = Daemon(ctx.engine(), ctx.config, client, archives=ctx.archives)
        try:
            with stop_on_signals(service.stop):
                outcome = service.run_once() if once else service.serve()
        except LeaseHeld as exc:
            click.echo(f"provenance: {_one_line(exc)}", err=True)
            return Exit.BUSY
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
    """The daemon's jobs (last and next run, last error), links due and backlog.

    \b
    Example:
      provenance status --format json
    """
    from .report.output import writer_for  # lazy: the report layer
    from .report.status import DaemonStatus, read_status

    write = writer_for(DaemonStatus, ctx.fmt)  # a format status has not is said before the store is opened
    write(read_status(ctx.stored(), ctx.config.schedule), sys.stdout)
    return Exit.OK


@main.group()
def db() -> None:
    """Database maintenance.

    \b
    Example:
      provenance db upgrade --db sqlite:///archive.sqlite
    """


@db.command()
@common_options
def upgrade(ctx: Context) -> int:
    """Apply the Alembic migrations.

    \b
    Example:
      provenance db upgrade --db sqlite:///archive.sqlite
    """
    ctx.engine()
    click.echo("database is at the latest revision", err=True)
    return Exit.OK
