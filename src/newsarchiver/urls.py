"""URL normalisation, article identity and crawl scope. Pure functions: no network, no DNS.

Three notions of "the same URL", from strict to loose:

``normalize_url``
    What the crawler fetches and dedups on. Only equivalences that hold for every HTTP server
    (RFC 3986 section 6 plus the WHATWG URL parser's host rules) and the removal of tracking
    parameters, which no news server needs to choose its content:
    lowercase scheme and host, IDNA host, numeric IPv4 forms (``2130706433``, ``0x7f.1``) written
    as dotted quads, default port dropped, userinfo dropped, fragment dropped, percent-escapes
    uppercased and unreserved characters decoded, dot segments removed, empty path -> ``/``.
    Query parameter order is kept: some servers care.

``canonical_identity``
    What merges the captures of one article. Looser, and not always fetchable: https, no
    ``www.``, no trailing slash, AMP variants folded onto the article (see the function).

``Scope``
    Which discovered URLs the crawl follows: seed hosts (``www.`` optional), extra allowed
    hosts, include/exclude regular expressions.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote, unquote_plus, urljoin, urlsplit

import idna

if TYPE_CHECKING:
    from newsarchiver.config import Job

MAX_URL_LENGTH = 8192  # longer URLs are crawler traps or garbage; most servers refuse them anyway

DEFAULT_PORTS = {"http": 80, "https": 443}

# Click and campaign identifiers appended by newsletters, social networks and ad platforms.
# Exact names, compared case-insensitively; every "utm_*" parameter is dropped as well.
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid",
        "ttclid", "li_fat_id", "igshid", "igsh", "mc_cid", "mc_eid", "mkt_tok", "_ga", "_gl",
        "_hsenc", "_hsmi", "__hssc", "__hstc", "__hsfp", "hsctatracking", "oly_anon_id",
        "oly_enc_id", "vero_id", "vero_conv", "wickedid", "ref_src", "ref_url", "s_cid",
        "at_medium", "at_campaign", "at_custom1", "at_custom2", "at_custom3", "at_custom4",
        "ito", "cmpid", "smid", "sr_share", "ocid", "soc_src", "soc_trk",
    }
)

_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_PATH_SAFE = "/:@!$&'()*+,;=%"
_QUERY_SAFE = "/?:@!$&'()*+,;=%"
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_LONE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_TAB_NEWLINE = re.compile(r"[\t\n\r]")
# WHATWG "forbidden host code points" (minus '%', handled by unquoting first).
_FORBIDDEN_HOST = re.compile(r"[\x00-\x20#/:<>?@\[\\\]^|%]")


def normalize_url(url: str, base: str | None = None) -> str | None:
    """The normalised absolute http(s) URL, or None when ``url`` is not one (never raises)."""
    try:
        return _normalize(url, base)
    except (ValueError, UnicodeError, TypeError, AttributeError):
        return None


def _normalize(url: str, base: str | None) -> str | None:
    # Browsers strip surrounding whitespace and drop tabs/newlines anywhere in a URL.
    url = _TAB_NEWLINE.sub("", url.strip(" \t\n\r\x0c\x00"))
    if (not url and not base) or len(url) > MAX_URL_LENGTH:
        return None  # an empty reference with a base is the base itself (RFC 3986 5.2.2)
    url = _backslashes_to_slashes(url)
    if base:
        url = _resolve(url, _backslashes_to_slashes(base.strip()))
    return _normalize_resolved(url.split("#", 1)[0])


@functools.lru_cache(maxsize=32768)
def _normalize_resolved(url: str) -> str | None:
    # Cached: a site's navigation links recur on every one of its pages.
    return _normalize_fast(url) or _normalize_absolute(url)


_ORIGIN = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*")


def _resolve(url: str, base: str) -> str:
    """urljoin, with shortcuts for the two forms most links take (urljoin costs ~20 us)."""
    if url[:8].lower().startswith(("http://", "https://")):
        return url
    if url.startswith("/") and not url.startswith("//"):
        origin = _ORIGIN.match(base)
        if origin:
            return origin.group(0) + url
    return urljoin(base, url)


# An absolute URL that is already in normal form but for the scheme's case, a default port
# or tracking parameters: lowercase DNS host, only characters that need no escaping, no
# percent-escapes, no dot segments. Most links on real pages are like this; they skip the
# general path below, which is about ten times slower. tests/test_urls.py checks both agree.
_SIMPLE_URL = re.compile(
    r"^(?i:(https?))://([a-z0-9-]+(?:\.[a-z0-9-]+)*)(?::([0-9]{1,5}))?"
    r"(/[A-Za-z0-9\-._~!$&'()*+,;=:@/]*)?(?:\?([A-Za-z0-9\-._~!$&'()*+,;=:@/?]*))?\Z"
)


def _normalize_fast(url: str) -> str | None:
    """The normal form of a simple URL, or None when the general path must decide."""
    match = _SIMPLE_URL.match(url)
    if match is None:
        return None
    scheme, host, port, path, query = match.groups()
    path = path or "/"
    if _ends_in_number(host) or "/." in path or len(url) > MAX_URL_LENGTH:
        return None
    scheme = scheme.lower()
    netloc = host
    if port is not None:
        number = int(port)
        if not 0 < number < 65536:
            return None
        if number != DEFAULT_PORTS[scheme]:
            netloc = f"{host}:{number}"
    if query:
        query = "&".join(p for p in query.split("&") if p and not is_tracking_param(p.split("=", 1)[0]))
    return f"{scheme}://{netloc}{path}" + (f"?{query}" if query else "")


def _normalize_absolute(url: str) -> str | None:
    """The general path: any absolute URL, after resolution."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or parts.hostname is None:
        return None
    host = _normalize_host(parts.hostname)
    port = parts.port  # raises ValueError on a non-numeric or out-of-range port
    if host is None or port == 0:
        return None
    netloc = host if port is None or port == DEFAULT_PORTS[scheme] else f"{host}:{port}"
    path = _remove_dot_segments(_normalize_escapes(parts.path, _PATH_SAFE)) or "/"
    if not path.startswith("/"):
        path = "/" + path
    query = _normalize_query(parts.query)
    result = f"{scheme}://{netloc}{path}" + (f"?{query}" if query else "")
    return result if len(result) <= MAX_URL_LENGTH else None


