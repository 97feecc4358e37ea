"""The config file: every value checked for type and range as it is loaded, and anything wrong
is one line (ConfigError; the CLI says it and exits 2), never a traceback or a hang later."""

from __future__ import annotations

import math
import os
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from provenance.cli import main
from provenance.config import Config, config_from_mapping, load_config
from provenance.errors import ConfigError


@pytest.mark.parametrize(
    ("data", "said"),
    [
        ({"http": {"remap": [["^a", 1]]}}, "http.remap[0][1]: expected `str`, got `int`"),
        ({"http": {"remap": [["^a"]]}}, "http.remap[0]: expected `array` of length 2, got 1"),
        ({"http": {"remap": ["^a"]}}, "http.remap[0]: expected `array`, got `str`"),
        ({"http": {"allow_private": [8080]}}, "http.allow_private[0]: expected `str`, got `int`"),
        ({"http": {"allow_private": ["localhost"]}}, "http.allow_private[0]: 'localhost' is not host:port"),
        ({"archive": {"timegates": [{"url": "x"}]}}, "archive.timegates[0]: expected `str`, got `object`"),
        ({"archive": {"timegates": ["javascript:x"]}}, "archive.timegates[0]: 'javascript:x' is not an http(s) URL"),
        ({"archive": {"max_age": "99999999999999999999d"}}, "archive.max_age: not a duration this side of forever"),
        ({"archive": {"max_age": "100000d"}}, "archive.max_age: expected `float` <= 315360000.0"),
        ({"reconcile": {"date_tolerance_days": 10**30}}, "reconcile.date_tolerance_days: expected `int` <= 36500"),
        ({"http": {"timeout": math.inf}}, "http.timeout: expected `float` <= 3600.0"),
        ({"http": {"timeout": math.nan}}, "http.timeout: expected `float` > 0.0"),
        ({"http": {"timeout": "10"}}, "http.timeout: expected `float`, got `str`"),
        ({"http": {"concurrency": 100_000_000}}, "http.concurrency: expected `int` <= 1024"),
        ({"http": {"concurrency": True}}, "http.concurrency: expected `int`, got `bool`"),
        ({"http": {"remap": [["^https://(a)/", "http://\\3/"]]}}, "http.remap[0]: '^https://(a)/' -> 'http://\\\\3/'"),
        ({"http": {"remap": [["(", "x"]]}}, "http.remap[0]: '(' -> 'x': missing ), unterminated subpattern"),
        ({"http": {"retries": -1}}, "http.retries: expected `int` >= 0"),
        ({"http": {"per_host_interval": -5}}, "http.per_host_interval: expected `float` >= 0.0"),
        ({"http": {"max_redirects": -1}}, "http.max_redirects: expected `int` >= 0"),
        ({"schedule": {"check_every": 0}}, "schedule.check_every: expected `float` >= 1.0"),
        ({"sources": [{"path": "docs/", "every": "0s"}]}, "sources[0].every: expected `float` >= 1.0"),
        ({"sources": [{"path": "docs/", "url": "https://e.org/"}]}, "sources[0] needs exactly one of 'path' or 'url'"),
        ({"sources": [{"url": "file:///etc/passwd"}]}, "sources[0].url: 'file:///etc/passwd' is not an http(s) URL"),
        ({"http": {"nope": 1, 2: 3}}, "unknown key(s) in http: 2, nope"),
        ({1: {}}, "unknown config section(s): 1"),
        ({"http": [1, 2]}, "http must be a mapping of keys to values"),
        ([1, 2], "the config file must be a mapping of sections"),
    ],
)
def test_each_wrong_value_is_one_line_naming_its_key(data: object, said: str) -> None:
    with pytest.raises(ConfigError) as caught:
        config_from_mapping(data)
    assert str(caught.value).startswith(said) and "\n" not in str(caught.value)


