"""Jinja2 environment for the reader: autoescape on everywhere, and the filters the pages use.

Every value from the archive reaches HTML through these templates, so it is escaped by default.
The only `Markup` built in Python is the search snippet (each piece escaped, then `<mark>`) and
the diff (each word escaped, then `<ins>`/`<del>`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

TEMPLATE_DIR = Path(__file__).parent / "templates"

# Scripts written right to left: Arabic, Hebrew, Persian, Urdu, Pashto, Sindhi, Kurdish (Sorani),
# Uyghur, Dhivehi, Yiddish.
RTL_LANGUAGES = frozenset({"ar", "he", "iw", "fa", "ur", "ps", "sd", "ckb", "ug", "dv", "yi"})
_LANG_TAG = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def safe_href(url: str | None) -> str | None:
    """The URL if it may be a link (http or https), else None: never javascript:, data: or file:."""
    if not url:
        return None
    stripped = url.strip()
    return stripped if re.match(r"^https?://[^\s]", stripped, re.IGNORECASE) else None


def lang_attr(language: str | None) -> str | None:
    """A BCP 47 tag fit for `lang=`, or None when the archive holds something else there."""
    if language and _LANG_TAG.match(language.strip()):
        return language.strip()
    return None


def text_direction(language: str | None) -> str:
    primary = (language or "").strip().lower().replace("_", "-").split("-")[0]
    return "rtl" if primary in RTL_LANGUAGES else "ltr"


def when(value: str | None, with_time: bool = True, seconds: bool = False) -> str:
    """ISO dates as a reader writes them: '2024-05-01T10:00:00Z' -> '1 May 2024, 10:00 UTC'."""
    if not value:
        return ""
    text = value.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            moment = datetime.fromisoformat(text)
            return f"{moment.day} {_MONTHS[moment.month - 1]} {moment.year}"
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    day = f"{moment.day} {_MONTHS[moment.month - 1]} {moment.year}"
    if not with_time:
        return day
    offset = moment.utcoffset()
    zone = " UTC" if offset is not None and offset.total_seconds() == 0 else (moment.strftime(" %z") if offset else "")
    return f"{day}, {moment:%H:%M:%S}{zone}" if seconds else f"{day}, {moment:%H:%M}{zone}"


def took(run: Any) -> str:
    """How long a run took, from its start and finish times ('' while it runs)."""
    try:
        start = datetime.fromisoformat(run.started_at)
        end = datetime.fromisoformat(run.finished_at)
    except (AttributeError, ValueError):
        return ""
    seconds = int((end - start).total_seconds())
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"


def snippet_html(spans: Iterable[tuple[str, bool]]) -> Markup:
    """Search snippet pieces: escaped, the matches wrapped in <mark>."""
    return Markup("").join(Markup("<mark>{}</mark>").format(text) if is_match else escape(text)
                           for text, is_match in spans)


def query_string(params: dict[str, Any], **changes: Any) -> str:
    """The search parameters with some changed (None or "" drops one), as `?a=b`."""
    merged = {**params, **changes}
    kept = {key: value for key, value in merged.items() if value not in (None, "")}
    return "?" + urlencode(kept) if kept else "?"


def plural(count: int, word: str, words: str | None = None) -> str:
    return f"{count:,} {word if count == 1 else (words or word + 's')}"


def make_environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATE_DIR)), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters.update(safe_href=safe_href, lang_attr=lang_attr, direction=text_direction, when=when,
                       snippet=snippet_html, plural=plural, took=took)
    env.globals.update(query_string=query_string)
    return env
