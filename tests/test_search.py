"""The full-text index: a real tantivy index in tmp_path, queried through SearchIndex and the CLI."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Iterator

import pytest

from newsarchiver.errors import IndexStoreError, LockedError, UsageError
from newsarchiver.search import FORMAT_FILE, SearchDoc, SearchFilters, SearchIndex, SearchPage

FILLER = ("The correspondent filed this report from the capital after speaking with officials, "
          "residents and analysts over several days. ")


def doc(article_id: int, title: str, text: str, **overrides: object) -> SearchDoc:
    fields: dict[str, object] = dict(
        article_id=article_id, version_n=1, title=title, text=text,
        url=f"https://www.example.com/news/{article_id}", canonical_url=f"https://example.com/news/{article_id}",
        site="example.com", authors=["Jane Doe"], language="en", published="2024-03-01",
        captured_at="2024-03-02T08:00:00Z", first_captured_at="2024-03-02T08:00:00Z", jobs=["daily"], flags=[],
    )
    fields.update(overrides)
    return SearchDoc(**fields)  # type: ignore[arg-type]


CORPUS = [
    doc(1, "Referendum results announced", FILLER * 3 + "Turnout was high."),
    doc(2, "Markets close higher", FILLER * 2 + "Analysts expect a referendum next year." + FILLER),
    doc(3, "Election day in Tashkent", "The presidential election was held on Sunday. " + FILLER,
        url="https://news.gazeta.uz/2024/election", canonical_url="https://news.gazeta.uz/2024/election",
        site="news.gazeta.uz", authors=["Alisher Karimov"], published="2021-10-24", jobs=["uz-weekly"],
        captured_at="2021-10-25T00:00:00Z", first_captured_at="2021-10-25T00:00:00Z"),
    doc(4, "Kyiv under fire", "Air raid sirens sounded across Kyiv at dawn. " + FILLER, published="2022-02-24",
        captured_at="2024-01-10T00:00:00Z", first_captured_at="2022-02-24T12:00:00Z"),
    doc(5, "Kiev spelling debate", "Editors moved from Kiev to the Ukrainian spelling. " + FILLER,
        published="2019-06-01", captured_at="2019-06-02T00:00:00Z", first_captured_at="2019-06-02T00:00:00Z"),
    doc(6, "Выборы в Государственную думу", "Президентские выборы прошли в марте. Наблюдатели сообщили о нарушениях.",
        language="ru", site="rferl.org", url="https://www.rferl.org/a/1.html", canonical_url="https://www.rferl.org/a/1.html",
        authors=["Иван Петров"], published="2024-03-18"),
    doc(7, "الانتخابات في مصر", "جرت الانتخابات الرئاسية في مصر وسط مقاطعة واسعة.", language="ar", published="2023-12-12"),
    doc(8, "中华人民共和国全国人民代表大会", "中华人民共和国全国人民代表大会是最高国家权力机关。今天举行了会议。",
        language="zh", published="2024-03-05"),
    doc(9, "Oʻzbekiston saylovlari", "Oʻzbekiston Respublikasi Prezidenti saylovi boʻlib oʻtdi. Gʻalaba qozondi.",
        language="uz", published="2021-10-25"),
    doc(10, "Ўзбекистон сайлови", "Ўзбекистон Республикаси Президенти сайлови бўлиб ўтди.", language="uz-Cyrl",
        published="2021-10-26"),
    doc(11, "Unrelated weather", "Rain and wind are expected tomorrow. Forecast for the weekend is dry.",
        published=None, captured_at="2024-03-03T00:00:00Z", first_captured_at="2024-03-03T00:00:00Z"),
    doc(12, "東京で会議", "東京都で国際会議が開かれた。カタカナのテストです。", language="ja", published="2024-02-01"),
]


@pytest.fixture()
def index(tmp_path: Path) -> Iterator[SearchIndex]:
    search_index = SearchIndex.open(tmp_path / "search")
    for item in CORPUS:
        search_index.upsert(item)
    search_index.commit()
    yield search_index
    search_index.close()


@pytest.fixture(scope="module")
def shared_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchIndex]:
    """For tests that only read: built once."""
    search_index = SearchIndex.open(tmp_path_factory.mktemp("shared") / "search")
    for item in CORPUS:
        search_index.upsert(item)
    search_index.commit()
    yield search_index
    search_index.close()


def ids(page: SearchPage) -> list[int]:
    return [hit.article_id for hit in page.hits]


def test_open_creates_an_empty_index(tmp_path: Path) -> None:
    created = SearchIndex.open(tmp_path / "search")
    assert created.created and created.doc_count() == 0
    created.close()
    again = SearchIndex.open(tmp_path / "search")
    assert not again.created
    again.close()


def test_title_match_ranks_above_body_match(index: SearchIndex) -> None:
    page = index.search("referendum")
    assert ids(page) == [1, 2]
    assert page.hits[0].score > page.hits[1].score > 0


def test_words_are_all_required(index: SearchIndex) -> None:
    assert ids(index.search("sirens dawn")) == [4]
    assert ids(index.search("sirens weekend")) == []
    assert ids(index.search("sirens AND dawn")) == [4]


def test_phrase_needs_the_words_together_in_order(index: SearchIndex) -> None:
    assert ids(index.search('"air raid sirens"')) == [4]
    assert ids(index.search('"sirens raid"')) == []
    assert ids(index.search("“air raid sirens”")) == [4]  # typographic quotes
    assert ids(index.search("«raid air»")) == []


def test_exclusion(index: SearchIndex) -> None:
    assert set(ids(index.search("referendum -markets"))) == {1}
    assert set(ids(index.search('referendum -"next year"'))) == {1}
    assert set(ids(index.search("referendum NOT markets"))) == {1}
    only_negative = index.search("-referendum", limit=100)
    assert only_negative.total == len(CORPUS) - 2


def test_or_and_its_precedence(index: SearchIndex) -> None:
    assert set(ids(index.search("kyiv OR kiev"))) == {4, 5}
    # OR binds tighter than the implied AND: (kyiv OR kiev) AND sirens
    assert ids(index.search("kyiv OR kiev sirens")) == [4]
    assert set(ids(index.search("(kyiv OR kiev) -sirens"))) == {5}


def test_prefix(index: SearchIndex) -> None:
    assert set(ids(index.search("refer*"))) == {1, 2}
    assert set(ids(index.search("elections*"))) == {3}  # the stem is looked up, not "elections"
    with pytest.raises(UsageError, match="too short"):
        index.search("r*")


def test_title_only(index: SearchIndex) -> None:
    assert ids(index.search("title:referendum")) == [1]


def test_stemming_follows_the_article_language(index: SearchIndex) -> None:
    assert ids(index.search("elections")) == [3]  # English: election(s)
    assert ids(index.search("выборов")) == [6]  # Russian: выборы / выборов


@pytest.mark.parametrize(("query", "expected"), [
    ("выборы", 6), ("Наблюдатели", 6), ("наблюдатели", 6),  # Cyrillic
    ("الانتخابات", 7), ("الانتخابات الرئاسية", 7), ("مُصْر", 7),  # Arabic, diacritics ignored
    ("人民", 8), ("代表大会", 8), ("民", 8), ("机关", 8), ('"全国人民代表大会"', 8), ("会议", 8),  # Chinese
    ("東京", 12), ("カタカナ", 12), ("国際会議", 12),  # Japanese
    ("Oʻzbekiston", 9), ("O'zbekiston", 9), ("o‘zbekiston", 9), ("saylovi", 9), ("gʻalaba", 9),  # Uzbek Latin
    ("Ўзбекистон", 10), ("сайлови", 10),  # Uzbek Cyrillic
])
def test_unicode_scripts_are_findable(shared_index: SearchIndex, query: str, expected: int) -> None:
    assert expected in ids(shared_index.search(query))


def test_snippet_marks_the_matched_words(index: SearchIndex) -> None:
    hit = index.search("elections").hits[0]
    assert "«election»" in hit.snippet
    assert ("election", True) in hit.snippet_spans
    assert "".join(text for text, _ in hit.snippet_spans).startswith("The presidential election")
    phrase = index.search('"air raid"').hits[0]
    assert "«Air raid»" in phrase.snippet
    cjk = index.search("代表大会").hits[0]
    assert "«代表大会»" in cjk.snippet


def test_snippet_of_a_long_text_is_a_window_around_the_match(tmp_path: Path) -> None:
    with SearchIndex.open(tmp_path / "s") as search_index:
        search_index.upsert(doc(1, "Long", FILLER * 40 + "The ceasefire collapsed overnight. " + FILLER * 40))
        search_index.commit()
        hit = search_index.search("ceasefire").hits[0]
    assert hit.snippet.startswith("…") and hit.snippet.endswith("…")
    assert "«ceasefire»" in hit.snippet and len(hit.snippet) < 300


def test_filters(index: SearchIndex) -> None:
    everything = SearchFilters()
    assert ids(index.search("election", replace(everything, site="gazeta.uz"))) == [3]  # subdomain
    assert ids(index.search("election", replace(everything, site="https://news.gazeta.uz/x"))) == [3]
    assert ids(index.search("election", replace(everything, site="example.com"))) == []
    assert ids(index.search("", replace(everything, author="karimov"))) == [3]
    assert ids(index.search("", replace(everything, author="Alisher Karimov"))) == [3]
    assert ids(index.search("", replace(everything, author="Karimov Alisher"))) == []
    assert set(ids(index.search("", replace(everything, lang="uz"), limit=50))) == {9, 10}
    assert ids(index.search("", replace(everything, job="uz-weekly"))) == [3]
    published_2021 = replace(everything, since="2021-01-01", until="2021-10-24")
    assert ids(index.search("", published_2021)) == [3]  # until includes its whole day
    assert 11 not in ids(index.search("", replace(everything, since="2000"), limit=50))  # no date: out


def test_capture_date_filters(index: SearchIndex) -> None:
    # Article 4 was first captured 2022-02-24 and last 2024-01-10.
    assert 4 in ids(index.search("kyiv", SearchFilters(captured_since="2023-06-01")))
    assert 4 in ids(index.search("kyiv", SearchFilters(captured_until="2022-03")))
    assert 4 not in ids(index.search("kyiv", SearchFilters(captured_until="2022-02-23")))
    assert 4 not in ids(index.search("kyiv", SearchFilters(captured_since="2024-02-01")))
    assert ids(index.search("kyiv", SearchFilters(captured_since="4000d"))) == [4]  # relative age


@pytest.mark.parametrize("bad", ["yesterday", "2024-13-01", "2024-02-30", "7m", "-5d", "2024/01/01", "99999y"])
def test_bad_dates_are_usage_errors(shared_index: SearchIndex, bad: str) -> None:
    with pytest.raises(UsageError, match="expected YYYY-MM-DD"):
        shared_index.search("kyiv", SearchFilters(since=bad))


def test_sort_by_date(index: SearchIndex) -> None:
    newest = ids(index.search("kyiv OR kiev OR election", sort="newest"))
    assert newest == [4, 3, 5]
    assert ids(index.search("kyiv OR kiev OR election", sort="oldest")) == [5, 3, 4]
    assert all(hit.score == 0.0 for hit in index.search("kyiv", sort="newest").hits)
    with pytest.raises(UsageError):
        index.search("kyiv", sort="random")


def test_pagination(index: SearchIndex) -> None:
    full = index.search("", limit=100)
    assert full.total == len(CORPUS) and len(full.hits) == len(CORPUS)
    pages = [index.search("", limit=5, offset=offset) for offset in (0, 5, 10)]
    assert [len(page.hits) for page in pages] == [5, 5, 2]
    assert sum((ids(page) for page in pages), []) == ids(full)
    assert all(page.total == len(CORPUS) for page in pages)
    with pytest.raises(UsageError):
        index.search("", limit=0)
    with pytest.raises(UsageError):
        index.search("", offset=-1)


def test_upsert_keeps_one_document_per_article(index: SearchIndex) -> None:
    index.upsert(replace(CORPUS[0], version_n=2, title="Referendum annulled", text="The court annulled the vote."))
    index.commit()
    page = index.search("referendum")
    assert ids(page).count(1) == 1
    assert page.hits[ids(page).index(1)].version_n == 2
    assert ids(index.search("annulled")) == [1]
    assert ids(index.search("turnout")) == []  # the old version's text is gone
    assert index.doc_count() == len(CORPUS)


def test_first_capture_defaults_to_the_latest(tmp_path: Path) -> None:
    # The catalogue may leave first_captured_at out: the capture filters then use captured_at.
    item = SearchDoc(article_id=1, version_n=1, title="Budget vote", text="Parliament passed the budget.",
                     url="https://example.com/b", canonical_url="https://example.com/b", site="example.com",
                     authors=[], language=None, published=None, captured_at="2024-05-05T00:00:00Z")
    with SearchIndex.open(tmp_path / "s") as search_index:
        search_index.upsert(item)
        search_index.commit()
        assert ids(search_index.search("budget", SearchFilters(captured_until="2024-05-05"))) == [1]
        assert ids(search_index.search("budget", SearchFilters(captured_until="2024-05-04"))) == []
        assert ids(search_index.search("", sort="oldest")) == [1]  # sorted by capture when unpublished


def test_delete_and_clear(index: SearchIndex) -> None:
    index.delete(4)
    index.commit()
    assert ids(index.search("sirens")) == []
    index.clear()
    index.commit()
    assert index.doc_count() == 0 and index.search("referendum").total == 0


HOSTILE = [
    "", " ", '"', '""', '"unbalanced', "unbalanced\"", "(", ")", "((((", "))))", "(referendum", "referendum)",
    "AND", "OR", "NOT", "AND OR NOT", "referendum AND", "OR referendum", "referendum OR", "- -", "-", "--referendum",
    "NEAR(", "NEAR(referendum, turnout)", "*", "**", "re*", "*referendum", "refer**", "a*b*c",
    "title:", "title:foo", 'title:"', "body:referendum", "site:example.com", ":", "referendum:", "::::",
    "x" * 10_000, "referendum " * 60, "(" * 30 + "referendum", "\x00\x01\x02", "referendum\x00turnout",
    "\u202e\u200b\ufeff", "😀", "<script>alert(1)</script>", "'; DROP TABLE articles; --", "\\", "^~!@#$%&",
    "referendum~2", "referendum^3", "[a TO z]", "{a TO z}", "/regex.*/", "+referendum", "|", "||", "&&",
    "title:title:title", "\"a \" b \" c", "-\"\"", "-()", "(-)", "ℌ𝔢𝔩𝔩𝔬", "ﬁnance", "Ⅻ", "١٢٣", "\u0301\u0301",
]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_give_results_or_a_usage_error(shared_index: SearchIndex, query: str) -> None:
    try:
        page = shared_index.search(query)
    except UsageError as exc:
        message = str(exc)
        assert message and "\n" not in message and len(message) < 300
    else:
        assert isinstance(page, SearchPage) and page.total >= 0


def test_random_queries_never_crash(shared_index: SearchIndex) -> None:
    rng = random.Random(4)
    alphabet = list('()"-*: ') + ["OR", "AND", "NOT", "title:", "référendum", "выборы", "人民", "\x00", "\u0301", "a", "kyiv"]
    for _ in range(400):
        query = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 30)))
        try:
            shared_index.search(query, limit=5)
        except UsageError:
            pass


def test_readonly_reader_alongside_the_writer(tmp_path: Path) -> None:
    with pytest.raises(IndexStoreError, match="no search index yet"):
        SearchIndex.open(tmp_path / "search", readonly=True)
    writer = SearchIndex.open(tmp_path / "search")
    writer.upsert(CORPUS[0])
    writer.commit()
    reader = SearchIndex.open(tmp_path / "search", readonly=True)  # no lock: never blocks the writer
    assert ids(reader.search("referendum")) == [1]
    with pytest.raises(IndexStoreError, match="read-only"):
        reader.upsert(CORPUS[1])
    with pytest.raises(LockedError):
        SearchIndex.open(tmp_path / "search")  # one writer at a time
    writer.upsert(CORPUS[1])
    writer.commit()
    assert set(ids(reader.search("referendum"))) == {1, 2}  # the open reader sees the commit
    writer.close()
    SearchIndex.open(tmp_path / "search").close()  # the lock went with the closed writer


def test_old_format_is_rebuilt_empty_by_a_writer(tmp_path: Path) -> None:
    with SearchIndex.open(tmp_path / "search") as search_index:
        search_index.upsert(CORPUS[0])
        search_index.commit()
    (tmp_path / "search" / FORMAT_FILE).write_text('{"format": 0}')
    with pytest.raises(IndexStoreError, match="reindex"):
        SearchIndex.open(tmp_path / "search", readonly=True)
    rebuilt = SearchIndex.open(tmp_path / "search")
    assert rebuilt.created and rebuilt.doc_count() == 0
    rebuilt.close()


# -- the command line ----------------------------------------------------------------------------

def run_cli(archive: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "newsarchiver", "search", "--archive", str(archive), *args],
                          capture_output=True, text=True, cwd=archive.parent, timeout=60)


@pytest.fixture()
def archive(tmp_path: Path) -> Path:
    archive_dir = tmp_path / "archive"
    with SearchIndex.open(archive_dir / "search") as search_index:
        for item in CORPUS:
            search_index.upsert(item)
        search_index.commit()
    return archive_dir


def test_cli_table(archive: Path) -> None:
    result = run_cli(archive, "referendum")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split()[:3] == ["1", "2024-03-01", "example.com"] and "Referendum results" in lines[0]
    assert "«referendum»" in result.stdout.lower()  # not a TTY: guillemets, not ANSI bold
    assert "\x1b[" not in result.stdout
    assert lines[-1].startswith("2 matching articles")


def test_cli_jsonl_and_ids(archive: Path) -> None:
    result = run_cli(archive, "--format", "jsonl", "--sort", "newest", "kyiv", "OR", "kiev")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [row["article_id"] for row in rows] == [4, 5]
    assert {"title", "url", "snippet", "snippet_spans", "published", "captured_at"} <= set(rows[0])
    ids_only = run_cli(archive, "--format", "ids", "--lang", "uz", "--sort", "oldest")
    assert ids_only.stdout.split() == ["9", "10"]


def test_cli_filters_and_paging(archive: Path) -> None:
    result = run_cli(archive, "--format", "ids", "--since", "2024-03-01", "--until", "2024-03-31", "--limit", "2")
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.split()) == 2
    table = run_cli(archive, "--since", "2024-03-01", "--limit", "2")
    assert "--offset 2 for more" in table.stdout


@pytest.mark.parametrize("args", [["*"], ["r*"], ["AND"], ["kyiv", "--since", "soon"], ["x" * 3000],
                                  ["kyiv", "--limit", "0"], ["kyiv", "--sort", "best"]])
def test_cli_bad_input_exits_2_with_one_line(archive: Path, args: list[str]) -> None:
    result = run_cli(archive, *args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_cli_without_an_index(tmp_path: Path) -> None:
    result = run_cli(tmp_path / "empty-archive", "referendum")
    assert result.returncode == 0 and result.stdout == ""
    assert "no search index" in result.stderr and "import" in result.stderr
    bad = run_cli(tmp_path / "empty-archive", "*")
    assert bad.returncode == 2  # syntax is checked even before there is an index
