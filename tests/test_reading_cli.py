"""`show`, `history`, `diff`, `stats` and `export` on an archive imported from real WARC files."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from warc_factory import WarcBuilder, paragraphs_for

SITE = "https://www.example.com"
EVIL_TITLE = "../../etc/passwd"


def cli(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "newsarchiver", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Article 1 has two versions (a paragraph and the headline edited); article 2 is titled like a path."""
    root = tmp_path_factory.mktemp("reading")
    w = WarcBuilder(job="news")
    w.page(f"{SITE}/news/pact", "Ministers sign border pact", paragraphs_for("pact"), "2024-05-01T10:00:00Z",
           canonical="https://example.com/news/pact")
    w.page(f"{SITE}/news/evil", EVIL_TITLE, paragraphs_for("evil"), "2024-05-01T11:00:00Z",
           canonical="https://example.com/news/evil")
    w.page(f"{SITE}/ru/news", "Министры подписали договор", paragraphs_for("ru"), "2024-05-01T12:00:00Z",
           canonical="https://example.com/ru/news", lang="ru")
    edited = paragraphs_for("pact")
    edited[1] = "The agreement was later amended after protests in the border villages."
    w.page(f"{SITE}/news/pact", "Ministers sign amended border pact", edited, "2024-05-03T10:00:00Z",
           canonical="https://example.com/news/pact")
    warc = w.save(root / "in.warc.gz")
    result = cli("import", warc, "--archive", root / "archive", "--extract-workers", "1", cwd=root)
    assert result.returncode == 0, result.stderr
    return root / "archive"


def test_show_formats_and_versions(archive: Path) -> None:
    txt = cli("show", "1", "--archive", archive, cwd=archive)
    assert txt.returncode == 0, txt.stderr
    assert txt.stdout.startswith("Ministers sign amended border pact\n")
    assert "Version:   2 of 2" in txt.stdout and "amended after protests" in txt.stdout
    old = cli("show", "https://example.com/news/pact", "--version", "1", "--archive", archive, cwd=archive)
    assert "Ministers sign border pact" in old.stdout and "amended after protests" not in old.stdout
    data = json.loads(cli("show", f"{SITE}/news/pact", "--format", "json", "--archive", archive, cwd=archive).stdout)
    assert data["id"] == 1 and data["version"] == 2 and data["versions"] == 2 and data["authors"] == ["Jane Doe"]
    md = cli("show", "1", "--format", "md", "--archive", archive, cwd=archive).stdout
    assert md.startswith("# Ministers sign amended border pact\n")
    page = cli("show", "2", "--format", "html", "--archive", archive, cwd=archive).stdout
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert "<h1>../../etc/passwd</h1>" in page


def test_not_found_is_one_line_and_exit_2(archive: Path) -> None:
    for args in (("show", "999"), ("history", "https://nowhere.example/x"), ("diff", "999"),
                 ("show", "1", "--version", "7")):
        result = cli(*args, "--archive", archive, cwd=archive)
        assert result.returncode == 2, args
        assert result.stderr.count("\n") == 1 and result.stderr.startswith("newsarchiver: error: ")
    empty = cli("show", "1", "--archive", archive.parent / "no-archive-here", cwd=archive)
    assert empty.returncode == 6 and "no index yet" in empty.stderr


def test_history_lists_versions_and_captures(archive: Path) -> None:
    result = cli("history", "1", "--archive", archive, cwd=archive)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Versions (2):" in out and "Captures (2):" in out and "headline changed" in out
    assert "2024-05-01T10:00:00Z" in out and "2024-05-03T10:00:00Z" in out and "in.warc.gz@" in out
    data = json.loads(cli("history", "1", "--json", "--archive", archive, cwd=archive).stdout)
    assert [v["n"] for v in data["versions"]] == [1, 2] and len(data["captures"]) == 2


def test_diff_word_by_word(archive: Path) -> None:
    result = cli("diff", "1", "--archive", archive, cwd=archive)
    assert result.returncode == 0, result.stderr
    assert "{+The agreement was later amended after protests in the border villages.+}" in result.stdout
    assert "[-" in result.stdout and "\x1b[" not in result.stdout  # no colours when not a terminal
    assert "Headline: Ministers sign {+amended+} border pact" in result.stdout
    coloured = cli("diff", "1", "--from", "1", "--to", "2", "--color", "always", "--archive", archive, cwd=archive)
    assert "\x1b[32m{+" in coloured.stdout
    data = json.loads(cli("diff", "1", "--json", "--archive", archive, cwd=archive).stdout)
    assert (data["from"], data["to"]) == (1, 2) and data["words_added"] >= 11 and data["words_removed"] > 0
    assert {c["op"] for c in data["changes"]} >= {"equal", "replace"}
    single = cli("diff", "2", "--archive", archive, cwd=archive)
    assert single.returncode == 2 and "only one version" in single.stderr


def test_stats(archive: Path) -> None:
    result = cli("stats", "--archive", archive, cwd=archive)
    assert result.returncode == 0, result.stderr
    assert "Articles:   3 (0 removed)" in result.stdout and "Versions:   4" in result.stdout
    data = json.loads(cli("stats", "--json", "--archive", archive, cwd=archive).stdout)
    assert data["captures"] == 4 and data["sites"] == 1 and data["warc_bytes"] > 0 and data["search_bytes"] > 0


