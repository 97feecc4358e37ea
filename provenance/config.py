"""YAML configuration -> frozen dataclasses.

Defaults live here and only here; `config.yaml` at the project root repeats them with a comment
each.  Unknown keys are an error (a typo in an operator's config must not pass silently).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml

from .errors import ConfigError

SQL_SECONDS = 60.0  # SQLite's time a `report --sql` query may take unless --sql-timeout says otherwise
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(value: Any) -> timedelta:
    """'90s', '15m', '6h', '7d' or a number of seconds -> timedelta."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return timedelta(seconds=float(value))
    match = _DURATION.match(str(value))
    if not match:
        raise ConfigError(f"not a duration: {value!r} (use e.g. 90s, 15m, 6h, 7d)")
    return timedelta(seconds=float(match.group(1)) * _UNIT_SECONDS[match.group(2)])


@dataclass(frozen=True)
class HttpConfig:
    timeout: float = 10.0
    remap: tuple[tuple[str, str], ...] = ()
    allow_private: tuple[str, ...] = ()
    concurrency: int = 32
    per_host: int = 2
    per_host_interval: float = 0.0  # minimum seconds between two request starts to one site
    max_redirects: int = 10
    max_bytes: int = 2_000_000
    retries: int = 2
    retry_after_max: float = 30.0
    run_deadline: float = 0.0  # seconds a check run may take; links not reached stay due (0: no limit)
    user_agent: str = "provenance/{version} (+{contact})"
    contact: str = "https://github.com/provenance-audit/provenance"

    def compiled_remap(self) -> tuple[tuple[re.Pattern[str], str], ...]:
        return tuple((re.compile(pattern), repl) for pattern, repl in self.remap)


@dataclass(frozen=True)
class HarvestConfig:
    include_boilerplate: bool = False
    max_file_bytes: int = 50_000_000
    max_html_bytes: int = 5_000_000  # an HTML tree takes many times its source in memory
    max_links: int = 10_000  # links kept per document; a link dump would be a denial of service
    max_seconds: float = 60.0  # time to harvest one document, after which it is stopped (harvest/budget.py)
    max_memory_bytes: int = 1_000_000_000  # memory the harvesting process may take beyond its start


@dataclass(frozen=True)
class ArchiveConfig:
    enabled: bool = True
    wayback: bool = True
    timegates: tuple[str, ...] = ()  # extra Memento TimeGates, e.g. "https://archive.ph/timegate/"
    max_age: timedelta = timedelta(days=30)  # re-ask an archive only after this long
    save_missing: bool = False
    save_interval: timedelta = timedelta(seconds=15)  # at most one Save Page Now request per this long
    concurrency: int = 8  # archive requests (look-ups, replays) in flight at once, all archives together
    per_archive: int = 4  # archive requests in flight at once to one archive


@dataclass(frozen=True)
class ScheduleConfig:
    check_every: timedelta = timedelta(minutes=15)  # how often the daemon looks for due links
    alive_every: timedelta = timedelta(days=7)
    failing_every: timedelta = timedelta(days=3)
    dead_after_failures: int = 3
    dead_failure_spacing: timedelta = timedelta(days=3)
    reconcile_every: timedelta = timedelta(hours=1)
    lease_ttl: timedelta = timedelta(seconds=60)  # one daemon per database; renewed every third of this


@dataclass(frozen=True)
class ReconcileConfig:
    date_tolerance_days: int = 1
    drift_threshold: float = 0.5


@dataclass(frozen=True)
class SourceConfig:
    every: timedelta
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


def _section(cls: type, data: Any, name: str) -> Any:
    if data is None:
        return cls()
    if not isinstance(data, dict):
        raise ConfigError(f"config section {name!r} must be a mapping")
    known = {f.name: f for f in fields(cls)}
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise ConfigError(f"unknown key(s) in {name!r}: {', '.join(unknown)}")
    values: dict[str, Any] = {}
    defaults = cls()
    for key, raw in data.items():
        default = getattr(defaults, key)
        values[key] = _coerce(raw, default, f"{name}.{key}")
    return replace(defaults, **values)


