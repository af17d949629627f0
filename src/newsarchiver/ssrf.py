"""The SSRF guard: which network addresses a crawl may connect to.

Policy
------
A crawl starts from URLs a person typed (seeds, feeds, sitemaps) and then follows URLs that
web pages chose (links, redirects, sitemap entries). Pages are untrusted: a public news page
must not be able to steer the crawler into the machine's own network (an admin page on
127.0.0.1, a router on 10.0.0.1, the cloud metadata service on 169.254.169.254 that hands out
credentials).

- A host named by an explicit seed is *trusted*: it may resolve to any address. That is how the
  tests and ``newsarchiver demo`` crawl 127.0.0.1, and how an intranet site can be archived on
  purpose. Trust is by host name, on any port (``AddressPolicy.trusted_hosts``).
- Every other host must resolve only to public addresses: not loopback, private (RFC 1918,
  IPv6 ULA), shared (100.64/10), link-local, multicast, reserved, unspecified, documentation or
  benchmarking ranges, nor a known cloud metadata address. IPv4 embedded in IPv6
  (``::ffff:127.0.0.1``, NAT64, 6to4) is judged by the IPv4 address inside.
- The check is on the *resolved* addresses, on every hop (the fetcher calls it per request), so
  a DNS name pointing at 127.0.0.1 and numeric forms such as ``http://2130706433/`` are caught.
  If any resolved address is blocked, the host is blocked: a name with one public and one
  private record would otherwise let the OS pick the private one.

Time of check, time of use
--------------------------
``AddressPolicy.resolve`` resolves and checks, but a later ``requests`` call resolves again, and
a hostile DNS server can answer differently the second time (DNS rebinding). ``GuardedAdapter``
closes that gap: it is a ``requests`` transport adapter whose connections run the check at
connect time and connect to the checked address itself, while the Host header, TLS SNI and
certificate verification keep the original name. Mount it on the session; then the check in
the connection is the one that counts, and ``resolve`` is an early, cheap refusal.

Residual risks, accepted: a trusted (seed) host that later resolves somewhere else is still
trusted; proxies from the environment would bypass the guard (the fetcher sets
``trust_env = False``).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from typing import Any, ClassVar, Optional
from urllib.parse import urlsplit

import requests.adapters
import urllib3.connection
import urllib3.connectionpool
import urllib3.exceptions

from newsarchiver.errors import BlockedError, FetchError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean, ...
        "169.254.170.2",  # AWS ECS task credentials
        "fd00:ec2::254",  # AWS IMDS over IPv6
        "100.100.100.200",  # Alibaba Cloud
        "192.0.0.192",  # Oracle Cloud (older)
    )
)

_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
# Not "global" in the IANA sense yet missed by Python 3.11's is_global / is_private.
_EXTRA_BLOCKED = (ipaddress.ip_network("224.0.0.0/4"), ipaddress.ip_network("240.0.0.0/4"))


def blocked_reason(ip: str | IPAddress) -> Optional[str]:
    """Why a crawler must not connect to ``ip`` unasked, or None for a public address."""
    try:
        addr = ipaddress.ip_address(ip.split("%", 1)[0] if isinstance(ip, str) else ip)
    except ValueError:
        return "not an IP address"
    if addr in METADATA_ADDRESSES:
        return "cloud metadata address"
    embedded = _embedded_ipv4(addr)
    if embedded is not None:
        return blocked_reason(embedded)
    for label, flag in (
        ("loopback", addr.is_loopback),
        ("unspecified", addr.is_unspecified),
        ("link-local", addr.is_link_local),
        ("multicast", addr.is_multicast),
        ("private", addr.is_private),
        ("reserved", addr.is_reserved),
    ):
        if flag:
            return f"{label} address"
    if any(addr in net for net in _EXTRA_BLOCKED if net.version == addr.version):
        return "reserved address"
    if not addr.is_global:
        return "non-public address"  # e.g. 100.64.0.0/10 shared address space
    return None


def is_public_ip(ip: str | IPAddress) -> bool:
    return blocked_reason(ip) is None


def _embedded_ipv4(addr: IPAddress) -> Optional[ipaddress.IPv4Address]:
    """The IPv4 address an IPv6 address stands for (mapped, NAT64, 6to4), if any."""
    if not isinstance(addr, ipaddress.IPv6Address):
        return None
    if addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    if addr.sixtofour is not None:
        return addr.sixtofour
    if any(addr in net for net in _NAT64):
        return ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF)
    return None


def resolve_addresses(host: str, port: int) -> list[str]:
    """All addresses ``host`` resolves to for a TCP connection, in the resolver's order."""
    host = host.strip("[]")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError) as exc:
        raise FetchError(f"{host}: cannot resolve host name: {exc}") from exc
    addresses: list[str] = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        ip = str(sockaddr[0])
        if ip not in addresses:
            addresses.append(ip)
    if not addresses:
        raise FetchError(f"{host}: host name resolves to no address")
    return addresses


def check_addresses(host: str, port: int, *, allow_private: bool) -> list[str]:
    """Resolve ``host`` and return every address, or raise BlockedError if any is not public."""
    addresses = resolve_addresses(host, port)
    if not allow_private:
        for ip in addresses:
            reason = blocked_reason(ip)
            if reason:
                raise BlockedError(f"{host}: resolves to {ip}, a {reason}; refused by the SSRF guard")
    return addresses