def _backslashes_to_slashes(url: str) -> str:
    """WHATWG: in http(s) URLs a backslash before the query is a slash (``http:\\\\evil.com``)."""
    if "\\" not in url:
        return url
    cut = min((i for i in (url.find("?"), url.find("#")) if i >= 0), default=len(url))
    return url[:cut].replace("\\", "/") + url[cut:]


def _normalize_host(raw: str) -> str | None:
    host = unquote(raw).lower().rstrip(".")  # urlsplit already removed IPv6 brackets
    if not host:
        return None
    if ":" in host:
        return _normalize_ipv6(host)
    if not host.isascii():
        host = _idna_encode(host)
    if _FORBIDDEN_HOST.search(host):
        return None
    if _ends_in_number(host):
        return _parse_ipv4(host)
    return host


def _normalize_ipv6(host: str) -> str | None:
    try:
        return f"[{ipaddress.IPv6Address(host).compressed}]"
    except ValueError:
        return None


def _idna_encode(host: str) -> str:
    # The idna package (a requests dependency) implements UTS 46, as browsers do; the stdlib
    # codec is IDNA 2003 and maps some names (e.g. with "ß") differently.
    try:
        return str(idna.encode(host, uts46=True).decode("ascii"))
    except idna.IDNAError as exc:
        raise ValueError(str(exc)) from exc


_NUMBER_LABEL = re.compile(r"^(0[xX][0-9A-Fa-f]*|[0-9]+)$")


def _ends_in_number(host: str) -> bool:
    """WHATWG: a host whose last label is numeric is an IPv4 address (or invalid)."""
    return bool(_NUMBER_LABEL.match(host.rsplit(".", 1)[-1]))