def test_right_values_load_as_typed_values() -> None:
    config = config_from_mapping(
        {
            "http": {"timeout": 5, "remap": [["^https://a/", "http://127.0.0.1:8/"]], "allow_private": ["127.0.0.1:8"]},
            "archive": {"max_age": "2d", "timegates": ["https://archive.example/timegate/"]},
            "sources": [{"url": "https://e.org/feed.xml", "every": 3600}, {"path": "docs/"}],
        }
    )
    assert config.http.timeout == 5.0 and isinstance(config.http.timeout, float)
    assert config.http.remap == (("^https://a/", "http://127.0.0.1:8/"),)
    assert config.archive.max_age == timedelta(days=2) and config.archive.concurrency == Config().archive.concurrency
    assert [s.every for s in config.sources] == [timedelta(hours=1), timedelta(days=1)]


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"http:\n  timeout: \xff\xfe\n", "is not UTF-8 text"),
        (b"http: [unclosed\n", "is not valid YAML"),
        (b"[" * 5000 + b"]" * 5000, "nests too deeply"),
        (b"a: " + b"x" * 1_000_001, "is larger than 1,000,000 bytes"),
        (b"!!python/object/apply:os.system ['true']\n", "is not valid YAML"),
    ],
)
def test_a_file_that_is_no_config_is_one_line(tmp_path: Path, content: bytes, said: str) -> None:
    path = tmp_path / "provenance.yaml"
    path.write_bytes(content)
    with pytest.raises(ConfigError, match=said):
        load_config(path)


@pytest.mark.parametrize("path", ["/dev/zero", "/dev/null", "/proc/self/environ"])
def test_a_device_or_pseudo_file_is_never_read_as_the_config(path: str) -> None:
    if not os.path.exists(path):
        pytest.skip(f"{path} does not exist here")  # pragma: no cover - Linux has all three
    try:
        config = load_config(path)
    except ConfigError as exc:
        assert "not a regular file" in str(exc)
    else:
        assert config == Config(base_dir=Path(path).resolve().parent)  # a pseudo-file declares 0 bytes


def test_the_cli_says_a_bad_config_in_one_line_and_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "provenance.yaml"
    path.write_text("http:\n  timeout: .nan\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["report", "--config", str(path), "--db", f"sqlite:///{tmp_path / 'p.db'}"])
    assert result.exit_code == 2
    assert result.stderr == "provenance: http.timeout: expected `float` > 0.0\n"


KEYS = {
    "http": ["timeout", "remap", "allow_private", "concurrency", "per_host", "retries", "user_agent", "nope"],
    "harvest": ["max_file_bytes", "max_links", "max_seconds", "include_boilerplate"],
    "archive": ["timegates", "max_age", "enabled", "concurrency"],
    "schedule": ["check_every", "dead_after_failures", "lease_ttl"],
    "reconcile": ["date_tolerance_days", "drift_threshold"],
}
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["15m", "7d", "1e400d", "host:80", "https://a.example/", "(", "\\9", "^x", "-1"]),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.one_of(st.text(max_size=8), st.integers(), st.booleans()), inner, max_size=3)
    ),
    max_leaves=8,
)
sections = st.fixed_dictionaries(
    {}, optional={name: st.dictionaries(st.sampled_from(keys), values) for name, keys in KEYS.items()}
)
documents = st.one_of(
    sections,
    sections.map(lambda d: {**d, "sources": [{"path": "docs/", "every": "1d"}, {"url": "https://e.org/f"}]}),
    st.fixed_dictionaries({"sources": values}),
    values,
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=documents)
def test_any_yaml_is_a_config_or_one_line(tmp_path: Path, document: object) -> None:
    path = tmp_path / "provenance.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    try:
        config = load_config(path)
    except ConfigError as exc:
        assert str(exc) and "\n" not in str(exc) and "Traceback" not in str(exc)
    else:
        assert isinstance(config, Config)
        assert config.http.timeout > 0 and math.isfinite(config.http.timeout)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=200))
def test_any_text_is_a_config_or_one_line(tmp_path: Path, text: str) -> None:
    path = tmp_path / "provenance.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        load_config(path)
    except ConfigError as exc:
        assert "\n" not in str(exc)
