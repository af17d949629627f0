"""The reader's pages: search, article, diff, archived-original viewer, sites and jobs.

Each handler reads the catalogue or the search index (never writes) and renders a template.
Query parameters are user input: bounded in length, parsed strictly, and a bad value is a 400
page that says what was wrong.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from jinja2 import Environment

from newsarchiver.errors import UsageError
from newsarchiver.search import MAX_OFFSET, SORTS, SearchFilters
from newsarchiver.search_query import parse_query
from newsarchiver.textdiff import PARAGRAPH, counts, word_diff
from newsarchiver.web.lookup import timestamp14
from newsarchiver.web.rewrite import replay_url

if TYPE_CHECKING:
    from newsarchiver.web.app import Response
    from newsarchiver.web.store import ArchiveData

PER_PAGE = 20
MAX_PARAM_CHARS = 500
FILTER_FIELDS = ("site", "author", "lang", "job", "since", "until", "captured_since", "captured_until")
FLAG_NOTES = {
    "paywall": "Paywall: the capture may hold only the teaser of the article.",
    "consent_wall": "Consent wall: the site showed a cookie or consent page instead of the article.",
    "bot_challenge": "Bot challenge: the site answered with a 'checking your browser' page.",
    "js_required": "Needs JavaScript: the page was an empty shell; the text may be missing.",
    "removed": "Removed: the site no longer serves this article.",
}

Segment = tuple[str, str]  # ("same" | "del" | "ins", words)


def query_params(environ: dict[str, Any]) -> dict[str, str]:
    """The first value of each query parameter, stripped and bounded."""
    raw = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True, max_num_fields=50)
    return {key: values[0].strip()[:MAX_PARAM_CHARS] for key, values in raw.items() if values}


def _int_param(params: dict[str, str], name: str, default: int | None) -> int | None:
    value = params.get(name, "")
    if not value:
        return default
    if not value.isdigit() or len(value) > 9:
        raise UsageError(f"{name}: expected a whole number, got {value!r}")
    return int(value)


def diff_paragraphs(old: str, new: str) -> tuple[list[list[Segment]], int, int]:
    """The new text as paragraphs of kept, removed and added runs of words; (+words, -words)."""
    changes = word_diff(old, new)
    stream: list[tuple[str, str]] = []
    for change in changes:
        if change.op == "equal":
            stream += [("same", token) for token in change.old]
        else:
            stream += [("del", token) for token in change.old]
            stream += [("ins", token) for token in change.new]
    paragraphs: list[list[Segment]] = [[]]
    for kind, token in stream:
        if token == PARAGRAPH:
            if paragraphs[-1]:
                paragraphs.append([])
            continue
        current = paragraphs[-1]
        if current and current[-1][0] == kind:
            current[-1] = (kind, current[-1][1] + " " + token)
        else:
            current.append((kind, token))
    added, removed = counts(changes)
    return [p for p in paragraphs if p], added, removed


def page_numbers(current: int, last: int) -> list[int | None]:
    """1 … 4 5 [6] 7 8 … 20: None marks a gap."""
    out: list[int | None] = []
    previous = 0
    for n in sorted(n for n in {1, last, *range(current - 2, current + 3)} if 1 <= n <= last):
        if n - previous > 1:
            out.append(None)
        out.append(n)
        previous = n
    return out


class Pages:
    def __init__(self, data: ArchiveData, env: Environment) -> None:
        self.data = data
        self.env = env

    def render(self, template: str, http_status: int = 200, **context: Any) -> Response:
        from newsarchiver.web.app import Response

        html = self.env.get_template(template).render(archive_dir=str(self.data.archive_dir), **context)
        return Response(http_status, html.encode("utf-8"))

    def error(self, status: int, message: str) -> Response:
        return self.render("error.html", status, status=status, message=message, nav="")

    def not_found(self, message: str) -> Response:
        return self.error(404, message)

    # --- search -------------------------------------------------------------------------------

    def search(self, environ: dict[str, Any]) -> Response:
        params = query_params(environ)
        query = params.get("q", "")
        sort = params.get("sort", "relevance")
        if sort not in SORTS:
            sort = "relevance"
        filters = {name: params.get(name, "") for name in FILTER_FIELDS}
        state = {"q": query, "sort": sort if sort != "relevance" else "", **filters}
        context: dict[str, Any] = {"nav": "search", "state": state, "query": query, "sort": sort, "sorts": SORTS,
                                   "filters": filters, "filters_open": any(filters.values()), "error": None,
                                   "page": None, "current": 1, "pages": [], "empty_archive": False}
        if self.data.catalogue() is None:
            context["empty_archive"] = True
            return self.render("search.html", **context)
        if self.data.search_index() is None:
            context["error"] = ("This archive has no full-text index yet: `newsarchiver reindex` builds it "
                                "from the WARC files.")
            return self.render("search.html", 503, **context)
        try:
            current = max(1, _int_param(params, "page", 1) or 1)
            current = min(current, MAX_OFFSET // PER_PAGE + 1)
            parse_query(query)  # a syntax error is shown with the form, not as an error page
            page = self.data.search(query, SearchFilters(**_filter_args(filters)), sort=sort, limit=PER_PAGE,
                                    offset=(current - 1) * PER_PAGE)
        except UsageError as exc:
            context["error"] = str(exc)
            return self.render("search.html", 400, **context)
        last = max(1, min(-(-page.total // PER_PAGE), MAX_OFFSET // PER_PAGE + 1))
        context.update(page=page, current=current, pages=page_numbers(current, last), last=last,
                       first_shown=(current - 1) * PER_PAGE + 1)
        if page.total == 0 and not query and not any(filters.values()):
            context["empty_archive"] = True
        return self.render("search.html", **context)

    # --- one article ---------------------------------------------------------------------------

    def article(self, environ: dict[str, Any], article_id: str) -> Response:
        catalogue = self.data.catalogue()
        record = catalogue.article(int(article_id)) if catalogue is not None else None
        if catalogue is None or record is None:
            return self.not_found(f"No article {article_id} in this archive.")
        n = _int_param(query_params(environ), "v", None)
        version = catalogue.version(record.id, n)
        if version is None:
            return self.not_found(f"Article {record.id} has no version {n} (it has {record.latest_version}).")
        captures = catalogue.captures_of(record.id)
        capture = catalogue.capture(version.capture_id)
        flags = list(version.flags) + (["removed"] if record.removed_at else [])
        return self.render("article.html", nav="", article=record, version=version, versions=catalogue.versions(record.id),
                           captures=captures, captured_url=capture.url if capture else record.url,
                           flags=[(flag, FLAG_NOTES.get(flag, flag.replace("_", " "))) for flag in flags],
                           paragraphs=[p.strip() for p in version.text.split("\n") if p.strip()])

    def diff(self, environ: dict[str, Any], article_id: str) -> Response:
        catalogue = self.data.catalogue()
        record = catalogue.article(int(article_id)) if catalogue is not None else None
        if catalogue is None or record is None:
            return self.not_found(f"No article {article_id} in this archive.")
        versions = catalogue.versions(record.id)
        params = query_params(environ)
        to_n = _int_param(params, "to", record.latest_version) or record.latest_version
        from_n = _int_param(params, "from", max(1, to_n - 1)) or 1
        old, new = catalogue.version(record.id, from_n), catalogue.version(record.id, to_n)
        if old is None or new is None:
            missing = from_n if old is None else to_n
            return self.not_found(f"Article {record.id} has no version {missing} (versions 1 to {len(versions)}).")
        paragraphs, added, removed = diff_paragraphs(old.text, new.text)
        return self.render("diff.html", nav="", article=record, versions=versions, old=old, new=new,
                           paragraphs=paragraphs, added=added, removed=removed,
                           title_changed=old.title != new.title)

    # --- the archived original -----------------------------------------------------------------

    def capture(self, environ: dict[str, Any], capture_id: str) -> Response:
        catalogue = self.data.catalogue()
        capture = catalogue.capture(int(capture_id)) if catalogue is not None else None
        if catalogue is None or capture is None:
            return self.not_found(f"No capture {capture_id} in this archive.")
        article = catalogue.article(capture.article_id) if capture.article_id is not None else None
        version = catalogue.version(article.id, capture.version_n) if article and capture.version_n else None
        src = replay_url(capture.url, timestamp14(capture.captured_at))
        return self.render("capture.html", nav="", capture=capture, article=article, version=version, src=src)

    # --- overviews -----------------------------------------------------------------------------

    def sites(self, environ: dict[str, Any]) -> Response:
        return self.render("sites.html", nav="sites", sites=self.data.sites(),
                           has_index=self.data.catalogue() is not None)

    def jobs(self, environ: dict[str, Any]) -> Response:
        return self.render("jobs.html", nav="jobs", jobs=self.data.jobs(), has_index=self.data.catalogue() is not None)


def _filter_args(filters: dict[str, str]) -> dict[str, str | None]:
    """Form fields -> SearchFilters keywords (the form says `lang`, as the CLI's --lang does)."""
    return {name: (value or None) for name, value in filters.items()}