def test_export_markdown_and_html_names_stay_inside_output(archive: Path, tmp_path: Path) -> None:
    for fmt in ("md", "html"):
        out = tmp_path / f"out-{fmt}"
        result = cli("export", "--format", fmt, "--output", out, "--archive", archive, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        names = sorted(p.name for p in out.iterdir())
        assert names == sorted([f"000001-Ministers-sign-amended-border-pact.{fmt}", f"000002-etc-passwd.{fmt}",
                                f"000003-Министры-подписали-договор.{fmt}", f"index.{fmt}"])
        assert all(p.resolve().parent == out.resolve() for p in out.iterdir())
    assert not (tmp_path / "etc").exists()


def test_export_jsonl_with_query_and_filters(archive: Path, tmp_path: Path) -> None:
    out = tmp_path / "all.jsonl"
    assert cli("export", "--format", "jsonl", "--output", out, "--archive", archive, cwd=tmp_path).returncode == 0
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [a["id"] for a in lines] == [1, 2, 3] and lines[0]["text"] and lines[0]["version"] == 2
    ru = cli("export", "--lang", "ru", "--format", "jsonl", "--output", "-", "--archive", archive, cwd=tmp_path)
    assert [json.loads(line)["id"] for line in ru.stdout.splitlines()] == [3]
    found = cli("export", "amended", "--format", "jsonl", "-o", "-", "--archive", archive, cwd=tmp_path)
    assert [json.loads(line)["id"] for line in found.stdout.splitlines()] == [1]
    bad = cli("export", '"unbalanced', "--format", "jsonl", "-o", "-", "--archive", archive, cwd=tmp_path)
    assert bad.returncode in (0, 2) and "Traceback" not in bad.stderr


def test_export_epub_is_a_valid_book(archive: Path, tmp_path: Path) -> None:
    book = tmp_path / "articles.epub"
    result = cli("export", "--format", "epub", "--output", book, "--archive", archive, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(book) as z:
        first = z.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
        assert z.read("mimetype") == b"application/epub+zip"
        for name in z.namelist():
            if name.endswith((".xhtml", ".opf", ".xml")):
                etree.fromstring(z.read(name))  # well-formed XML, or this raises
        chapters = [n for n in z.namelist() if n.startswith("EPUB/a")]
        assert len(chapters) == 3
        assert b"../../etc/passwd" in z.read("EPUB/nav.xhtml")


def test_export_wacz_follows_the_spec(archive: Path, tmp_path: Path) -> None:
    wacz = tmp_path / "pact.wacz"
    result = cli("export", "pact", "--format", "wacz", "--output", wacz, "--archive", archive, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(wacz) as z:
        package = json.loads(z.read("datapackage.json"))
        assert package["profile"] == "data-package" and package["wacz_version"] == "1.1.1"
        for resource in package["resources"]:
            data = z.read(resource["path"])
            assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
            assert resource["bytes"] == len(data)
        digest = json.loads(z.read("datapackage-digest.json"))
        assert digest["hash"] == "sha256:" + hashlib.sha256(z.read("datapackage.json")).hexdigest()
        pages = [json.loads(line) for line in z.read("pages/pages.jsonl").splitlines()]
        assert pages[0]["format"] == "json-pages-1.0" and [p["id"] for p in pages[1:]] == ["1"]
        cdxj = z.read("indexes/index.cdxj").decode().splitlines()
        assert len(cdxj) == 2 and all('"filename": "data.warc.gz"' in line for line in cdxj)
        (tmp_path / "data.warc.gz").write_bytes(z.read("archive/data.warc.gz"))
    check = subprocess.run([sys.executable, "-m", "warcio.cli", "check", str(tmp_path / "data.warc.gz")],
                           capture_output=True, text=True)
    if "No module named warcio.cli" in check.stderr:
        check = subprocess.run([sys.executable, "-c", "import sys; from warcio.cli import main; sys.exit(main())",
                                "check", str(tmp_path / "data.warc.gz")], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def test_quality_flags_shown_in_search_and_history(tmp_path: Path) -> None:
    """A paywall teaser is indexed flagged, and the flag is shown wherever the article is."""
    import subprocess
    import sys

    from warc_factory import WarcBuilder

    teaser = (b"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Bond yields climb</title>"
              b"<meta property='og:type' content='article'>"
              b"<meta property='article:published_time' content='2024-05-01T08:00:00Z'>"
              b"<script type='application/ld+json'>{\"@type\": \"NewsArticle\", \"headline\": \"Bond yields climb\","
              b" \"isAccessibleForFree\": false}</script></head><body><article><h1>Bond yields climb</h1>"
              b"<p>Government bond yields climbed for a third day as traders priced in a slower path of rate cuts"
              b" across the region.</p><div class='paywall'><p>Subscribe to continue reading.</p></div>"
              b"</article></body></html>")
    builder = WarcBuilder()
    builder.response("https://paper.example/markets/bonds", teaser, "2024-05-01T09:00:00Z")
    warc = builder.save(tmp_path / "teaser.warc.gz")
    archive = tmp_path / "archive"

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "newsarchiver", *args, "--archive", str(archive)],
                              capture_output=True, text=True, timeout=120)

    assert cli("import", str(warc)).returncode == 0
    found = cli("search", "bond")
    assert found.returncode == 0 and "[paywall]" in found.stdout, found.stdout
    history = cli("history", "1")
    assert "[paywall]" in history.stdout, history.stdout
