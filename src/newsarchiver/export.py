"""Articles out of the archive: one article as text, Markdown, JSON or HTML, and exports of many
(JSON Lines, a directory of Markdown or HTML files, EPUB in epub.py, WACZ in wacz.py).

File names come from article titles, which come from the web: `safe_filename` keeps only word
characters and dashes, and `safe_path` checks that the result stays inside the output directory.
HTML is escaped throughout and carries a Content-Security-Policy that forbids loading anything,
so an exported page never reaches the live web.
"""

from __future__ import annotations

import html
import json
import re
import textwrap
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Optional, TextIO

from newsarchiver.errors import ArchiveError, UsageError
from newsarchiver.index_records import ArticleRecord, CaptureRecord, VersionRecord

FORMATS = ("txt", "md", "json", "html")
EXPORT_FORMATS = ("jsonl", "md", "html", "epub", "wacz")
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'"
_SLUG_MAX = 60  # characters; keeps names under 255 bytes even in CJK scripts


@dataclass(frozen=True)
class ArticleView:
    """One article at one version, with what a reader needs around it."""

    article: ArticleRecord
    version: VersionRecord
    version_count: int
    captured_url: str  # the URL this version was captured from
    jobs: tuple[str, ...] = ()

    @classmethod
    def load(cls, catalogue: Any, article: ArticleRecord, n: Optional[int] = None) -> Optional["ArticleView"]:
        version = catalogue.version(article.id, n)
        if version is None:
            return None
        capture: Optional[CaptureRecord] = catalogue.capture(version.capture_id)
        return cls(article, version, article.latest_version, capture.url if capture else article.url,
                   tuple(catalogue.jobs_of(article.id)))


# --- one article ---------------------------------------------------------------------------------

def article_dict(view: ArticleView) -> dict[str, Any]:
    a, v = view.article, view.version
    return {
        "id": a.id, "url": view.captured_url, "canonical_url": a.url, "site": a.site, "title": v.title,
        "authors": list(v.authors), "published": v.published, "updated": v.updated, "language": v.language,
        "site_name": v.site_name, "description": v.description, "section": v.section, "tags": list(v.tags),
        "lead_image": v.lead_image, "word_count": v.word_count, "flags": list(v.flags), "version": v.n,
        "versions": view.version_count, "version_captured_at": v.captured_at,
        "first_captured_at": a.first_captured_at, "last_captured_at": a.last_captured_at,
        "removed_at": a.removed_at, "captures": a.capture_count, "jobs": list(view.jobs),
        "text_hash": v.text_hash, "extractor": v.extractor, "text": v.text,
    }


def _meta_lines(view: ArticleView) -> list[tuple[str, str]]:
    a, v = view.article, view.version
    lines = [("URL", view.captured_url)]
    if a.url != view.captured_url:
        lines.append(("Canonical", a.url))
    lines += [("Site", v.site_name or a.site)]
    if v.authors:
        lines.append(("By", ", ".join(v.authors)))
    if v.published:
        lines.append(("Published", v.published))
    if v.updated:
        lines.append(("Updated", v.updated))
    if v.language:
        lines.append(("Language", v.language))
    lines.append(("Version", f"{v.n} of {view.version_count}, captured {v.captured_at}"))
    lines.append(("Captured", f"{a.first_captured_at} .. {a.last_captured_at} ({a.capture_count} captures)"))
    if a.removed_at:
        lines.append(("Removed", a.removed_at))
    if v.flags:
        lines.append(("Flags", ", ".join(v.flags)))
    lines.append(("ID", str(a.id)))
    return lines


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n|\n", text) if p.strip()]


def render_text(view: ArticleView, width: int = 0) -> str:
    """For a terminal: title, metadata, then the paragraphs (wrapped when width > 0)."""
    v = view.version
    out = [v.title or "(untitled)", "=" * min(len(v.title or "(untitled)"), width or 80), ""]
    out += [f"{key + ':':<11}{value}" for key, value in _meta_lines(view)]
    out.append("")
    for para in paragraphs(v.text):
        out.append(textwrap.fill(para, width) if width > 0 else para)
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _md_escape(text: str) -> str:
    return re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", text)


def render_markdown(view: ArticleView) -> str:
    v = view.version
    out = [f"# {_md_escape(v.title or '(untitled)')}", ""]
    out += [f"- **{key}:** {_md_escape(value)}" for key, value in _meta_lines(view)]
    out.append("")
    for para in paragraphs(v.text):
        # A paragraph that starts like Markdown syntax must stay text.
        out += [re.sub(r"^([#>+\-*]|\d+\.)", r"\\\1", _md_escape(para)), ""]
    return "\n".join(out).rstrip() + "\n"


def _safe_href(url: str) -> Optional[str]:
    return url if re.match(r"^https?://", url, re.IGNORECASE) else None


