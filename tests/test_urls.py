from __future__ import annotations

import pytest

from newsarchiver.config import Job
from newsarchiver.urls import Scope, canonical_identity, host_key, is_tracking_param, normalize_url


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # case, default ports, fragments, empty path
        ("HTTP://Example.COM:80/News#comments", "http://example.com/News"),
        ("https://example.com:443", "https://example.com/"),
        ("https://example.com:8443/", "https://example.com:8443/"),
        ("http://example.com:443/", "http://example.com:443/"),
        # tracking parameters go, others stay in their order
        ("https://ex.com/a?utm_source=tw&b=2&UTM_Medium=x&a=1&fbclid=abc", "https://ex.com/a?b=2&a=1"),
        ("https://ex.com/a?gclid=1&mc_cid=2&mc_eid=3&igshid=4&ref_src=twsrc&_ga=5&yclid=6", "https://ex.com/a"),
        ("https://ex.com/a?id=1&&utm_campaign=x&", "https://ex.com/a?id=1"),
        ("https://ex.com/a?", "https://ex.com/a"),
        ("https://ex.com/search?q=a+b&page=2", "https://ex.com/search?q=a+b&page=2"),
        # percent-encoding: uppercase escapes, decode unreserved, keep reserved, encode the rest
        ("http://ex.com/%7euser/%2fx%3a", "http://ex.com/~user/%2Fx%3A"),
        ("http://ex.com/%41%42c", "http://ex.com/ABc"),
        ("http://ex.com/a b/ä", "http://ex.com/a%20b/%C3%A4"),
        ("http://ex.com/100%/x", "http://ex.com/100%25/x"),
        ("http://ex.com/?q=%e4%20x", "http://ex.com/?q=%E4%20x"),
        # dot segments, including encoded dots
        ("http://ex.com/a/./b/../c", "http://ex.com/a/c"),
        ("http://ex.com/a/%2e%2E/b", "http://ex.com/b"),
        ("http://ex.com/../../x", "http://ex.com/x"),
        ("http://ex.com/a/b/..", "http://ex.com/a/"),
        # userinfo dropped, whitespace stripped, tabs/newlines removed, backslashes as slashes
        ("http://user:secret@ex.com/x", "http://ex.com/x"),
        ("  \thttp://ex.com/a\n/b  ", "http://ex.com/a/b"),
        ("http:\\\\ex.com\\a\\b?x=\\", "http://ex.com/a/b?x=%5C"),
        # hosts: IDNA, trailing dot, IPv6, numeric IPv4 forms
        ("https://Bücher.DE/", "https://xn--bcher-kva.de/"),
        ("https://example.com./x", "https://example.com/x"),
        ("http://[0:0:0:0:0:0:0:1]:8080/", "http://[::1]:8080/"),
        ("http://[::FFFF:127.0.0.1]/", "http://[::ffff:7f00:1]/"),
        ("http://2130706433/", "http://127.0.0.1/"),
        ("http://0x7f000001/", "http://127.0.0.1/"),
        ("http://0177.0.0.1/", "http://127.0.0.1/"),
        ("http://127.1/", "http://127.0.0.1/"),
        ("http://10.0.0.1:80/", "http://10.0.0.1/"),
    ],
)
def test_normalize_url(raw: str, expected: str) -> None:
    assert normalize_url(raw) == expected


@pytest.mark.parametrize(
    ("ref", "expected"),
    [  # RFC 3986 section 5.4.1, base http://a/b/c/d;p?q
        ("g", "http://a/b/c/g"),
        ("./g", "http://a/b/c/g"),
        ("g/", "http://a/b/c/g/"),
        ("/g", "http://a/g"),
        ("//g", "http://g/"),
        ("?y", "http://a/b/c/d;p?y"),
        ("g?y", "http://a/b/c/g?y"),
        ("#s", "http://a/b/c/d;p?q"),
        ("g;x?y#s", "http://a/b/c/g;x?y"),
        ("", "http://a/b/c/d;p?q"),
        (".", "http://a/b/c/"),
        ("..", "http://a/b/"),
        ("../g", "http://a/b/g"),
        ("../..", "http://a/"),
        ("../../../g", "http://a/g"),
    ],
)
def test_normalize_resolves_relative_references(ref: str, expected: str) -> None:
    assert normalize_url(ref, "http://a/b/c/d;p?q") == expected


