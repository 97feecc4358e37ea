"""YAML configuration -> frozen dataclasses, checked for type and range as it is loaded.

Defaults live here and only here; `config.yaml` at the project root repeats them with a comment
each.  Unknown keys are an error (a typo in an operator's config must not pass silently), and so
is a value of the wrong type or out of its range (`limits` on each field): a timeout of `.nan`
or a concurrency of 100,000,000 is refused in one line at start-up, not met as a hang later.
The check is msgspec's, over a struct made from each dataclass and its limits, imported only
when there is a file to check.
"""

from __future__ import annotations

import re
from dataclasses import Field, dataclass, field, fields
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, get_type_hints

import yaml

from .errors import ConfigError

SQL_SECONDS = 60.0  # SQLite's time a `report --sql` query may take unless --sql-timeout says otherwise
MAX_CONFIG_BYTES = 1_000_000  # a config file is a page of YAML; more is a mistake (or /dev/zero)
DAY = 86_400.0
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(value: Any) -> timedelta:
    """'90s', '15m', '6h', '7d' or a number of seconds -> timedelta; ConfigError for anything else."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = float(value)
    else:
        match = _DURATION.match(str(value))
        if not match:
            raise ConfigError(f"not a duration: {value!r} (use e.g. 90s, 15m, 6h, 7d)")
        seconds = float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    try:
        return timedelta(seconds=seconds)
    except (OverflowError, ValueError):
        raise ConfigError(f"not a duration this side of forever: {value!r}") from None


def limits(**bounds: float) -> dict[str, dict[str, float]]:
    """Field metadata: msgspec.Meta bounds (gt, ge, lt, le) a value must keep; durations in seconds."""
    return {"limits": bounds}


def _field(default: Any, **bounds: float) -> Any:
    return field(default=default, metadata=limits(**bounds))


@dataclass(frozen=True)
class HttpConfig:
    timeout: float = _field(10.0, gt=0, le=3600)
    remap: tuple[tuple[str, str], ...] = ()
    allow_private: tuple[str, ...] = ()
    concurrency: int = _field(32, ge=1, le=1024)
    per_host: int = _field(2, ge=1, le=64)
    per_host_interval: float = _field(0.0, ge=0, le=3600)  # minimum seconds between two request starts to one site
    max_redirects: int = _field(10, ge=0, le=100)
    max_bytes: int = _field(2_000_000, ge=1, le=1_000_000_000)
    retries: int = _field(2, ge=0, le=10)
    retry_after_max: float = _field(30.0, ge=0, le=DAY)
    run_deadline: float = _field(
        0.0, ge=0, le=30 * DAY
    )  # seconds a check run may take; links not reached stay due (0: no limit)
    user_agent: str = "provenance/{version} (+{contact})"
    contact: str = "https://github.com/provenance-audit/provenance"


@dataclass(frozen=True)
class HarvestConfig:
    include_boilerplate: bool = False
    max_file_bytes: int = _field(50_000_000, ge=1, le=2_000_000_000)
    max_html_bytes: int = _field(5_000_000, ge=1, le=500_000_000)  # an HTML tree takes many times its source in memory
    max_links: int = _field(
        10_000, ge=1, le=10_000_000
    )  # links kept per document; a link dump would be a denial of service
    max_seconds: float = _field(
        60.0, gt=0, le=DAY
    )  # time to harvest one document, after which it is stopped (harvest/budget.py)
    max_memory_bytes: int = _field(
        1_000_000_000, ge=1_000_000, le=1_000_000_000_000
    )  # memory the harvesting process may take beyond its start


@dataclass(frozen=True)
class ArchiveConfig:
    enabled: bool = True
    wayback: bool = True
    timegates: tuple[str, ...] = ()  # extra Memento TimeGates, e.g. "https://archive.ph/timegate/"
    max_age: timedelta = _field(timedelta(days=30), gt=0, le=3650 * DAY)  # re-ask an archive only after this long
    save_missing: bool = False
    save_interval: timedelta = _field(
        timedelta(seconds=15), ge=1, le=DAY
    )  # at most one Save Page Now request per this long
    concurrency: int = _field(
        8, ge=1, le=256
    )  # archive requests (look-ups, replays) in flight at once, all archives together
    per_archive: int = _field(4, ge=1, le=64)  # archive requests in flight at once to one archive


@dataclass(frozen=True)
class ScheduleConfig:
    check_every: timedelta = _field(
        timedelta(minutes=15), ge=1, le=365 * DAY
    )  # how often the daemon looks for due links
    alive_every: timedelta = _field(timedelta(days=7), ge=1, le=3650 * DAY)
    failing_every: timedelta = _field(timedelta(days=3), ge=1, le=3650 * DAY)
    dead_after_failures: int = _field(3, ge=1, le=100)
    dead_failure_spacing: timedelta = _field(timedelta(days=3), ge=0, le=3650 * DAY)
    reconcile_every: timedelta = _field(timedelta(hours=1), ge=1, le=365 * DAY)
    lease_ttl: timedelta = _field(
        timedelta(seconds=60), ge=5, le=DAY
    )  # one daemon per database; renewed every third of this


@dataclass(frozen=True)
class ReconcileConfig:
    date_tolerance_days: int = _field(1, ge=0, le=36_500)
    drift_threshold: float = _field(0.5, ge=0, le=1)


@dataclass(frozen=True)
class SourceConfig:
    every: timedelta = field(metadata=limits(ge=1, le=3650 * DAY))
    path: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Config:
    http: HttpConfig = field(default_factory=HttpConfig)
    harvest: HarvestConfig = field(default_factory=HarvestConfig)
    archive: ArchiveConfig = field(default_factory=ArchiveConfig)
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)
    reconcile: ReconcileConfig = field(default_factory=ReconcileConfig)
    sources: tuple[SourceConfig, ...] = ()
    base_dir: Path = Path(".")


_SECTIONS: dict[str, type] = {
    "http": HttpConfig,
    "harvest": HarvestConfig,
    "archive": ArchiveConfig,
    "schedule": ScheduleConfig,
    "reconcile": ReconcileConfig,
}


def config_from_mapping(data: Any, base_dir: Path = Path(".")) -> Config:
    """Build a Config from parsed YAML; ConfigError (one line) on anything unusable."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError("the config file must be a mapping of sections (http:, harvest:, ...)")
    unknown = sorted(str(key) for key in data if key not in _SECTIONS and key != "sources")
    if unknown:
        raise ConfigError(f"unknown config section(s): {', '.join(unknown)}")
    built = {name: _section(cls, data.get(name), name) for name, cls in _SECTIONS.items()}
    config = Config(**built, sources=_sources(data.get("sources")), base_dir=base_dir)
    _check_meaning(config)
    return config