def _coerce(raw: Any, default: Any, where: str) -> Any:
    try:
        if isinstance(default, bool):
            if not isinstance(raw, bool):
                raise ConfigError(f"{where} must be true or false")
            return raw
        if isinstance(default, timedelta):
            return parse_duration(raw)
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
        if isinstance(default, str):
            return str(raw)
        if isinstance(default, tuple):
            if not isinstance(raw, list):
                raise ConfigError(f"{where} must be a list")
            return tuple(tuple(item) if isinstance(item, list) else item for item in raw)
    except (TypeError, ValueError) as exc:
        if isinstance(exc, ConfigError):
            raise
        raise ConfigError(f"{where}: {exc}") from None
    return raw


def _sources(data: Any) -> tuple[SourceConfig, ...]:
    if data is None:
        return ()
    if not isinstance(data, list):
        raise ConfigError("'sources' must be a list")
    out = []
    for i, item in enumerate(data):
        if not isinstance(item, dict) or ("path" in item) == ("url" in item):
            raise ConfigError(f"sources[{i}] needs exactly one of 'path' or 'url'")
        unknown = set(item) - {"path", "url", "every"}
        if unknown:
            raise ConfigError(f"unknown key(s) in sources[{i}]: {', '.join(sorted(unknown))}")
        out.append(
            SourceConfig(every=parse_duration(item.get("every", "1d")), path=item.get("path"), url=item.get("url"))
        )
    return tuple(out)


def _validate(config: Config) -> None:
    for i, pair in enumerate(config.http.remap):
        if len(pair) != 2:
            raise ConfigError(f"http.remap[{i}] must be [regex, replacement]")
        try:
            re.compile(pair[0])
        except re.error as exc:
            raise ConfigError(f"http.remap[{i}]: bad regex {pair[0]!r}: {exc}") from None
    if config.http.concurrency < 1 or config.http.per_host < 1:
        raise ConfigError("http.concurrency and http.per_host must be at least 1")
    if config.http.timeout <= 0:
        raise ConfigError("http.timeout must be positive")
    if config.http.run_deadline < 0:
        raise ConfigError("http.run_deadline must be 0 (no limit) or positive")
    for key in ("max_file_bytes", "max_html_bytes", "max_links", "max_memory_bytes"):
        if getattr(config.harvest, key) < 1:
            raise ConfigError(f"harvest.{key} must be at least 1")
    if not config.harvest.max_seconds > 0:
        raise ConfigError("harvest.max_seconds must be positive")
    if config.archive.concurrency < 1 or config.archive.per_archive < 1:
        raise ConfigError("archive.concurrency and archive.per_archive must be at least 1")


def config_from_mapping(data: dict[str, Any] | None, base_dir: Path = Path(".")) -> Config:
    """Build a Config from parsed YAML; raises ConfigError on anything unusable."""
    data = data or {}
    if not isinstance(data, dict):
        raise ConfigError("the config file must be a mapping of sections")
    sections = {
        "http": HttpConfig,
        "harvest": HarvestConfig,
        "archive": ArchiveConfig,
        "schedule": ScheduleConfig,
        "reconcile": ReconcileConfig,
    }
    unknown = sorted(set(data) - set(sections) - {"sources"})
    if unknown:
        raise ConfigError(f"unknown config section(s): {', '.join(unknown)}")
    built = {name: _section(cls, data.get(name), name) for name, cls in sections.items()}
    config = Config(**built, sources=_sources(data.get("sources")), base_dir=base_dir)
    _validate(config)
    return config


def load_config(path: str | Path | None = None) -> Config:
    """Load FILE, or ./config.yaml when present, else the built-in defaults."""
    if path is None:
        default = Path("config.yaml")
        if not default.is_file():
            return Config()
        path = default
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read config {path}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"config {path} is not valid YAML: {str(exc).splitlines()[0]}") from None
    return config_from_mapping(data, base_dir=path.resolve().parent)
