from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from newsarchiver.errors import BlockedError, FetchError
from newsarchiver.ssrf import AddressPolicy, GuardedAdapter, blocked_reason, check_address, is_public_ip


@pytest.mark.parametrize(
    ("ip", "reason"),
    [
        ("127.0.0.1", "loopback address"),
        ("127.255.0.9", "loopback address"),
        ("::1", "loopback address"),
        ("0.0.0.0", "unspecified address"),
        ("::", "unspecified address"),
        ("10.0.0.1", "private address"),
        ("172.16.5.4", "private address"),
        ("192.168.1.1", "private address"),
        ("fc00::1", "private address"),
        ("169.254.169.254", "cloud metadata address"),
        ("fd00:ec2::254", "cloud metadata address"),
        ("100.100.100.200", "cloud metadata address"),
        ("169.254.1.1", "link-local address"),
        ("fe80::1", "link-local address"),
        ("fe80::1%eth0", "link-local address"),
        ("224.0.0.1", "multicast address"),
        ("239.1.2.3", "multicast address"),
        ("ff02::1", "multicast address"),
        ("240.0.0.1", "private address"),
        ("255.255.255.255", "private address"),
        ("100.64.0.1", "non-public address"),  # carrier-grade NAT
        ("192.0.2.1", "private address"),  # documentation
        ("198.18.0.1", "private address"),  # benchmarking
        ("::ffff:127.0.0.1", "loopback address"),  # IPv4-mapped
        ("::ffff:169.254.169.254", "cloud metadata address"),
        ("64:ff9b::a00:1", "private address"),  # NAT64 of 10.0.0.1
        ("2002:7f00:1::1", "loopback address"),  # 6to4 of 127.0.0.1
        ("not an ip", "not an IP address"),
    ],
)
def test_blocked_addresses(ip: str, reason: str) -> None:
    assert blocked_reason(ip) == reason
    assert not is_public_ip(ip)


@pytest.mark.parametrize("ip", ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"])
def test_public_addresses(ip: str) -> None:
    assert is_public_ip(ip)


@pytest.mark.parametrize(
    ("host", "expected_ip"),
    [
        ("localhost", "127.0.0.1"),
        ("127.0.0.1", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),  # decimal: glibc's resolver accepts it, so must we check it
        ("0x7f.1", "127.0.0.1"),
        ("0.0.0.0", "0.0.0.0"),
        ("10.0.0.1", "10.0.0.1"),
        ("169.254.169.254", "169.254.169.254"),
        ("::1", "::1"),
        ("[::1]", "::1"),
        ("::ffff:127.0.0.1", "::ffff:127.0.0.1"),
    ],
)
def test_check_address_blocks_private_unless_allowed(host: str, expected_ip: str) -> None:
    with pytest.raises(BlockedError, match="refused by the SSRF guard"):
        check_address(host, 80, allow_private=False)
    assert check_address(host, 80, allow_private=True) in (expected_ip, "::1" if host == "localhost" else expected_ip)


def test_check_address_passes_public_literal() -> None:
    assert check_address("93.184.216.34", 443, allow_private=False) == "93.184.216.34"


def test_unresolvable_host_is_a_fetch_error_not_blocked() -> None:
    with pytest.raises(FetchError, match="cannot resolve") as info:
        check_address("no-such-host.invalid", 80, allow_private=False)
    assert not isinstance(info.value, BlockedError)


def test_policy_trusts_seed_hosts_only() -> None:
    policy = AddressPolicy.from_seeds(["http://127.0.0.1:8000/", "https://Example.COM/news"])
    assert policy.trusted_hosts == {"127.0.0.1", "example.com"}
    assert policy.resolve("http://127.0.0.1:9999/other-port") == "127.0.0.1"  # trust is per host
    for url in [
        "http://localhost:8000/",  # a name that resolves to loopback
        "http://2130706433:8000/",  # the same address, written differently
        "http://[::ffff:127.0.0.1]:8000/",
        "http://127.0.0.2/",  # another loopback address
        "http://0.0.0.0/",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/",
        "http://[::1]/",
    ]:
        with pytest.raises(BlockedError):
            policy.resolve(url)


def test_policy_refuses_other_schemes_and_bad_urls() -> None:
    policy = AddressPolicy(allow_private=True)
    for url in ["ftp://127.0.0.1/", "file:///etc/passwd", "http://127.0.0.1:99999/", "http:///x"]:
        with pytest.raises(BlockedError):
            policy.resolve(url)


def test_policy_allow_private_turns_guard_off() -> None:
    assert AddressPolicy(allow_private=True).resolve("http://localhost/") in ("127.0.0.1", "::1")
    assert AddressPolicy(allow_private=True)("http://10.0.0.1/") == "10.0.0.1"


# --- the connection-level guard against a real server -------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if self.path.startswith("/redirect-to/"):
            self.send_response(302)
            self.send_header("Location", self.path[len("/redirect-to/"):])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = f"host={self.headers.get('Host')}".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture()
def server_port() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def _session(policy: AddressPolicy) -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    adapter = GuardedAdapter(policy, max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def test_adapter_connects_to_trusted_seed_host_and_reports_ip(server_port: int) -> None:
    session = _session(AddressPolicy(["127.0.0.1"]))
    response = session.get(f"http://127.0.0.1:{server_port}/", stream=True, timeout=5)
    assert response.raw.connection.checked_ip == "127.0.0.1"
    assert response.content == f"host=127.0.0.1:{server_port}".encode()


def test_adapter_pins_ip_but_keeps_host_header(server_port: int) -> None:
    session = _session(AddressPolicy(["localhost"]))
    response = session.get(f"http://localhost:{server_port}/", stream=True, timeout=5)
    # localhost may resolve to ::1 first, where nothing listens: the guard tries the next address
    assert response.raw.connection.checked_ip == "127.0.0.1"
    assert response.content == f"host=localhost:{server_port}".encode()


def test_adapter_blocks_untrusted_loopback_name(server_port: int) -> None:
    session = _session(AddressPolicy(["127.0.0.1"]))
    with pytest.raises(BlockedError, match="localhost: resolves to"):
        session.get(f"http://localhost:{server_port}/", timeout=5)
    with pytest.raises(BlockedError):
        session.get(f"http://2130706433:{server_port}/", timeout=5)


def test_adapter_checks_every_redirect_hop(server_port: int) -> None:
    session = _session(AddressPolicy(["127.0.0.1"]))
    target = f"http://localhost:{server_port}/"
    with pytest.raises(BlockedError):
        session.get(f"http://127.0.0.1:{server_port}/redirect-to/{target}", timeout=5)
    ok = session.get(f"http://127.0.0.1:{server_port}/redirect-to//landed", timeout=5)
    assert ok.status_code == 200


def test_adapter_dns_failure_is_a_requests_connection_error() -> None:
    session = _session(AddressPolicy())
    with pytest.raises(requests.ConnectionError):
        session.get("http://no-such-host.invalid/", timeout=5)


def test_adapter_refuses_proxies(server_port: int) -> None:
    session = _session(AddressPolicy(["127.0.0.1"]))
    with pytest.raises(BlockedError, match="proxy"):
        session.get(f"http://127.0.0.1:{server_port}/", proxies={"http": "http://10.0.0.1:3128"}, timeout=5)
