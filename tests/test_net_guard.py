"""The private-address guard: literal notations, reasons, resolver answers, exemptions."""

from __future__ import annotations

import ipaddress

import pytest

from provenance.net.guard import Guard, HostError, fixed_resolver, forbidden_reason, parse_literal


@pytest.mark.parametrize(
    "host, expected",
    [
        ("127.0.0.1", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),  # one decimal number
        ("0177.0.0.1", "127.0.0.1"),  # octal part
        ("0x7f.1", "127.0.0.1"),  # hex, two parts
        ("0x7F000001", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("10.1.65535", "10.1.255.255"),  # three parts, last is 16 bits
        ("0", "0.0.0.0"),
        ("0.0.0.0", "0.0.0.0"),
        ("192.168.0.1.", "192.168.0.1"),  # trailing dot
        ("[::1]", "::1"),
        ("::1", "::1"),
        ("[::ffff:127.0.0.1]", "::ffff:7f00:1"),
        ("[fe80::1%25eth0]", "fe80::1"),  # zone id dropped
        ("example.com", None),
        ("localhost", None),
        ("1.2.3.example", None),
        ("0x7f.example", None),
    ],
)
def test_parse_literal(host: str, expected: str | None) -> None:
    got = parse_literal(host)
    assert (None if got is None else str(got)) == expected


@pytest.mark.parametrize("host", ["999.1.1.1", "1.2.3.4.5", "0x1.09", "4294967296", "1.256.1", "[::zz]"])
def test_impossible_literals_are_errors(host: str) -> None:
    with pytest.raises(HostError):
        parse_literal(host)


@pytest.mark.parametrize(
    "address, reason",
    [
        ("127.0.0.1", "loopback"),
        ("10.0.0.1", "private"),
        ("172.16.5.4", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),  # cloud metadata
        ("224.0.0.1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("0.0.0.0", "unspecified"),
        ("100.64.0.1", "not globally routable"),
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fe80::1", "link-local"),
        ("fc00::1", "private"),
        ("ff02::1", "multicast"),
        ("93.184.216.34", None),
        ("2606:4700::1111", None),
        ("::7f00:1", "reserved"),  # IPv4-compatible (deprecated) form of 127.0.0.1
        ("64:ff9b::5db8:d822", None),  # NAT64 of a public address
    ],
)
def test_forbidden_reason(address: str, reason: str | None) -> None:
    assert forbidden_reason(ipaddress.ip_address(address)) == reason


@pytest.mark.parametrize("address", ["::ffff:127.0.0.1", "::ffff:10.0.0.1", "2002:7f00:1::", "64:ff9b::7f00:1"])
def test_ipv4_inside_ipv6_is_unwrapped(address: str) -> None:
    reason = forbidden_reason(ipaddress.ip_address(address))
    assert reason is not None and "embedded" in reason


def test_name_resolving_to_any_private_address_is_blocked() -> None:
    guard = Guard(resolver=fixed_resolver("93.184.216.34", "10.0.0.7"))
    verdict = guard.check("mixed.example", 443)
    assert verdict.blocked and "10.0.0.7" in verdict.blocked
    assert not verdict.ok


def test_public_name_passes_with_addresses_in_order() -> None:
    verdict = Guard(resolver=fixed_resolver("93.184.216.34", "2606:4700::1111")).check("ok.example", 80)
    assert verdict.ok and verdict.addresses == ("93.184.216.34", "2606:4700::1111")


def test_literal_does_not_consult_resolver() -> None:
    calls: list[str] = []

    def resolver(host: str, port: int) -> list[str]:
        calls.append(host)
        return ["93.184.216.34"]

    assert Guard(resolver=resolver).check("0x7f.1", 80).blocked
    assert calls == []


@pytest.mark.parametrize(
    "allow, host, port, ok",
    [
        (("127.0.0.1:8000",), "127.0.0.1", 8000, True),
        (("127.0.0.1:8000",), "127.0.0.1", 8001, False),
        (("LOCALHOST:8000",), "localhost", 8000, True),  # by name, case-insensitive
        (("127.0.0.1:8000",), "localhost", 8000, True),  # by the address the name resolved to
        (("[::1]:8000",), "::1", 8000, True),
        ((), "127.0.0.1", 8000, False),
    ],
)
def test_allow_private(allow: tuple[str, ...], host: str, port: int, ok: bool) -> None:
    guard = Guard(allow, resolver=fixed_resolver("127.0.0.1"))
    assert guard.check(host, port).ok is ok


def test_resolver_failure_is_a_dns_verdict() -> None:
    def broken(host: str, port: int) -> list[str]:
        raise OSError("Name or service not known")

    verdict = Guard(resolver=broken).check("nowhere.invalid", 80)
    assert verdict.dns_error and "nowhere.invalid" in verdict.dns_error
    assert verdict.blocked is None and not verdict.ok