@pytest.mark.parametrize(
    "garbage",
    [
        "", "   ", "javascript:alert(1)", "mailto:desk@example.com", "tel:+123", "data:text/html,x",
        "ftp://ex.com/file", "file:///etc/passwd", "http://", "http:///path", "http://ex.com:99999/",
        "http://ex.com:abc/", "http://ex.com:0/", "http://[::1/", "http://[zz::1]/", "http://256.0.0.1/",
        "http://1.2.3.4.5/", "http://0x100000000/", "http://09.0.0.1/", "http://ex ample.com/",
        "http://ex<ample.com/", "http://xn--a.com\udcff/", "http://" + "a" * 9000 + ".com/",
        "http://\u0000/", "//", "?", "#", "\\\\", "http://%zz/", "http://ex.com/\ud800",
    ],
)
def test_normalize_rejects_garbage_without_raising(garbage: str) -> None:
    assert normalize_url(garbage) is None


def test_normalize_with_garbage_base_never_raises() -> None:
    assert normalize_url("/x", "not a url") is None
    assert normalize_url("http://ex.com/x", "http://[broken") in (None, "http://ex.com/x")
    assert normalize_url("/x", "") is None


def test_normalize_is_idempotent() -> None:
    for raw in ["HTTP://Ex.com:80/a/../b?c=%7e&utm_x=1#f", "https://bücher.de/ä?q=ö", "http://0x7f.1/%2F"]:
        once = normalize_url(raw)
        assert once is not None
        assert normalize_url(once) == once


def test_tracking_param_names() -> None:
    assert is_tracking_param("utm_content")
    assert is_tracking_param("FBCLID")
    assert not is_tracking_param("id")
    assert not is_tracking_param("ref")  # too often meaningful to drop


@pytest.mark.parametrize(
    ("raw", "identity"),
    [
        ("http://www.example.com/news/story/", "https://example.com/news/story"),
        ("https://example.com/news/story", "https://example.com/news/story"),
        ("https://www.example.com/news/story/amp", "https://example.com/news/story"),
        ("https://www.example.com/news/story/amp/", "https://example.com/news/story"),
        ("https://www.example.com/amp/news/story", "https://example.com/news/story"),
        ("https://www.bbc.co.uk/news/world-123.amp", "https://bbc.co.uk/news/world-123"),
        ("https://amp.theguardian.com/world/2024/x", "https://theguardian.com/world/2024/x"),
        ("https://ex.com/story?amp=1&id=7", "https://ex.com/story?id=7"),
        ("https://ex.com/story?amp&id=7", "https://ex.com/story?id=7"),
        ("https://ex.com/story?outputType=amp", "https://ex.com/story"),
        ("https://ex.com/story?outputType=print", "https://ex.com/story?outputType=print"),
        ("https://www-ex-com.cdn.ampproject.org/c/s/www.ex.com/story/?amp=1", "https://ex.com/story"),
        ("https://www.google.com/amp/s/www.ex.com/story", "https://ex.com/story"),
        ("https://ex.com/", "https://ex.com/"),
        ("https://www.com/x/", "https://www.com/x"),  # no bare-TLD hosts
        ("https://m.ex.com/story", "https://m.ex.com/story"),  # mobile hosts are not folded
        ("https://ex.com/ampere/", "https://ex.com/ampere"),
        ("https://ex.com/example.amp.html", "https://ex.com/example.amp.html"),
        ("https://ex.com:8443/a/", "https://ex.com:8443/a"),
        ("not a url", "not a url"),
    ],
)
def test_canonical_identity(raw: str, identity: str) -> None:
    assert canonical_identity(raw) == identity


def test_host_key() -> None:
    assert host_key("https://Example.com/x") == "example.com:443"
    assert host_key("http://example.com/x") == "example.com:80"
    assert host_key("http://127.0.0.1:8000/") == "127.0.0.1:8000"
    assert host_key("http://[::1]:8080/") == "[::1]:8080"
    assert host_key("http://[::1]/") == "[::1]:80"
    with pytest.raises(ValueError):
        host_key("mailto:x@example.com")


def test_scope_same_host_by_default() -> None:
    scope = Scope(["https://www.example.com/news/"])
    assert scope.in_scope("https://www.example.com/news/a")
    assert scope.in_scope("http://example.com/other")  # scheme and www. do not matter
    assert not scope.in_scope("https://cdn.example.com/a")
    assert scope.reason("https://other.org/") == "host other.org is not a seed or allowed host"
    assert scope.reason("mailto:x@example.com") == "not an http(s) URL"


