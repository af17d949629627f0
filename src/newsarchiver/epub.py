"""An EPUB 3 book with one chapter per article, for e-readers.

Written by hand (a zip of a few XML files) rather than with a library: the format is small, and
this way every string from the web passes through one escaping function that also drops the
characters XML 1.0 forbids (a single control character would make the whole book unreadable).
"""

from __future__ import annotations

import re
import uuid
import zipfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable
from xml.sax.saxutils import escape, quoteattr

from newsarchiver.errors import ArchiveError
from newsarchiver.export import ArticleView, paragraphs

_XML_INVALID = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_LANG = re.compile(r"[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*")

CONTAINER = """<?xml version="1.0" encoding="utf-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles><rootfile full-path="EPUB/content.opf" media-type="application/oebps-package+xml"/></rootfiles>
</container>
"""
CSS = "body{font-family:serif;line-height:1.5}.meta{font-size:0.85em;color:#555}h1{font-size:1.4em}"


def x(text: str) -> str:
    return escape(_XML_INVALID.sub("", text))


def xa(text: str) -> str:
    return quoteattr(_XML_INVALID.sub("", text))


def _lang(value: str | None) -> str:
    return value if value and _LANG.fullmatch(value) else "und"


def _chapter(view: ArticleView) -> str:
    v, a = view.version, view.article
    meta = [v.site_name or a.site]
    if v.authors:
        meta.append(", ".join(v.authors))
    if v.published:
        meta.append(v.published)
    meta.append(f"captured {v.captured_at}")
    body = "\n".join(f"<p>{x(p)}</p>" for p in paragraphs(v.text))
    lang = _lang(v.language)
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n'
            f'<html xmlns="http://www.w3.org/1999/xhtml" xml:lang={xa(lang)} lang={xa(lang)}>\n'
            f'<head><meta charset="utf-8"/><title>{x(v.title or "(untitled)")}</title>'
            f'<link rel="stylesheet" type="text/css" href="style.css"/></head>\n<body>\n'
            f'<h1>{x(v.title or "(untitled)")}</h1>\n<p class="meta">{x(" · ".join(meta))}<br/>{x(view.captured_url)}</p>\n'
            f"{body}\n</body>\n</html>\n")


def write_epub(views: Iterable[ArticleView], path: Path, title: str = "newsarchiver export") -> int:
    """Write the book; returns the number of chapters."""
    views = list(views)
    chapters = [(f"a{view.article.id:06d}v{view.version.n}.xhtml", view) for view in views]
    # The same selection gives the same book identifier, so e-readers see an update, not a new book.
    book_id = uuid.uuid5(uuid.NAMESPACE_URL, "newsarchiver:" + ",".join(name for name, _ in chapters))
    modified = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    languages = sorted({_lang(v.version.language) for v in views}) or ["und"]
    manifest = "\n".join(f'    <item id="c{i}" href="{name}" media-type="application/xhtml+xml"/>'
                         for i, (name, _) in enumerate(chapters))
    spine = "\n".join(f'    <itemref idref="c{i}"/>' for i in range(len(chapters)))
    opf = (f'<?xml version="1.0" encoding="utf-8"?>\n'
           f'<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="bookid">\n'
           f'  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
           f'    <dc:identifier id="bookid">urn:uuid:{book_id}</dc:identifier>\n'
           f"    <dc:title>{x(title)}</dc:title>\n"
           + "".join(f"    <dc:language>{x(lang)}</dc:language>\n" for lang in languages)
           + f'    <meta property="dcterms:modified">{modified}</meta>\n'
           f"  </metadata>\n  <manifest>\n"
           f'    <item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>\n'
           f'    <item id="css" href="style.css" media-type="text/css"/>\n{manifest}\n  </manifest>\n'
           f'  <spine>\n    <itemref idref="nav"/>\n{spine}\n  </spine>\n</package>\n')
    toc = "\n".join(f'<li><a href="{name}">{x(view.version.title or "(untitled)")}</a></li>' for name, view in chapters)
    nav = (f'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n'
           f'<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops">\n'
           f"<head><meta charset=\"utf-8\"/><title>{x(title)}</title></head>\n<body>\n"
           f'<nav epub:type="toc" id="toc"><h1>{x(title)}</h1>\n<ol>\n{toc}\n</ol></nav>\n</body>\n</html>\n')
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(path, "w") as book:
            # The spec wants "mimetype" first and uncompressed, so readers can sniff the type.
            book.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip", compress_type=zipfile.ZIP_STORED)
            book.writestr("META-INF/container.xml", CONTAINER, compress_type=zipfile.ZIP_DEFLATED)
            book.writestr("EPUB/content.opf", opf, compress_type=zipfile.ZIP_DEFLATED)
            book.writestr("EPUB/nav.xhtml", nav, compress_type=zipfile.ZIP_DEFLATED)
            book.writestr("EPUB/style.css", CSS, compress_type=zipfile.ZIP_DEFLATED)
            for name, view in chapters:
                book.writestr(f"EPUB/{name}", _chapter(view), compress_type=zipfile.ZIP_DEFLATED)
    except OSError as exc:
        raise ArchiveError(f"{path}: cannot write the EPUB: {exc.strerror or exc}") from exc
    return len(chapters)
