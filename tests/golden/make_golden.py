"""Writes the golden extraction pages: <slug>.html, <slug>.json (expected metadata), <slug>.txt.

Every page was written for this project (see SOURCES.md); the article paragraphs are defined
once here and used both in the HTML and in the expected text, so the two cannot drift apart.
The page chrome (navigation, share bars, related boxes, footers, scripts) imitates the markup
of common news CMSs. Run: python tests/golden/make_golden.py  (rewrites the files in place).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _common import Golden, write
from pages_en import PAGES_EN
from pages_intl import PAGES_INTL
from pages_special import PAGES_SPECIAL


def main() -> None:
    builders: list[Callable[[], Golden]] = [*PAGES_EN, *PAGES_INTL, *PAGES_SPECIAL]
    slugs = set()
    for build in builders:
        page = build()
        assert page.slug not in slugs, page.slug
        slugs.add(page.slug)
        write(page)
    print(f"wrote {len(slugs)} golden pages to {HERE}")


if __name__ == "__main__":
    main()
