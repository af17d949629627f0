"""Articles straight from WARC files, with no index: the engine of `newsarchiver extract`.

Two passes over the pages: the first extracts every HTML response (in the import's process
pool) and counts each site's paragraphs; the second drops the paragraphs that recur on many pages
of a site (learned boilerplate), so a notice repeated on every page of a WARC is gone even with
no index at hand. The good records before any damage are still extracted; the damage itself is
returned, for the caller to report.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional

from newsarchiver.boilerplate import BoilerplateLearner, LearnedBoilerplate
from newsarchiver.config import Config
from newsarchiver.errors import WarcFormatError
from newsarchiver.extract import apply_learned
from newsarchiver.ingest import OrderedExtraction, is_html_page
from newsarchiver.models import Article
from newsarchiver.urls import canonical_identity, host_key

OUTPUT_FORMATS = ("jsonl", "txt", "md", "json", "html")


@dataclass(frozen=True)
class FoundArticle:
    article: Article
    warc: str
    offset: int
    captured_at: str


@dataclass
class OfflineReport:
    pages: int = 0
    articles: list[FoundArticle] = field(default_factory=list)
    not_articles: int = 0
    duplicates: int = 0  # the same article and text captured again (or under another URL)
    damage: list[WarcFormatError] = field(default_factory=list)
    learned: dict[str, LearnedBoilerplate] = field(default_factory=dict)


def extract_warcs(paths: Iterable[Path], config: Config, workers: int = 0) -> OfflineReport:
    from newsarchiver.warcread import iter_entries

    report = OfflineReport()
    learners: dict[str, BoilerplateLearner] = {}

    def jobs() -> Iterator[tuple[Any, Optional[tuple[Any, ...]]]]:
        for path in paths:
            try:
                for entry in iter_entries(path, types={"response"}):
                    if not entry.url or not is_html_page(entry):
                        continue
                    report.pages += 1
                    rules = config.site_rules((entry.url.split("/")[2:3] or [""])[0].split(":")[0])
                    args = (entry.payload, entry.url, entry.http_headers, entry.http_status, rules)
                    yield (str(path), entry.offset, entry.date or ""), args
            except WarcFormatError as exc:
                report.damage.append(exc)

    extractor = OrderedExtraction(workers or config.extract.workers)
    found: list[FoundArticle] = []
    try:
        for (warc, offset, date), result in extractor.map(jobs()):
            article = result.article if result is not None else None
            if article is None:
                report.not_articles += 1
                continue
            found.append(FoundArticle(article, warc, offset, date))
            site = _site(article.url)
            learner = learners.setdefault(site, BoilerplateLearner(
                site, config.extract.boilerplate_min_pages, config.extract.boilerplate_min_share))
            learner.add(article.canonical_url or article.url, article.text.split("\n\n"))
    finally:
        extractor.close()
    report.learned = {site: learner.learned() for site, learner in learners.items()}
    seen: set[tuple[str, str]] = set()
    for item in found:
        # One article per identity and text: wget-style WARCs hold the same page under
        # tracking-parameter variants; a changed text is a new version and is kept.
        identity = (canonical_identity(item.article.canonical_url or item.article.url), item.article.text_hash)
        if identity in seen:
            report.duplicates += 1
            continue
        seen.add(identity)
        learned = report.learned.get(_site(item.article.url))
        article = apply_learned(item.article, learned)[0] if learned is not None and len(learned) else item.article
        report.articles.append(FoundArticle(article, item.warc, item.offset, item.captured_at))
    return report


def _site(url: str) -> str:
    from newsarchiver.boilerplate import site_key

    return site_key(url)


# --- output ------------------------------------------------------------------------------------

def article_record(item: FoundArticle) -> dict[str, Any]:
    a = item.article
    return {
        "url": a.url, "canonical_url": a.canonical_url, "title": a.title, "authors": list(a.authors),
        "published": a.published, "updated": a.updated, "language": a.language, "site_name": a.site_name,
        "description": a.description, "section": a.section, "tags": list(a.tags), "lead_image": a.lead_image,
        "word_count": a.word_count, "flags": list(a.flags), "text_hash": a.text_hash, "captured_at": item.captured_at,
        "warc": Path(item.warc).name, "offset": item.offset, "extractor": a.extractor, "text": a.text,
    }


def render_article(item: FoundArticle, fmt: str) -> str:
    from html import escape

    a = item.article
    meta = [("URL", a.url), ("By", ", ".join(a.authors)), ("Published", a.published or ""),
            ("Language", a.language or ""), ("Captured", item.captured_at),
            ("Flags", ", ".join(a.flags))]
    meta = [(k, v) for k, v in meta if v]
    if fmt == "json":
        return json.dumps(article_record(item), ensure_ascii=False, indent=2) + "\n"
    if fmt == "txt":
        head = "\n".join(f"{k}: {v}" for k, v in meta)
        return f"{a.title}\n{'=' * min(len(a.title), 80)}\n{head}\n\n{a.text}\n"
    if fmt == "md":
        head = "\n".join(f"- **{k}:** {v}" for k, v in meta)
        return f"# {a.title}\n\n{head}\n\n{a.text}\n"
    if fmt == "html":
        rtl = ' dir="rtl"' if (a.language or "") in ("ar", "he", "fa", "ur") else ""
        head = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in meta)
        body = "".join(f"<p>{escape(p)}</p>" for p in a.text.split("\n\n"))
        return (f'<!doctype html><html lang="{escape(a.language or "")}"{rtl}><head><meta charset="utf-8">'
                f"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
                f"<title>{escape(a.title)}</title></head><body><h1>{escape(a.title)}</h1><dl>{head}</dl>"
                f"{body}</body></html>\n")
    raise ValueError(fmt)


def host_of(url: str) -> str:
    try:
        return host_key(url)
    except ValueError:
        return ""
