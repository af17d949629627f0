"""config.toml -> a frozen, validated Config.

Every default lives in the dataclasses below. Unknown keys are errors that suggest the closest
valid key; every error is one line naming the file, the line (where it can be found) and the key.
Relative paths resolve against the directory of the config file.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from newsarchiver import __version__
from newsarchiver.db import redact_url
from newsarchiver.errors import ConfigError
from newsarchiver.jobs import parse_schedule
from newsarchiver.urls import allowed_host_problem, normalize_url

DEFAULT_USER_AGENT = (
    f"newsarchiver/{__version__} (+https://github.com/newsarchiver/newsarchiver; "
    "digital preservation crawler)"
)


@dataclass(frozen=True)
class CrawlSettings:
    user_agent: str = DEFAULT_USER_AGENT
    timeout_seconds: float = 30.0  # connect and per-read socket timeout
    max_fetch_seconds: float = 120.0  # total time for one response, against trickling servers
    max_body_mb: float = 20.0
    max_redirects: int = 10
    retries: int = 2
    backoff_seconds: float = 1.0
    max_retry_after_seconds: float = 300.0
    delay_seconds: float = 1.0  # per host, between the end of one request and the next
    connections_per_host: int = 1
    workers: int = 8  # fetch threads across hosts
    obey_robots: bool = True
    # Images, stylesheets and icons of archived pages, so they replay as captured:
    # "same-site" (hosts in the job's scope), "all" (any host; SSRF guard still applies) or "none".
    page_assets: str = "same-site"


@dataclass(frozen=True)
class WarcSettings:
    max_warc_mb: float = 1000.0
    gzip_level: int = 6  # warcio uses 9; 6 is 1.3x faster for 0.6% more bytes
    dedup: bool = True  # identical payload of the same URL -> revisit record
    conversion_records: bool = True  # write the extracted text as a WARC conversion record


@dataclass(frozen=True)
class ExtractSettings:
    workers: int = 0  # extraction processes; 0 = one per core
    # false: a crawl only archives; `newsarchiver import --pending` extracts and indexes later,
    # when the fetch is not competing for the CPU.
    during_crawl: bool = True
    boilerplate_min_pages: int = 3
    boilerplate_min_share: float = 0.3  # share of a site's articles a paragraph must recur on


@dataclass(frozen=True)
class WorkerSettings:
    """`newsarchiver worker`: crawl workers sharing a job's frontier in PostgreSQL."""

    # A claimed URL whose worker stops renewing its lease (died, hung, lost the network) is given
    # to another worker after this long; workers renew every lease_seconds / 3.
    lease_seconds: float = 60.0
    poll_seconds: float = 1.0  # an idle worker asks the frontier for work this often at most
    max_attempts: int = 3  # claims of one URL whose lease ran out before it is marked failed


@dataclass(frozen=True)
class SiteRules:
    """Per-site extraction rules: CSS selectors dropped before extraction, line patterns after."""

    host: str
    drop_selectors: tuple[str, ...] = ()
    drop_line_patterns: tuple[str, ...] = ()


@dataclass(frozen=True)
class Job:
    name: str
    seeds: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    schedule: str = "hourly"
    include: tuple[str, ...] = ()  # regular expressions a URL must match (any)
    exclude: tuple[str, ...] = ()  # regular expressions that drop a URL
    same_host: bool = True
    allowed_hosts: tuple[str, ...] = ()  # extra hosts in scope besides the seeds'
    max_depth: int = 2
    max_pages: int = 1000
    recapture: tuple[str, ...] = ("1h", "6h", "24h", "7d")


@dataclass(frozen=True)
class Config:
    path: Optional[Path]
    archive_dir: Path
    index: str = "sqlite"
    crawl: CrawlSettings = field(default_factory=CrawlSettings)
    warc: WarcSettings = field(default_factory=WarcSettings)
    extract: ExtractSettings = field(default_factory=ExtractSettings)
    workers: WorkerSettings = field(default_factory=WorkerSettings)
    sites: tuple[SiteRules, ...] = ()
    jobs: tuple[Job, ...] = ()

    def job(self, name: str) -> Job:
        for job in self.jobs:
            if job.name == name:
                return job
        names = [j.name for j in self.jobs]
        hint = _did_you_mean(name, names)
        where = self.path or "config"
        raise ConfigError(f"{where}: no job named {name!r}{hint}; jobs: {', '.join(names) or 'none'}")

    def site_rules(self, host: str) -> Optional[SiteRules]:
        host = host.lower()
        for rules in self.sites:
            if host == rules.host or host.endswith("." + rules.host):
                return rules
        return None