def check_address(host: str, port: int, *, allow_private: bool) -> str:
    """Resolve ``host`` and return the address to connect to; BlockedError if any is not public."""
    return check_addresses(host, port, allow_private=allow_private)[0]


def _host_name(host: str) -> str:
    """Host as compared with trusted hosts: lowercase, no brackets, no trailing dot."""
    return host.strip().strip("[]").rstrip(".").lower()


class AddressPolicy:
    """The crawl's address policy: seed hosts trusted, everything else public only.

    ``trusted_hosts`` holds host names (no port) as ``normalize_url`` writes them, e.g.
    ``127.0.0.1``, ``::1``, ``localhost``, ``xn--bcher-kva.de``. ``allow_private=True`` turns
    the guard off (an intranet archive).
    """

    def __init__(self, trusted_hosts: Iterable[str] = (), *, allow_private: bool = False) -> None:
        self.trusted_hosts = frozenset(_host_name(h) for h in trusted_hosts)
        self.allow_private = allow_private

    @classmethod
    def from_seeds(cls, seeds: Iterable[str], *, allow_private: bool = False) -> AddressPolicy:
        from newsarchiver.urls import normalize_url

        hosts = []
        for seed in seeds:
            normalized = normalize_url(seed)
            if normalized and (host := urlsplit(normalized).hostname):
                hosts.append(host)
        return cls(hosts, allow_private=allow_private)

    def is_trusted(self, host: str) -> bool:
        return self.allow_private or _host_name(host) in self.trusted_hosts

    def check(self, host: str, port: int) -> list[str]:
        """Every address of ``host`` this policy lets us connect to; BlockedError otherwise."""
        return check_addresses(host, port, allow_private=self.is_trusted(host))

    def resolve(self, url: str) -> str:
        """The address a request to ``url`` will use, after the check (BlockedError if refused)."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https"):
            raise BlockedError(f"{url}: only http and https URLs are fetched")
        try:
            port = parts.port or (443 if scheme == "https" else 80)
        except ValueError as exc:
            raise BlockedError(f"{url}: invalid port") from exc
        if not parts.hostname:
            raise BlockedError(f"{url}: no host name")
        return self.check(parts.hostname, port)[0]

    __call__ = resolve  # usable wherever the fetcher expects an ``address_check(url) -> ip``


# --- connection pinning for requests --------------------------------------------------------


class _GuardedConnectionMixin:
    """Runs the policy at connect time and connects to a checked address.

    urllib3 connects to ``self._dns_host``; ``self.host`` (derived from it) feeds the Host header
    and TLS SNI/verification *after* the socket is open. So the checked IP is swapped in for the
    duration of the connect only and the name restored before anything else reads it.
    """

    policy: ClassVar[AddressPolicy]
    _dns_host: str
    port: int
    checked_ip: Optional[str] = None  # the peer address, for the WARC-IP-Address header

    def _new_conn(self) -> socket.socket:
        name = self._dns_host
        try:
            addresses = self.policy.check(name, self.port)  # BlockedError propagates as is
        except BlockedError:
            raise
        except FetchError as exc:
            # A DNS failure stays a urllib3 error, so requests reports it as a ConnectionError.
            cause = exc.__cause__ if isinstance(exc.__cause__, socket.gaierror) else socket.gaierror(str(exc))
            raise urllib3.exceptions.NameResolutionError(name, self, cause) from exc  # type: ignore[arg-type]
        last_error: Optional[Exception] = None
        for ip in addresses:
            self._dns_host = ip
            try:
                sock: socket.socket = super()._new_conn()  # type: ignore[misc]
            except Exception as exc:  # urllib3's NewConnectionError etc.: try the next address
                last_error = exc
                continue
            finally:
                self._dns_host = name
            self.checked_ip = ip
            return sock
        assert last_error is not None
        raise last_error


class GuardedAdapter(requests.adapters.HTTPAdapter):
    """A requests adapter whose connections obey ``policy`` and are pinned to the checked IP.

    ``session.mount("http://", GuardedAdapter(policy, pool_maxsize=4))`` (and "https://");
    other keyword arguments go to HTTPAdapter. A refused address raises BlockedError out of
    ``session.get``; the connection's peer is ``resp.raw.connection.checked_ip`` while the
    response is streaming.
    """

    def __init__(self, policy: AddressPolicy, **kwargs: Any) -> None:
        http_conn = type("GuardedHTTPConnection", (_GuardedConnectionMixin, urllib3.connection.HTTPConnection),
                         {"policy": policy})
        https_conn = type("GuardedHTTPSConnection", (_GuardedConnectionMixin, urllib3.connection.HTTPSConnection),
                          {"policy": policy})
        self._pool_classes = {
            "http": type("GuardedHTTPConnectionPool", (urllib3.connectionpool.HTTPConnectionPool,),
                         {"ConnectionCls": http_conn}),
            "https": type("GuardedHTTPSConnectionPool", (urllib3.connectionpool.HTTPSConnectionPool,),
                          {"ConnectionCls": https_conn}),
        }
        self.policy = policy
        super().__init__(**kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = self._pool_classes

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        # Through a proxy the guard would check the proxy, not the target: refuse outright.
        raise BlockedError(f"proxy {proxy}: the SSRF guard cannot check targets behind a proxy")