def _parse_ipv4(host: str) -> str | None:
    """WHATWG IPv4 parser: ``2130706433``, ``0x7f.1``, ``0177.0.0.1`` -> ``127.0.0.1``.

    Browsers, curl and glibc's resolver all accept these forms, so a crawler must normalise them
    for dedup and for the SSRF guard's host comparisons to see what will really be contacted.
    """
    labels = host.split(".")
    if len(labels) > 4:
        return None
    numbers: list[int] = []
    for label in labels:
        if not _NUMBER_LABEL.match(label):
            return None
        if label[:2].lower() == "0x":
            numbers.append(int(label[2:] or "0", 16))
        elif len(label) > 1 and label.startswith("0"):
            if not all(c in "01234567" for c in label):
                return None
            numbers.append(int(label, 8))
        else:
            numbers.append(int(label))
    *head, last = numbers
    if any(n > 255 for n in head) or last >= 256 ** (5 - len(numbers)):
        return None
    value = last
    for i, n in enumerate(head):
        value += n << (8 * (3 - i))
    return str(ipaddress.IPv4Address(value))


def _normalize_escapes(component: str, safe: str) -> str:
    """Percent-encode what must be, uppercase escapes, decode escaped unreserved characters."""
    component = _LONE_PERCENT.sub("%25", component)
    component = quote(component, safe=safe)  # non-ASCII -> UTF-8 escapes; keeps existing ones
    return _ESCAPE.sub(_fix_escape, component)