def default_config(archive_dir: Path | str = "warcs") -> Config:
    return Config(path=None, archive_dir=Path(archive_dir).resolve())


def load_config(path: Path | str) -> Config:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found (pass -c FILE or create config.toml)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc
    return _build(data, path, text)


def _did_you_mean(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


class _Locator:
    """Finds the line of a key in the TOML text, for error messages (best effort)."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()

    def where(self, key: str, table: str = "", nth: int = 0) -> str:
        header_re = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
        key_re = re.compile(r"^\s*" + re.escape(key) + r"\s*=")
        current, seen = "", -1
        for lineno, line in enumerate(self.lines, start=1):
            header = header_re.match(line)
            if header:
                current = header.group(1)
                if current == table:
                    seen += 1
                continue
            if current == table and (not table or seen == nth) and key_re.match(line):
                return f"{self.path}:{lineno}"
        return str(self.path)

    def error(self, key_path: str, message: str, key: str, table: str = "", nth: int = 0) -> ConfigError:
        return ConfigError(f"{self.where(key, table, nth)}: {key_path}: {message}")


def _build(data: dict[str, Any], path: Path, text: str) -> Config:
    loc = _Locator(path, text)
    base = path.resolve().parent
    top_fields = {"archive_dir", "index", "crawl", "warc", "extract", "workers", "sites", "jobs"}
    _check_keys(data, top_fields, "", loc, "")

    archive_dir = data.get("archive_dir", "warcs")
    if not isinstance(archive_dir, str) or not archive_dir:
        raise loc.error("archive_dir", f"expected a directory path string, got {archive_dir!r}", "archive_dir")
    index = data.get("index", "sqlite")
    if not isinstance(index, str) or not (index == "sqlite" or index.startswith(("postgresql://", "postgres://"))):
        raise loc.error("index", f'expected "sqlite" or a postgresql:// URL, got {index!r}', "index")

    crawl = _section(CrawlSettings, data.get("crawl", {}), "crawl", loc)
    warc = _section(WarcSettings, data.get("warc", {}), "warc", loc)
    extract = _section(ExtractSettings, data.get("extract", {}), "extract", loc)
    _check_ranges(crawl, warc, extract, loc)
    workers = _section(WorkerSettings, data.get("workers", {}), "workers", loc)
    _check_worker_ranges(workers, loc)

    sites = tuple(_site(i, raw, loc) for i, raw in enumerate(_array(data, "sites", loc)))
    jobs = tuple(_job(i, raw, loc) for i, raw in enumerate(_array(data, "jobs", loc)))
    names = [j.name for j in jobs]
    for i, name in enumerate(names):
        if name in names[:i]:
            raise loc.error(f"jobs[{i}].name", f"duplicate job name {name!r}", "name", "jobs", i)

    return Config(
        path=path.resolve(),
        archive_dir=(base / archive_dir).resolve(),
        index=index,
        crawl=crawl,
        warc=warc,
        extract=extract,
        workers=workers,
        sites=sites,
        jobs=jobs,
    )


def _check_keys(raw: dict[str, Any], allowed: set[str], prefix: str, loc: _Locator, table: str, nth: int = 0) -> None:
    for key in raw:
        if key not in allowed:
            hint = _did_you_mean(key, sorted(allowed))
            raise loc.error(f"{prefix}{key}", f"unknown key{hint}", key, table, nth)


def _array(data: dict[str, Any], name: str, loc: _Locator) -> list[dict[str, Any]]:
    raw = data.get(name, [])
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        raise loc.error(name, f"expected [[{name}]] tables", name)
    return raw


def _coerce(value: Any, annotation: str, key_path: str, key: str, loc: _Locator, table: str, nth: int = 0) -> Any:
    """Check one value against a field's annotation (given as a string, see __future__)."""
    def fail(expected: str) -> ConfigError:
        return loc.error(key_path, f"expected {expected}, got {value!r}", key, table, nth)

    if annotation == "bool":
        if not isinstance(value, bool):
            raise fail("true or false")
        return value
    if annotation == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise fail("an integer")
        return value
    if annotation == "float":
        # TOML has inf and nan; no setting means "forever", and both crash int() further on.
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise fail("a finite number")
        return float(value)
    if annotation == "str":
        if not isinstance(value, str):
            raise fail("a string")
        return value
    if annotation.startswith("tuple[str"):
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise fail("a list of strings")
        return tuple(value)
    raise AssertionError(f"unhandled annotation {annotation}")


def _section(cls: type, raw: Any, name: str, loc: _Locator) -> Any:
    if not isinstance(raw, dict):
        raise loc.error(name, f"expected a [{name}] table", name)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    _check_keys(raw, set(fields), f"{name}.", loc, name)
    values = {k: _coerce(v, str(fields[k].type), f"{name}.{k}", k, loc, name) for k, v in raw.items()}
    return cls(**values)


DAY = 86_400.0


def _header_safe(value: str) -> bool:
    """Sendable as an HTTP header value: not blank, no control characters, Latin-1 (as requests sends it)."""
    if not value.strip() or any(ch < " " or ch == "\x7f" for ch in value):
        return False
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


def _check_ranges(crawl: CrawlSettings, warc: WarcSettings, extract: ExtractSettings, loc: _Locator) -> None:
    # Upper bounds far past any sensible value: they keep a typo like 1e300 from overflowing later.
    checks: list[tuple[str, str, bool, str]] = [
        ("crawl", "timeout_seconds", 0 < crawl.timeout_seconds <= DAY, "a number of seconds > 0, at most a day"),
        ("crawl", "max_fetch_seconds", 0 < crawl.max_fetch_seconds <= DAY, "a number of seconds > 0, at most a day"),
        ("crawl", "max_body_mb", 0 < crawl.max_body_mb <= 1_000_000, "a number > 0, at most 1000000"),
        ("crawl", "max_redirects", 0 <= crawl.max_redirects <= 50, "an integer from 0 to 50"),
        ("crawl", "retries", 0 <= crawl.retries <= 10, "an integer from 0 to 10"),
        ("crawl", "backoff_seconds", 0 <= crawl.backoff_seconds <= DAY, "a number of seconds >= 0, at most a day"),
        ("crawl", "delay_seconds", 0 <= crawl.delay_seconds <= DAY, "a number of seconds >= 0, at most a day"),
        ("crawl", "max_retry_after_seconds", 0 <= crawl.max_retry_after_seconds <= DAY,
         "a number of seconds >= 0, at most a day"),
        ("crawl", "connections_per_host", 1 <= crawl.connections_per_host <= 16, "an integer from 1 to 16"),
        ("crawl", "workers", 1 <= crawl.workers <= 256, "an integer from 1 to 256"),
        ("crawl", "user_agent", _header_safe(crawl.user_agent), "a non-empty User-Agent on one line, in Latin-1"),
        ("crawl", "page_assets", crawl.page_assets in ("same-site", "all", "none"), '"same-site", "all" or "none"'),
        ("warc", "max_warc_mb", 0 < warc.max_warc_mb <= 1_000_000, "a number > 0, at most 1000000"),
        ("warc", "gzip_level", 1 <= warc.gzip_level <= 9, "an integer from 1 to 9"),
        ("extract", "workers", 0 <= extract.workers <= 64, "an integer from 0 to 64"),
        ("extract", "boilerplate_min_pages", extract.boilerplate_min_pages >= 2, "an integer >= 2"),
        ("extract", "boilerplate_min_share", 0 < extract.boilerplate_min_share <= 1, "a number in (0, 1]"),
    ]
    sections = {"crawl": crawl, "warc": warc, "extract": extract}
    for section, key, ok, expected in checks:
        if not ok:
            value = getattr(sections[section], key)
            raise loc.error(f"{section}.{key}", f"expected {expected}, got {value!r}", key, section)


def _check_worker_ranges(workers: WorkerSettings, loc: _Locator) -> None:
    checks: list[tuple[str, bool, str]] = [
        ("lease_seconds", workers.lease_seconds >= 1, "a number >= 1"),
        ("poll_seconds", 0 < workers.poll_seconds <= 60, "a number in (0, 60]"),
        ("max_attempts", 1 <= workers.max_attempts <= 100, "an integer from 1 to 100"),
    ]
    for key, ok, expected in checks:
        if not ok:
            raise loc.error(f"workers.{key}", f"expected {expected}, got {getattr(workers, key)!r}", key, "workers")


def _site(i: int, raw: dict[str, Any], loc: _Locator) -> SiteRules:
    from bs4 import BeautifulSoup  # only to validate CSS selectors

    prefix = f"sites[{i}]."
    fields = {f.name: f for f in dataclasses.fields(SiteRules)}
    _check_keys(raw, set(fields), prefix, loc, "sites", i)
    if "host" not in raw:
        raise loc.error(f"{prefix}host", "missing (the site's host name, e.g. \"www.rferl.org\")", "host", "sites", i)
    values = {k: _coerce(v, str(fields[k].type), prefix + k, k, loc, "sites", i) for k, v in raw.items()}
    values["host"] = values["host"].lower().strip()
    probe = BeautifulSoup("<p></p>", "html.parser")
    for selector in values.get("drop_selectors", ()):
        try:
            probe.select(selector)
        except Exception as exc:  # soupsieve raises its own SelectorSyntaxError
            raise loc.error(f"{prefix}drop_selectors", f"invalid CSS selector {selector!r}: {str(exc).splitlines()[0]}",
                            "drop_selectors", "sites", i) from exc
    for pattern in values.get("drop_line_patterns", ()):
        try:
            re.compile(pattern)
        except re.error as exc:
            raise loc.error(f"{prefix}drop_line_patterns", f"invalid regular expression {pattern!r}: {exc}",
                            "drop_line_patterns", "sites", i) from exc
    return SiteRules(**values)


SCHEDULE_RE = re.compile(r"^(every\s+\d+\s*[smhd]|hourly|daily|weekly|(\S+\s+){4}\S+)$")
DURATION_RE = re.compile(r"^\d+\s*[smhd]$")
JOB_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def _job(i: int, raw: dict[str, Any], loc: _Locator) -> Job:
    prefix = f"jobs[{i}]."
    fields = {f.name: f for f in dataclasses.fields(Job)}
    _check_keys(raw, set(fields), prefix, loc, "jobs", i)
    if "name" not in raw:
        raise loc.error(f"{prefix}name", "missing (a short name such as \"rferl\")", "name", "jobs", i)
    values = {k: _coerce(v, str(fields[k].type), prefix + k, k, loc, "jobs", i) for k, v in raw.items()}
    if not JOB_NAME_RE.match(values["name"]):
        raise loc.error(f"{prefix}name", f"expected letters, digits, '.', '_' or '-', got {values['name']!r}",
                        "name", "jobs", i)
    for key in ("seeds", "feeds", "sitemaps"):
        for url in values.get(key, ()):
            # The crawler's own normalisation: a URL it would drop must not pass here.
            if not re.match(r"^https?://[^/\s]+", url) or normalize_url(url) is None:
                raise loc.error(f"{prefix}{key}", f"expected an http:// or https:// URL, got {url!r}", key, "jobs", i)
    for host in values.get("allowed_hosts", ()):
        problem = allowed_host_problem(host)
        if problem:
            raise loc.error(f"{prefix}allowed_hosts", problem, "allowed_hosts", "jobs", i)
    if not (values.get("seeds") or values.get("feeds") or values.get("sitemaps")):
        raise loc.error(f"{prefix}seeds", "a job needs at least one of seeds, feeds or sitemaps", "name", "jobs", i)
    schedule = values.get("schedule", "hourly").strip()
    if not SCHEDULE_RE.match(schedule):
        raise loc.error(f"{prefix}schedule", f'expected "every 30m", "hourly", "daily" or a cron line, got {schedule!r}',
                        "schedule", "jobs", i)
    try:
        parse_schedule(schedule)  # the regex admits any 5 fields; this checks ranges, names, "every 0m"
    except ConfigError as exc:
        raise loc.error(f"{prefix}schedule", str(exc), "schedule", "jobs", i) from None
    for key in ("include", "exclude"):
        for pattern in values.get(key, ()):
            try:
                re.compile(pattern)
            except re.error as exc:
                raise loc.error(f"{prefix}{key}", f"invalid regular expression {pattern!r}: {exc}", key, "jobs", i) from exc
    for duration in values.get("recapture", ()):
        if not DURATION_RE.match(duration):
            raise loc.error(f"{prefix}recapture", f'expected durations such as "1h" or "7d", got {duration!r}',
                            "recapture", "jobs", i)
    for key in ("max_depth", "max_pages"):
        if key in values and values[key] < 0:
            raise loc.error(f"{prefix}{key}", f"expected an integer >= 0, got {values[key]}", key, "jobs", i)
    return Job(**values)


def config_as_dict(config: Config) -> dict[str, Any]:
    """The resolved config as plain data (for check-config and the warcinfo record)."""
    data = dataclasses.asdict(config)
    data["path"] = str(config.path) if config.path else None
    data["archive_dir"] = str(config.archive_dir)
    data["index"] = redact_url(config.index)  # a password must not reach a terminal or a WARC file
    return data