def test_scope_ports_are_distinct_sites() -> None:
    scope = Scope(["http://127.0.0.1:8001/"])
    assert scope.in_scope("http://127.0.0.1:8001/a")
    assert not scope.in_scope("http://127.0.0.1:8002/a")
    assert not scope.in_scope("http://localhost:8001/a")


def test_scope_allowed_hosts_forms() -> None:
    scope = Scope(
        ["https://example.com/"],
        allowed_hosts=["static.example.net", "*.example.org", "127.0.0.1:9000", "https://Feeds.Example.com/"],
    )
    assert scope.in_scope("https://static.example.net/a")
    assert scope.in_scope("http://static.example.net:8080/a")  # no port given: any port
    assert scope.in_scope("https://example.org/")
    assert scope.in_scope("https://deep.sub.example.org/")
    assert not scope.in_scope("https://notexample.org/")
    assert scope.in_scope("http://127.0.0.1:9000/x")
    assert not scope.in_scope("http://127.0.0.1:9001/x")
    assert scope.in_scope("http://feeds.example.com/rss")


def test_scope_include_exclude_and_seeds_always_in() -> None:
    seed = "https://example.com/"
    scope = Scope([seed], include=[r"/news/\d{4}/"], exclude=[r"\?page=", r"/video/"])
    assert scope.in_scope(seed)  # the seed matches no include pattern, yet it was asked for
    assert scope.in_scope("https://example.com/news/2024/story")
    assert scope.reason("https://example.com/about") == "matches no include pattern"
    assert scope.reason("https://example.com/news/2024/video/x") == "matches exclude pattern '/video/'"
    # patterns see the normalised URL: tracking parameters are gone
    assert scope.in_scope("https://example.com/news/2024/story?utm_source=x")


def test_scope_any_host() -> None:
    scope = Scope(["https://example.com/"], same_host=False, exclude=[r"\.pdf$"])
    assert scope.in_scope("https://elsewhere.org/a")
    assert not scope.in_scope("https://elsewhere.org/a.pdf")


def test_scope_from_job() -> None:
    job = Job(
        name="t",
        seeds=("https://www.example.com/",),
        feeds=("https://feeds.example.com/rss.xml",),
        sitemaps=("https://example.com/sitemap.xml",),
        exclude=(r"/tag/",),
        allowed_hosts=("images.example.com",),
    )
    scope = Scope.from_job(job)
    assert scope.in_scope("https://feeds.example.com/other.xml")
    assert scope.in_scope("https://images.example.com/x.jpg")
    assert not scope.in_scope("https://example.com/tag/politics")
    with pytest.raises(ValueError):
        Scope(["https://example.com/"], allowed_hosts=["bad host/"])


def test_fast_path_agrees_with_general_path() -> None:
    import random

    from newsarchiver.urls import _normalize_absolute, _normalize_fast

    rng = random.Random(9309)
    pieces = ["a", "Z", "0", "-", ".", "_", "~", "/", "?", "&", "=", "%41", "%2f", ":", "@", "+", "!", "*", "'", ",",
              ";", "$", "(", "utm_source=x", "fbclid=1", "id=3", "./", "../", "é", " "]
    hosts = ["example.com", "www.example.com", "a-b.example.co.uk", "127.0.0.1", "1.2.3", "xn--bcher-kva.de", "ex.c0m"]
    checked = 0
    for _ in range(5000):
        scheme = rng.choice(["http", "https", "HTTP", "Https"])
        port = rng.choice(["", ":80", ":443", ":8080", ":0", ":70000"])
        rest = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        url = f"{scheme}://{rng.choice(hosts)}{port}/{rest}"
        fast = _normalize_fast(url)
        if fast is not None:
            checked += 1
            assert fast == _normalize_absolute(url), url
    assert checked > 500


def test_resolution_shortcuts_agree_with_urljoin() -> None:
    from urllib.parse import urljoin

    bases = ["https://www.example.com/a/b.html?x=1", "http://ex.com", "http://ex.com:8080/dir/", "https://u@ex.com/p"]
    refs = ["/abs", "/abs/../x?q=1", "//cdn.ex.com/x", "https://other.org/", "HTTP://Other.org/a", "rel/x", "?q", ""]
    for base in bases:
        for ref in refs:
            assert normalize_url(ref, base) == normalize_url(urljoin(base, ref)), (base, ref)
