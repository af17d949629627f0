"""Shared pieces of the golden page builders (see make_golden.py)."""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent


@dataclass
class Golden:
    slug: str
    url: str
    html: str
    expected: dict[str, object]  # title, authors, published, language, site_name, canonical_url, flags
    paragraphs: list[str] = field(default_factory=list)  # the expected text, one entry a paragraph
    encoding: str = "utf-8"
    headers: list[list[str]] = field(default_factory=list)  # HTTP headers the page is served with


def esc(text: str) -> str:
    return html.escape(text, quote=False)


def write(page: Golden) -> None:
    data = page.html.encode(page.encoding, errors="strict")
    if page.encoding == "utf-16-le":
        data = b"\xff\xfe" + data  # UTF-16 pages carry a byte-order mark
    (HERE / f"{page.slug}.html").write_bytes(data)
    meta: dict[str, object] = {"url": page.url}
    if page.headers:
        meta["headers"] = page.headers
    meta.update(page.expected)
    (HERE / f"{page.slug}.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (HERE / f"{page.slug}.txt").write_text("\n\n".join(page.paragraphs) + ("\n" if page.paragraphs else ""),
                                           encoding="utf-8")


def paras(items: list[str], cls: str = "") -> str:
    attr = f' class="{cls}"' if cls else ""
    return "\n".join(f"<p{attr}>{esc(p)}</p>" for p in items)


def expect(
    title: str,
    *,
    authors: list[str] | None = None,
    published: str | None = None,
    language: str | None = None,
    site_name: str | None = None,
    canonical_url: str | None = None,
    flags: list[str] | None = None,
) -> dict[str, object]:
    return {
        "article": True,
        "title": title,
        "authors": authors or [],
        "published": published,
        "language": language,
        "site_name": site_name,
        "canonical_url": canonical_url,
        "flags": flags or [],
    }


def not_article(reason_prefix: str) -> dict[str, object]:
    return {"article": False, "reason_prefix": reason_prefix}
