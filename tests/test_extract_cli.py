"""`newsarchiver extract` on WARC files with no index: formats, learned boilerplate, damage."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from newsarchiver.errors import ExitCode
from warc_factory import WarcBuilder, paragraphs_for

NOTICE = ("Our reporters depend on readers like you: every contribution to the newsroom fund keeps this "
          "coverage of local councils, courts and schools free for everyone to read.")


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "newsarchiver", *args], capture_output=True, text=True,
                          timeout=120, cwd=cwd)


def site_warc(path: Path, pages: int, host: str = "news.example.org") -> Path:
    builder = WarcBuilder()
    for i in range(pages):
        body = paragraphs_for(f"{host}-{i}", 5)
        body.insert(3, NOTICE)  # inside the article body: generic rules cannot know it is boilerplate
        builder.page(f"https://{host}/story/{i}", f"Story number {i}", body, f"2024-05-0{1 + i % 9}T10:00:00Z")
    return builder.save(path)


def test_jsonl_to_stdout_has_the_documented_fields_and_learns_repeated_notice(tmp_path: Path) -> None:
    warc = site_warc(tmp_path / "site.warc.gz", pages=5)
    proc = run_cli("extract", str(warc), "--workers", "1")
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(rows) == 5
    for row in rows:
        assert {"url", "title", "authors", "published", "language", "flags", "text"} <= set(row)
        assert NOTICE not in row["text"]
        assert row["authors"] == ["Jane Doe"] and row["language"] == "en"
    assert "learned boilerplate: news.example.org (1 paragraphs)" in proc.stderr


def test_a_site_with_one_page_learns_nothing_and_loses_nothing(tmp_path: Path) -> None:
    warc = site_warc(tmp_path / "one.warc.gz", pages=1)
    proc = run_cli("extract", str(warc), "--workers", "1")
    assert proc.returncode == 0, proc.stderr
    (row,) = [json.loads(line) for line in proc.stdout.splitlines()]
    assert NOTICE in row["text"]


def test_one_file_per_article_with_safe_names(tmp_path: Path) -> None:
    builder = WarcBuilder()
    builder.page("https://evil.example/x", "../../etc/passwd", paragraphs_for("evil", 4), "2024-05-01T10:00:00Z")
    warc = builder.save(tmp_path / "evil.warc.gz")
    out = tmp_path / "out"
    for fmt in ("txt", "md", "json", "html"):
        proc = run_cli("extract", str(warc), "--format", fmt, "--output", str(out / fmt), "--workers", "1")
        assert proc.returncode == 0, proc.stderr
        (written,) = list((out / fmt).iterdir())
        assert written.name == f"000001-etc-passwd.{fmt}"
    assert json.loads((out / "json" / "000001-etc-passwd.json").read_text())["title"] == "../../etc/passwd"
    bad = run_cli("extract", str(warc), "--format", "md")
    assert bad.returncode == ExitCode.USAGE and "--output" in bad.stderr


def test_truncated_warc_keeps_good_records_and_names_file_and_offset(tmp_path: Path) -> None:
    warc = site_warc(tmp_path / "site.warc.gz", pages=4)
    data = warc.read_bytes()
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(data[: len(data) - 300])
    proc = run_cli("extract", str(cut), "--workers", "1")
    assert proc.returncode == ExitCode.WARC_FORMAT
    assert len(proc.stdout.splitlines()) == 3  # the three whole pages before the damage
    errors = [line for line in proc.stderr.splitlines() if line.startswith("newsarchiver: error:")]
    assert len(errors) == 1 and str(cut) in errors[0] and "offset" in errors[0]


def test_non_warc_and_missing_files_are_one_line_errors(tmp_path: Path) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("this is not a WARC file\n" * 10)
    proc = run_cli("extract", str(junk))
    assert proc.returncode == ExitCode.WARC_FORMAT
    assert proc.stdout == "" and f"newsarchiver: error: {junk}: offset 0" in proc.stderr
    missing = run_cli("extract", str(tmp_path / "nope.warc.gz"))
    assert missing.returncode == ExitCode.ARCHIVE and missing.stderr.count("\n") == 1


def test_one_object_per_article_across_tracking_variants(tmp_path: Path) -> None:
    builder = WarcBuilder()
    body = paragraphs_for("variant", 5)
    for suffix in ("", "?utm_source=feed", "?utm_medium=social#top"):
        builder.page(f"https://news.example.org/story{suffix}", "The story", body, "2024-05-01T10:00:00Z",
                     canonical="https://news.example.org/story")
    builder.page("https://news.example.org/story", "The story", body[:4], "2024-05-02T10:00:00Z")  # edited
    warc = builder.save(tmp_path / "variants.warc.gz")
    proc = run_cli("extract", str(warc), "--workers", "1")
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(rows) == 2  # the first text once, the edited text once
    assert "2 repeated captures" in proc.stderr