def _section(cls: type, data: Any, where: str) -> Any:
    """DATA (a mapping from YAML) as CLS, every value checked against its field's type and limits."""
    if data is None:
        return cls()
    if not isinstance(data, dict):
        raise ConfigError(f"{where} must be a mapping of keys to values")
    known: dict[str, Field[Any]] = {f.name: f for f in fields(cls)}
    unknown = sorted(str(key) for key in data if key not in known)
    if unknown:
        raise ConfigError(f"unknown key(s) in {where}: {', '.join(unknown)}")
    hints = get_type_hints(cls)
    durations = {name for name in data if hints[name] is timedelta}
    values = {name: _seconds(raw, f"{where}.{name}") if name in durations else raw for name, raw in data.items()}
    spec = [(name, float if name in durations else hints[name], known[name].metadata.get("limits")) for name in values]
    checked = _checked(values, spec, where)
    return cls(**{name: timedelta(seconds=value) if name in durations else value for name, value in checked.items()})


def _seconds(raw: Any, where: str) -> float:
    try:
        return parse_duration(raw).total_seconds()
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc}") from None


def _checked(
    values: dict[str, Any], spec: list[tuple[str, Any, dict[str, float] | None]], where: str
) -> dict[str, Any]:
    """VALUES converted to their types and held to their limits by msgspec; ConfigError naming the key."""
    import msgspec  # lazy: only a config file is checked

    meta: Any = msgspec.Meta  # its overloads name each pair of bounds; ours come as a mapping
    struct = msgspec.defstruct(
        "Section", [(name, Annotated[kind, meta(**bounds)] if bounds else kind) for name, kind, bounds in spec]
    )
    try:
        converted = msgspec.convert(values, struct)
    except msgspec.ValidationError as exc:
        said, _, at = str(exc).partition(" - at `$")
        raise ConfigError(f"{where}{at.rstrip('`')}: {said[:1].lower()}{said[1:]}") from None
    return {name: getattr(converted, name) for name in values}


def _sources(data: Any) -> tuple[SourceConfig, ...]:
    if data is None:
        return ()
    if not isinstance(data, list):
        raise ConfigError("sources must be a list of {path: ...} or {url: ...} entries")
    out = []
    for i, item in enumerate(data):
        if not isinstance(item, dict) or ("path" in item) == ("url" in item):
            raise ConfigError(f"sources[{i}] needs exactly one of 'path' or 'url'")
        out.append(_section(SourceConfig, {"every": "1d", **item}, f"sources[{i}]"))
    return tuple(out)


def _check_meaning(config: Config) -> None:
    """What types and ranges cannot say: regexes and their replacements, host:port, archive URLs."""
    import regex  # lazy: the engine remap runs on (net/remap.py), for a config file only

    from .domains import is_web_url  # lazy: tldextract, for a config file only

    for i, (pattern, replacement) in enumerate(config.http.remap):
        try:
            re.compile(pattern).sub(replacement, "")  # a bad group reference is found here, match or not
            regex.compile(pattern)
        except (re.error, regex.error, IndexError) as exc:
            raise ConfigError(f"http.remap[{i}]: {pattern!r} -> {replacement!r}: {exc}") from None
    for i, entry in enumerate(config.http.allow_private):
        host, _, port = entry.rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ConfigError(f"http.allow_private[{i}]: {entry!r} is not host:port")
    for i, url in enumerate(config.archive.timegates):
        if not is_web_url(url):
            raise ConfigError(f"archive.timegates[{i}]: {url!r} is not an http(s) URL")
    for i, source in enumerate(config.sources):
        if source.url is not None and not is_web_url(source.url):
            raise ConfigError(f"sources[{i}].url: {source.url!r} is not an http(s) URL")


def load_config(path: str | Path | None = None) -> Config:
    """Load FILE, or ./config.yaml when present, else the built-in defaults; ConfigError in one line."""
    if path is None:
        default = Path("config.yaml")
        if not default.is_file():
            return Config()
        path = default
    path = Path(path)
    from .reading import read_capped  # a FIFO or /dev/zero named as the config is refused, not read forever

    try:
        raw, more = read_capped(path, MAX_CONFIG_BYTES)
    except OSError as exc:
        raise ConfigError(f"cannot read config {path}: {exc.strerror or exc}") from None
    if more:
        raise ConfigError(f"config {path} is larger than {MAX_CONFIG_BYTES:,} bytes: not a config file")
    try:
        data = yaml.safe_load(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"config {path} is not UTF-8 text (byte {exc.start})") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"config {path} is not valid YAML: {str(exc).splitlines()[0]}") from None
    except RecursionError:
        raise ConfigError(f"config {path} nests too deeply to be a config file") from None
    return config_from_mapping(data, base_dir=path.resolve().parent)