def _fix_escape(match: re.Match[str]) -> str:
    char = chr(int(match.group(1), 16))
    return char if char in _UNRESERVED else "%" + match.group(1).upper()


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4, on a path whose ``%2E`` escapes are already decoded."""
    if "." not in path:
        return path
    output: list[str] = []
    segments = path.split("/")
    for i, segment in enumerate(segments):
        last = i == len(segments) - 1
        if segment == ".":
            if last:
                output.append("")
        elif segment == "..":
            if len(output) > 1:
                output.pop()
            if last:
                output.append("")
        else:
            output.append(segment)
    result = "/".join(output)
    return result if result.startswith("/") or not path.startswith("/") else "/" + result


def _normalize_query(query: str) -> str:
    if not query:
        return ""
    kept = [
        param
        for param in _normalize_escapes(query, _QUERY_SAFE).split("&")
        if param and not is_tracking_param(param.split("=", 1)[0])
    ]
    return "&".join(kept)


def is_tracking_param(name: str) -> bool:
    """True for ``utm_*`` and the names in TRACKING_PARAMS (case-insensitive)."""
    name = unquote_plus(name).lower()
    return name.startswith("utm_") or name in TRACKING_PARAMS


# --- article identity -----------------------------------------------------------------------

_AMP_QUERY_PARAMS = frozenset({"amp", "_amp", "amp_js_v", "amp_gsa", "amp_tf", "usqp", "__amp_source_origin"})
_AMP_CACHE_PATH = re.compile(r"^/(?:c|v|i)/(s/)?([^/]+)(/.*)?$")
_GOOGLE_AMP_PATH = re.compile(r"^/amp/(s/)?([^/]+)(/.*)?$")


def canonical_identity(url: str) -> str:
    """The key that merges the captures of one article, whatever variant was captured.

    Starting from ``normalize_url``, it folds:

    - the scheme to https (an article is the same article over http);
    - a leading ``www.`` or ``amp.`` host label, when at least two labels remain
      (``amp.theguardian.com`` and ``www.theguardian.com`` -> ``theguardian.com``);
    - AMP cache wrappers: ``https://www-example-com.cdn.ampproject.org/c/s/www.example.com/a``
      and ``https://www.google.com/amp/s/www.example.com/a`` -> ``https://example.com/a``;
    - AMP paths: a trailing ``/amp`` segment (``/news/story/amp``), a ``.amp`` suffix on the last
      segment (BBC: ``/news/uk-123.amp``) and a leading ``/amp/`` segment (``/amp/news/story``);
    - AMP query flags: ``amp``, ``amp=1``, ``outputType=amp`` and the AMP cache's own parameters;
    - a trailing slash, except on the root.

    Deliberately not folded: ``m.`` mobile hosts (often different content or a different CMS),
    ``index.html`` (sometimes a different page), query parameters other than the above.
    The result is an identity key, not necessarily a URL a server answers; fetch the
    ``normalize_url`` form. An unparseable input is returned stripped, unchanged.
    """
    normalized = normalize_url(url)
    if normalized is None:
        return url.strip()
    normalized = _unwrap_amp_cache(normalized)
    parts = urlsplit(normalized)
    netloc = _strip_host_prefix(parts.netloc, ("www.", "amp."))
    path = _strip_amp_path(parts.path)
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    query = "&".join(p for p in parts.query.split("&") if p and not _is_amp_param(p))
    return f"https://{netloc}{path}" + (f"?{query}" if query else "")


def _unwrap_amp_cache(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    if host.endswith(".cdn.ampproject.org"):
        match = _AMP_CACHE_PATH.match(parts.path)
    elif re.match(r"^(www\.)?google\.[a-z.]+$", host):
        match = _GOOGLE_AMP_PATH.match(parts.path)
    else:
        return url
    if not match:
        return url
    scheme = "https" if match.group(1) else "http"
    inner = f"{scheme}://{match.group(2)}{match.group(3) or '/'}" + (f"?{parts.query}" if parts.query else "")
    return normalize_url(inner) or url


def _strip_host_prefix(netloc: str, prefixes: tuple[str, ...]) -> str:
    for prefix in prefixes:
        rest = netloc[len(prefix):]
        # "www.com" stays: a bare TLD is never what was meant.
        if netloc.startswith(prefix) and "." in rest.split(":", 1)[0]:
            return rest
    return netloc


def _strip_amp_path(path: str) -> str:
    if path.startswith("/amp/"):
        path = path[4:]
    trimmed = path.rstrip("/")
    if trimmed.endswith("/amp"):
        return trimmed[: -len("/amp")] or "/"
    if trimmed.endswith(".amp") and not trimmed.endswith("/.amp"):
        return trimmed[: -len(".amp")]
    return path


def _is_amp_param(param: str) -> bool:
    name, _, value = param.partition("=")
    name = name.lower()
    return name in _AMP_QUERY_PARAMS or (name == "outputtype" and value.lower() == "amp")


# --- politeness and scope -------------------------------------------------------------------


def host_key(url: str) -> str:
    """``host:port`` (port always explicit) of an http(s) URL: the unit of politeness.

    Raises ValueError for a URL that ``normalize_url`` rejects: callers pass normalised URLs.
    """
    normalized = normalize_url(url)
    if normalized is None:
        raise ValueError(f"not an http(s) URL: {url!r}")
    parts = urlsplit(normalized)
    port = parts.port or DEFAULT_PORTS[parts.scheme]
    return f"{parts.netloc.rsplit(':', 1)[0] if parts.port else parts.netloc}:{port}"


def _scope_host(netloc: str) -> str:
    """A seed or link host for scope comparison: ``www.`` optional, non-default port kept."""
    return _strip_host_prefix(netloc, ("www.",))


def allowed_host_problem(entry: str) -> str | None:
    """Why ``entry`` cannot be an ``allowed_hosts`` entry, or None when it can."""
    try:
        Scope((), allowed_hosts=(entry,))
    except ValueError as exc:
        return str(exc)
    return None


class Scope:
    """Which discovered URLs a crawl follows.

    - The seeds themselves are always in scope (a user who names a URL wants it), even when an
      include/exclude pattern would reject it.
    - With ``same_host`` (the default), a URL must be on a seed's host or an ``allowed_hosts``
      entry. Hosts compare without a leading ``www.`` and without the scheme (http and https
      of one site are one site), but with a non-default port: ``127.0.0.1:8001`` and
      ``127.0.0.1:8002`` are different sites, as browsers' origins say.
    - ``allowed_hosts`` entries: ``example.com`` (that host, any port, ``www.`` optional),
      ``example.com:8080`` (that port only), ``*.example.com`` or ``.example.com`` (the domain
      and all its subdomains). A URL is accepted too.
    - ``include``: when given, a URL must match at least one (``re.search`` on the normalised
      URL); ``exclude``: a URL matching any is out.

    Depth and page limits are the frontier's business: Scope only sees URLs.
    """

    def __init__(
        self,
        seeds: Iterable[str],
        *,
        same_host: bool = True,
        allowed_hosts: Iterable[str] = (),
        include: Iterable[str] = (),
        exclude: Iterable[str] = (),
    ) -> None:
        normalized = [n for n in (normalize_url(s) for s in seeds) if n]
        self.seeds = frozenset(normalized)
        self.same_host = same_host
        self.hosts = {_scope_host(urlsplit(n).netloc) for n in normalized}
        self.domains: set[str] = set()  # from "*.example.com": the domain and its subdomains
        self.any_port_hosts: set[str] = set()
        for entry in allowed_hosts:
            self._allow(entry)
        self.include = [re.compile(p) for p in include]
        self.exclude = [re.compile(p) for p in exclude]

    @classmethod
    def from_job(cls, job: Job, extra_seeds: Iterable[str] = ()) -> Scope:
        """Seeds, feeds and sitemaps of a job all name hosts the user wants crawled."""
        seeds = [*job.seeds, *job.feeds, *job.sitemaps, *extra_seeds]
        return cls(
            seeds,
            same_host=job.same_host,
            allowed_hosts=job.allowed_hosts,
            include=job.include,
            exclude=job.exclude,
        )

    def _allow(self, entry: str) -> None:
        entry = entry.strip().lower()
        wildcard = entry.startswith(("*.", "."))
        entry = entry.lstrip("*").lstrip(".")
        normalized = normalize_url(entry if "://" in entry else f"http://{entry}/")
        if normalized is None:
            raise ValueError(f"allowed host {entry!r} is not a host name")
        parts = urlsplit(normalized)
        netloc = parts.netloc
        hostname = netloc.rsplit(":", 1)[0] if parts.port else netloc
        if wildcard:
            self.domains.add(hostname)
        elif parts.port:
            self.hosts.add(_scope_host(netloc))
        else:
            self.any_port_hosts.add(_scope_host(hostname))

    def in_scope(self, url: str) -> bool:
        return self.reason(url) is None

    def reason(self, url: str) -> str | None:
        """None when ``url`` is in scope, else a short reason for the crawl's records."""
        normalized = normalize_url(url)
        if normalized is None:
            return "not an http(s) URL"
        if normalized in self.seeds:
            return None
        if self.same_host and not self._host_allowed(normalized):
            return f"host {urlsplit(normalized).netloc} is not a seed or allowed host"
        excluded = self.excluded(normalized)
        if excluded:
            return excluded
        if self.include and not any(p.search(normalized) for p in self.include):
            return "matches no include pattern"
        return None

    def excluded(self, url: str) -> str | None:
        """The exclude pattern ``url`` matches, as a reason, or None (include and hosts aside)."""
        for pattern in self.exclude:
            if pattern.search(url):
                return f"matches exclude pattern {pattern.pattern!r}"
        return None

    def _host_allowed(self, normalized: str) -> bool:
        parts = urlsplit(normalized)
        netloc = _scope_host(parts.netloc)
        if netloc in self.hosts:
            return True
        hostname = netloc.rsplit(":", 1)[0] if parts.port else netloc
        if hostname in self.any_port_hosts:
            return True
        full_host = parts.netloc.rsplit(":", 1)[0] if parts.port else parts.netloc
        return any(full_host == d or full_host.endswith("." + d) for d in self.domains)