def render_html(view: ArticleView, *, standalone: bool = True) -> str:
    v = view.version
    e = html.escape
    meta_rows = []
    for key, value in _meta_lines(view):
        href = _safe_href(value) if key in ("URL", "Canonical") else None
        cell = f'<a href="{e(href)}" rel="noreferrer noopener">{e(value)}</a>' if href else e(value)
        meta_rows.append(f"<tr><th>{e(key)}</th><td>{cell}</td></tr>")
    lang = f' lang="{e(v.language)}"' if v.language and re.fullmatch(r"[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*", v.language) else ""
    body = (f"<article{lang}>\n<h1>{e(v.title or '(untitled)')}</h1>\n<table class=\"meta\">\n"
            + "\n".join(meta_rows) + "\n</table>\n"
            + "\n".join(f"<p>{e(p)}</p>" for p in paragraphs(v.text)) + "\n</article>\n")
    if not standalone:
        return body
    return ("<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n"
            f"<meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n"
            "<meta name=\"referrer\" content=\"no-referrer\">\n"
            f"<title>{e(v.title or '(untitled)')}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
            + body + "</body>\n</html>\n")


_CSS = ("body{max-width:42em;margin:2em auto;padding:0 1em;font:1.05em/1.6 Georgia,serif;color:#222}"
        "table.meta{font:0.85em/1.4 sans-serif;color:#555;border-collapse:collapse;margin-bottom:2em}"
        "table.meta th{text-align:left;padding-right:1em;vertical-align:top}")


def render(view: ArticleView, fmt: str, width: int = 0) -> str:
    if fmt == "txt":
        return render_text(view, width)
    if fmt == "md":
        return render_markdown(view)
    if fmt == "json":
        return json.dumps(article_dict(view), ensure_ascii=False, indent=2) + "\n"
    if fmt == "html":
        return render_html(view)
    raise UsageError(f"--format: expected one of {', '.join(FORMATS)}, got {fmt!r}")


# --- safe file names -----------------------------------------------------------------------------

def safe_filename(article_id: int, title: str, ext: str) -> str:
    """`000042-some-title.md`: word characters (any script) and dashes only, never a path."""
    slug = unicodedata.normalize("NFKC", title)
    slug = re.sub(r"[^\w-]+", "-", slug)  # drops '/', '\\', '.', ':' and every control character
    slug = re.sub(r"[-_]{2,}", "-", slug).strip("-_")[:_SLUG_MAX].strip("-_") or "article"
    return f"{article_id:06d}-{slug}.{ext}"


def safe_path(root: Path, name: str) -> Path:
    """root/name, refusing anything that would land outside root."""
    root = root.resolve()
    path = (root / name).resolve()
    if path.parent != root:
        raise ArchiveError(f"{name!r}: refusing to write outside {root}")
    return path


# --- exports of many articles ----------------------------------------------------------------------

def write_jsonl(views: Iterable[ArticleView], out: TextIO) -> int:
    count = 0
    for view in views:
        out.write(json.dumps(article_dict(view), ensure_ascii=False) + "\n")
        count += 1
    return count


def write_files(views: Iterable[ArticleView], directory: Path, fmt: str) -> list[Path]:
    """One file per article in `directory` (md or html), plus an index page; returns the files."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ArchiveError(f"{directory}: cannot create the output directory: {exc.strerror}") from exc
    written: list[Path] = []
    entries: list[tuple[str, ArticleView]] = []
    for view in views:
        name = safe_filename(view.article.id, view.version.title, fmt)
        path = safe_path(directory, name)
        path.write_text(render_markdown(view) if fmt == "md" else render_html(view), encoding="utf-8")
        written.append(path)
        entries.append((name, view))
    index = safe_path(directory, f"index.{fmt}")
    index.write_text(_index_page(entries, fmt), encoding="utf-8")
    written.append(index)
    return written


def _index_page(entries: list[tuple[str, ArticleView]], fmt: str) -> str:
    if fmt == "md":
        lines = ["# Exported articles", ""]
        lines += [f"- [{_md_escape(v.version.title or '(untitled)')}]({name}) — {v.article.site}, "
                  f"{v.version.published or v.version.captured_at}" for name, v in entries]
        return "\n".join(lines) + "\n"
    e = html.escape
    items = "\n".join(f'<li><a href="{e(name)}">{e(v.version.title or "(untitled)")}</a> — {e(v.article.site)}, '
                      f"{e(v.version.published or v.version.captured_at)}</li>" for name, v in entries)
    return ("<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n"
            f"<meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n"
            f"<title>Exported articles</title>\n<style>{_CSS}</style>\n</head>\n<body>\n<h1>Exported articles</h1>\n"
            f"<ul>\n{items}\n</ul>\n</body>\n</html>\n")
