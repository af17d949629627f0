"""PgSearchIndex against the tantivy SearchIndex: the same documents, the same answers.

The contract tables index ~30 varied documents (English, German, French, Spanish, Italian, Dutch,
Russian, Chinese, Japanese, Uzbek, no language; sites with subdomains, authors, jobs, flags,
dates) into both engines and require the same article ids (the same order for date sorts), and
pin the expected ids too, so both cannot be wrong together. Known differences are tested as such.
"""

from __future__ import annotations

import random
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, replace
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from psycopg_pool import ConnectionPool
from test_search import HOSTILE

from newsarchiver.errors import IndexStoreError, UsageError
from newsarchiver.search import SearchDoc, SearchFilters, SearchIndex, SearchPage
from newsarchiver.search_pg import SCHEMA_STATEMENTS, PgSearchIndex
from newsarchiver.search_pg_query import tsquery_text
from newsarchiver.search_query import parse_query

F = SearchFilters


def doc(article_id: int, title: str, text: str, **overrides: object) -> SearchDoc:
    fields: dict[str, object] = dict(
        article_id=article_id, version_n=1, title=title, text=text,
        url=f"https://www.example.com/news/{article_id}", canonical_url=f"https://example.com/news/{article_id}",
        site="example.com", authors=["Jane Doe"], language="en", published=None,
        captured_at=f"2024-06-{article_id % 28 + 1:02d}T08:00:00Z", first_captured_at="", jobs=["daily"], flags=[],
    )
    fields.update(overrides)
    return SearchDoc(**fields)  # type: ignore[arg-type]


def bbc(n: int, host: str = "www.bbc.co.uk") -> dict[str, object]:
    return dict(site="bbc.co.uk", url=f"https://{host}/news/{n}", canonical_url=f"https://{host}/news/{n}")


# Every sort key (published, else first capture, else capture) differs: date sorts have one order.
CORPUS = [
    doc(1, "Referendum results announced", "Voters backed the referendum on Sunday. Turnout was high.",
        published="2024-03-01"),
    doc(2, "Markets close higher", "Analysts expect a referendum next year. Shares rose.", published="2024-03-02"),
    doc(3, "Election day in Tashkent", "The presidential election was held on Sunday.",
        url="https://news.gazeta.uz/2021/election", canonical_url="https://news.gazeta.uz/2021/election",
        site="news.gazeta.uz", authors=["Alisher Karimov"], jobs=["uz-weekly"], published="2021-10-24",
        captured_at="2021-10-25T00:00:00Z"),
    doc(4, "Kyiv under fire", "Air raid sirens sounded across Kyiv at dawn.", published="2022-02-24",
        captured_at="2024-01-10T00:00:00Z", first_captured_at="2022-02-24T12:00:00Z"),
    doc(5, "Kiev spelling debate", "Editors moved from Kiev to the Ukrainian spelling.", published="2019-06-01"),
    doc(6, "Elections postponed again", "Parliament voted to postpone the elections until autumn.",
        authors=["John Smith", "Jane Doe"], published="2023-05-05", **bbc(6)),
    doc(7, "Ceasefire talks collapse", "Negotiators left the ceasefire talks. The electoral commission was silent.",
        flags=["paywall"], published="2023-07-07", **bbc(7, "news.bbc.co.uk")),
    doc(8, "Unrelated weather", "Rain and wind are expected tomorrow.", captured_at="2024-03-03T00:00:00Z"),
    doc(9, "Minister resigns", "The minister resigned after the scandal.", flags=["removed"], published="2022-11-11"),
    doc(10, "Wahlen in Bayern", "Die Landtagswahlen in München und Nürnberg verliefen ruhig.", language="de",
        site="sueddeutsche.de", url="https://www.sueddeutsche.de/10", canonical_url="https://www.sueddeutsche.de/10",
        authors=["Hans Müller"], published="2023-10-08"),
    doc(11, "Straßenbahn fährt wieder", "Die Straßenbahn in Köln fährt nach dem Streik wieder.", language="de-AT",
        published="2024-01-15"),
    doc(12, "Häuser und Gärten", "Viele Häuser wurden gebaut. Das Haus am See blieb leer.", language="de",
        published="2022-06-06"),
    doc(13, "Élections législatives en France", "Les élections législatives ont eu lieu dimanche.", language="fr",
        site="lemonde.fr", url="https://www.lemonde.fr/13", canonical_url="https://www.lemonde.fr/13",
        authors=["Élodie Lefèvre"], published="2024-06-30"),
    doc(14, "Canicule à Paris", "La chaleur inquiète les médecins de l'hôpital.", language="fr", published="2023-08-01"),
    doc(15, "Выборы в Государственную думу", "Президентские выборы прошли в марте. Наблюдатели сообщили о нарушениях.",
        language="ru", site="rferl.org", url="https://www.rferl.org/a/15.html",
        canonical_url="https://www.rferl.org/a/15.html", authors=["Иван Петров"], published="2024-03-18"),
    doc(16, "Погода в Москве", "Завтра ожидается снег и сильный ветер.", language="ru", published="2023-01-20"),
    doc(17, "中华人民共和国全国人民代表大会", "中华人民共和国全国人民代表大会是最高国家权力机关。今天举行了会议。",
        language="zh", published="2024-03-05"),
    doc(18, "北京天气", "北京今天下雨，明天晴天。", language="zh-Hans", published="2023-04-04"),
    doc(19, "東京で会議", "東京都で国際会議が開かれた。カタカナのテストです。", language="ja", published="2024-02-01"),
    doc(20, "大阪の選挙", "大阪で市長選挙が行われた。", language="ja", published="2023-04-09"),
    doc(21, "Shanghai summit", "Leaders met in 上海 for the summit. The election of 代表 was discussed.",
        published="2022-09-09"),
    doc(22, "Elecciones en España", "Las elecciones generales se celebraron en julio.", language="es",
        published="2023-07-23"),
    doc(23, "Budget vote delayed", "Parliament delayed the budget vote again.", jobs=["weekly"],
        site="politics.example.com", url="https://politics.example.com/23",
        canonical_url="https://politics.example.com/23", published="2024-02-20"),
    doc(24, "Protests in the capital", "Thousands protested against the election results.",
        authors=["Maria Garcia"], published="2021-01-15", captured_at="2021-01-16T00:00:00Z"),
    doc(25, "Elezioni regionali", "Le elezioni regionali si sono svolte in Sardegna.", language="it",
        published="2024-02-25"),
    doc(26, "Oʻzbekiston saylovlari", "Oʻzbekiston Respublikasi Prezidenti saylovi boʻlib oʻtdi.", language="uz",
        published="2021-10-25"),
    doc(27, "Untagged article", "An election story without a language tag.", language=None, published="2020-05-05"),
    doc(28, "Football final", "The final ended in a draw after extra time.", jobs=["daily", "sports"],
        published="2024-05-12"),
    doc(29, "Verkiezingen in Nederland", "De verkiezingen werden gewonnen door de oppositie.", language="nl",
        published="2023-11-22"),
    doc(30, "Election fraud claims rejected", "The court rejected claims of election fraud.", published="2021-02-02"),
]
ALL = set(range(1, 31))
ENGLISH_ELECTION = {3, 6, 13, 21, 24, 30}  # the English stem "elect" (and French 13: élections)


# -- fixtures -----------------------------------------------------------------------------------

@contextmanager
def schema_url(base_url: str) -> Iterator[str]:
    """As conftest's pg_url, for a module-wide index (pg_url is per test)."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base_url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in base_url else "?"
    try:
        yield f"{base_url}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        with psycopg.connect(base_url, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


@contextmanager
def pg_pool(url: str, *, migrate: bool = True) -> Iterator[ConnectionPool]:
    pool = ConnectionPool(url, min_size=1, max_size=2, open=True)
    try:
        if migrate:
            with pool.connection() as conn:
                for statement in SCHEMA_STATEMENTS:  # what the catalogue's migration runs
                    conn.execute(statement)
        yield pool
    finally:
        pool.close()


@contextmanager
def pg_index(url: str, docs: list[SearchDoc], *, migrate: bool = True) -> Iterator[PgSearchIndex]:
    with pg_pool(url, migrate=migrate) as pool:
        index = PgSearchIndex(pool)
        for item in docs:
            index.upsert(item)
        index.commit()
        yield index


@pytest.fixture(scope="module")
def pg(pg_base_url: str) -> Iterator[PgSearchIndex]:
    with schema_url(pg_base_url) as url, pg_index(url, CORPUS) as index:
        yield index


@pytest.fixture(scope="module")
def tv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchIndex]:
    with SearchIndex.open(tmp_path_factory.mktemp("tantivy") / "search") as index:
        for item in CORPUS:
            index.upsert(item)
        index.commit()
        yield index


@pytest.fixture()
def fresh(pg_url: str) -> Iterator[PgSearchIndex]:
    """A writable index of its own, for tests that change documents."""
    with pg_index(pg_url, CORPUS) as index:
        yield index


def ids(page: SearchPage) -> list[int]:
    return [hit.article_id for hit in page.hits]


# -- the contract: queries ------------------------------------------------------------------------

QUERIES: list[tuple[str, set[int]]] = [
    ("referendum", {1, 2}),
    ("elections", ENGLISH_ELECTION),  # stems: elections -> elect
    ("election", ENGLISH_ELECTION | {27}),  # 27 has no language: unstemmed, the exact word
    ("election fraud", {30}),
    ("sirens dawn", {4}),
    ("sirens AND dawn", {4}),
    ("sirens weekend", set()),
    ('"air raid sirens"', {4}),
    ('"sirens raid"', set()),
    ("«raid air»", set()),
    ("kyiv OR kiev", {4, 5}),
    ("kyiv OR kiev sirens", {4}),  # OR binds tighter than the implied AND
    ("(kyiv OR kiev) -sirens", {5}),
    ("referendum -markets", {1}),
    ("referendum NOT markets", {1}),
    ('referendum -"next year"', {1}),
    ("-referendum", ALL - {1, 2}),
    ("refer*", {1, 2}),
    ("elect*", ENGLISH_ELECTION | {7, 27}),  # 7: electoral
    ("elections*", ENGLISH_ELECTION | {7}),  # the stem is looked up, not "elections"
    ("fin*", {28}),
    ("title:referendum", {1}),
    ('title:"election day"', {3}),
    ("title:elections", {3, 6, 13, 30}),
    ("title:weather rain", {8}),
    ("(budget OR (football -draw)) OR canicule", {14, 23}),
    ("((kyiv OR (kiev -editors)) OR (referendum -(voters OR markets)))", {4}),
    ("ceasefire talks", {7}),
    ("zebra", set()),
    ("выборов", {15}),  # Russian stems: выборы / выборов
    ("Наблюдатели", {15}),
    ("人民", {17}),
    ("代表大会", {17}),
    ("民", {17}),  # one CJK character: a prefix over the bigrams
    ('"全国人民代表大会"', {17}),
    ("東京", {19}),
    ("カタカナ", {19}),
    ("選挙", {20}),
    ("上海", {21}),  # CJK inside an English article
    ("上海 election", {21}),
    ("Wahl", {10}),  # German stems: Wahlen -> wahl
    ("Munchen", {10}),  # folded: München
    ("München", {10}),
    ("Strassenbahn", {11}),
    ("Straßenbahn", {11}),
    ("Häuser", {12}),
    ("haus", {12}),
    ("chaleur", {14}),
    ("elecciones", {22}),
    ("elección", {22}),
    ("elezioni", {25}),
    ("verkiezingen", {29}),
    ("(election OR elecciones) -fraud", (ENGLISH_ELECTION | {22, 27}) - {30}),
    ("Oʻzbekiston", {26}),
    ("o'zbekiston", {26}),
]


@pytest.mark.parametrize(("query", "expected"), QUERIES)
def test_same_matches(tv: SearchIndex, pg: PgSearchIndex, query: str, expected: set[int]) -> None:
    tantivy_page, pg_page = tv.search(query, limit=100), pg.search(query, limit=100)
    assert set(ids(tantivy_page)) == expected
    assert set(ids(pg_page)) == expected
    assert pg_page.total == tantivy_page.total == len(expected)


FILTERED: list[tuple[str, SearchFilters, str, list[int]]] = [
    ("", F(site="bbc.co.uk"), "newest", [7, 6]),  # www. and news. subdomains
    ("", F(site="https://news.gazeta.uz/x"), "newest", [3]),
    ("election", F(site="gazeta.uz"), "relevance", [3]),
    ("", F(site="politics.example.com"), "newest", [23]),
    ("", F(site="www.example.com"), "oldest", [5, 27, 24, 30, 26, 4, 12, 21, 9, 16, 18, 20, 22, 14, 29, 11, 19,
                                               23, 25, 1, 2, 8, 17, 28]),
    ("election", F(site="example.com"), "newest", [21, 30, 24, 27]),
    ("", F(author="doe"), "oldest", [5, 27, 30, 26, 4, 12, 21, 9, 16, 18, 20, 6, 7, 22, 14, 29, 11, 19, 23, 25,
                                     1, 2, 8, 17, 28]),
    ("", F(author="Smith"), "newest", [6]),
    ("election", F(author="Jane Doe"), "newest", [6, 21, 30, 27]),
    ("", F(author="doe john"), "newest", []),  # a phrase never runs across two authors
    ("", F(author="Karimov Alisher"), "newest", []),
    ("", F(author="Lefèvre"), "newest", [13]),
    ("", F(author="lefevre"), "newest", [13]),
    ("", F(author="петров"), "newest", [15]),
    ("", F(lang="de"), "newest", [11, 10, 12]),  # de-AT is de
    ("", F(lang="DE"), "oldest", [12, 10, 11]),
    ("", F(lang="zh-Hant"), "oldest", [18, 17]),
    ("", F(job="weekly"), "newest", [23]),
    ("", F(job="sports"), "newest", [28]),
    ("", F(job="  "), "newest", [13, 28, 15, 17, 8, 2, 1, 25, 23, 19, 11, 29, 10, 14, 22, 7, 6, 20, 18, 16, 9, 21,
                                 12, 4, 26, 3, 30, 24, 27, 5]),  # blank: no filter
    ("", F(since="2024"), "newest", [13, 28, 15, 17, 2, 1, 25, 23, 19, 11]),  # 8 has no published date
    ("", F(until="2021-10-24"), "oldest", [5, 27, 24, 30, 3]),  # until includes its whole day
    ("", F(since="2021-01-01", until="2021-10-24"), "newest", [3, 30, 24]),
    ("", F(since="2024-03"), "oldest", [1, 2, 17, 15, 28, 13]),
    ("", F(since="2024-03-01T12:00:00+02:00"), "oldest", [2, 17, 15, 28, 13]),
    ("", F(captured_since="2024-06-25"), "newest", [25, 26, 27]),
    ("", F(captured_until="2022-03"), "newest", [4, 3, 24]),  # 4: first captured 2022-02-24
    ("kyiv", F(captured_since="4000d"), "newest", [4]),  # relative age
    ("kyiv", F(captured_since="2y"), "newest", []),
    ("election", F(lang="en", since="2021"), "oldest", [24, 30, 3, 21, 6]),
    ("elect*", F(), "oldest", [27, 24, 30, 3, 21, 6, 7, 13]),
    ("election OR referendum", F(), "newest", [13, 2, 1, 6, 21, 3, 30, 24, 27]),
    ("-referendum", F(lang="ru"), "oldest", [16, 15]),
    ("", F(), "newest", [13, 28, 15, 17, 8, 2, 1, 25, 23, 19, 11, 29, 10, 14, 22, 7, 6, 20, 18, 16, 9, 21, 12, 4,
                         26, 3, 30, 24, 27, 5]),
    ("", F(), "relevance", [13, 28, 15, 17, 8, 2, 1, 25, 23, 19, 11, 29, 10, 14, 22, 7, 6, 20, 18, 16, 9, 21, 12,
                            4, 26, 3, 30, 24, 27, 5]),  # an empty query is listed newest first
]


@pytest.mark.parametrize(("query", "filters", "sort", "expected"), FILTERED)
def test_same_filtered_and_sorted(tv: SearchIndex, pg: PgSearchIndex, query: str, filters: SearchFilters,
                                  sort: str, expected: list[int]) -> None:
    tantivy_ids = ids(tv.search(query, filters, sort=sort, limit=100))
    pg_ids = ids(pg.search(query, filters, sort=sort, limit=100))
    if sort == "relevance" and query:
        assert set(tantivy_ids) == set(pg_ids) == set(expected)  # BM25 and ts_rank_cd order differently
    else:
        assert tantivy_ids == pg_ids == expected


def test_paging(tv: SearchIndex, pg: PgSearchIndex) -> None:
    for query, sort in (("", "newest"), ("election OR referendum OR kyiv", "oldest"), ("-zebra", "relevance")):
        full = pg.search(query, sort=sort, limit=100)
        pages = [pg.search(query, sort=sort, limit=7, offset=offset) for offset in range(0, 35, 7)]
        assert sum((ids(page) for page in pages), []) == ids(full)
        assert all(page.total == full.total for page in pages)
        if sort != "relevance":
            assert ids(full) == ids(tv.search(query, sort=sort, limit=100))
    past_the_end = pg.search("", limit=5, offset=500)
    assert past_the_end.hits == [] and past_the_end.total == tv.search("", limit=5, offset=500).total == 30


def test_relevance_weights_the_title(pg: PgSearchIndex) -> None:
    page = pg.search("referendum")
    assert ids(page) == [1, 2]  # 1 has it in the title, 2 in the body
    assert page.hits[0].score > page.hits[1].score > 0
    assert all(hit.score == 0.0 for hit in pg.search("referendum", sort="newest").hits)
    assert all(hit.score == 0.0 for hit in pg.search("").hits)


def test_hits_carry_the_same_fields(tv: SearchIndex, pg: PgSearchIndex) -> None:
    def fields(page: SearchPage) -> list[dict[str, object]]:
        return [{k: v for k, v in asdict(hit).items() if k != "score"} for hit in page.hits]

    assert fields(pg.search("", limit=100)) == fields(tv.search("", limit=100))  # snippets: the text's start
    flags = {hit.article_id: hit.flags for hit in pg.search("", limit=100).hits}
    assert flags[9] == ["removed"] and flags[7] == ["paywall"] and flags[1] == []


# -- snippets ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("query", ["referendum", "elections", "代表大会", "民", "выборов", "München", "haus",
                                   "Straßenbahn", "上海 election", "title:referendum", "refer*", "-referendum",
                                   "spelling OR -editors"])  # an excluded word is not marked
def test_same_snippets(tv: SearchIndex, pg: PgSearchIndex, query: str) -> None:
    by_id = {hit.article_id: hit for hit in tv.search(query, limit=100).hits}
    for hit in pg.search(query, limit=100).hits:
        assert hit.snippet == by_id[hit.article_id].snippet
        assert hit.snippet_spans == by_id[hit.article_id].snippet_spans


def test_snippets_mark_matched_words(pg: PgSearchIndex) -> None:
    assert "«election»" in pg.search("elections", F(site="gazeta.uz")).hits[0].snippet
    assert "«élections»" in pg.search("élection", F(lang="fr")).hits[0].snippet
    assert ("代表大会", True) in pg.search("代表大会").hits[0].snippet_spans
    # Difference: ts_headline marks a phrase's words one by one, tantivy the phrase as one span.
    assert pg.search('"air raid"').hits[0].snippet.startswith("«Air» «raid» sirens")


def test_snippet_of_a_long_text_is_the_same_window(tmp_path: Path, pg_url: str) -> None:
    filler = "The correspondent filed this report after speaking with officials and residents. "
    item = doc(1, "Long", filler * 40 + "The ceasefire collapsed overnight. " + filler * 40)
    with pg_index(pg_url, [item]) as index, SearchIndex.open(tmp_path / "s") as tantivy_index:
        tantivy_index.upsert(item)
        tantivy_index.commit()
        hit = index.search("ceasefire").hits[0]
        assert hit.snippet.startswith("…") and hit.snippet.endswith("…")
        assert "«ceasefire»" in hit.snippet and len(hit.snippet) < 300
        assert hit.snippet_spans == tantivy_index.search("ceasefire").hits[0].snippet_spans


# -- where the engines differ (tested, so a change is noticed) -------------------------------------

def test_difference_folding_comes_before_stemming(tv: SearchIndex, pg: PgSearchIndex) -> None:
    # tantivy stems "élection" with the English stemmer before folding (é is no English vowel,
    # so no stem); PostgreSQL gets "election" already folded and stems it: it finds more.
    assert set(ids(tv.search("élection", limit=100))) == {13, 27}
    assert set(ids(pg.search("élection", limit=100))) == ENGLISH_ELECTION | {27}


def test_stop_words_count_as_in_tantivy(tv: SearchIndex, pg: PgSearchIndex) -> None:
    # PostgreSQL's own configurations would drop "the"; ours (newsarchiver_english) keep it.
    assert set(ids(tv.search("the referendum"))) == set(ids(pg.search("the referendum"))) == {1}
    assert pg.search("the").total == tv.search("the").total > 0
    assert set(ids(pg.search('"who said"', limit=100))) == set(ids(tv.search('"who said"', limit=100)))


# -- errors -------------------------------------------------------------------------------------------

BAD: list[tuple[str, SearchFilters, str, int, int]] = [
    ("r*", F(), "relevance", 20, 0), ("*", F(), "relevance", 20, 0), ("AND", F(), "relevance", 20, 0),
    ("x" * 3000, F(), "relevance", 20, 0), ("(" * 30 + "kyiv", F(), "relevance", 20, 0),
    ("referendum " * 60, F(), "relevance", 20, 0), ("kyiv", F(since="yesterday"), "relevance", 20, 0),
    ("kyiv", F(until="2024-02-30"), "relevance", 20, 0), ("kyiv", F(captured_until="7m"), "relevance", 20, 0),
    ("", F(site="/"), "relevance", 20, 0), ("", F(lang="-"), "relevance", 20, 0),
    ("", F(author="!!!"), "relevance", 20, 0), ("kyiv", F(), "best", 20, 0), ("kyiv", F(), "relevance", 0, 0),
    ("kyiv", F(), "relevance", 1001, 0), ("kyiv", F(), "relevance", 20, -1), ("kyiv", F(), "relevance", 20, 100_001),
]


@pytest.mark.parametrize(("query", "filters", "sort", "limit", "offset"), BAD)
def test_same_usage_errors(tv: SearchIndex, pg: PgSearchIndex, query: str, filters: SearchFilters, sort: str,
                           limit: int, offset: int) -> None:
    with pytest.raises(UsageError) as tantivy_error:
        tv.search(query, filters, sort=sort, limit=limit, offset=offset)
    with pytest.raises(UsageError) as pg_error:
        pg.search(query, filters, sort=sort, limit=limit, offset=offset)
    assert str(pg_error.value) == str(tantivy_error.value)


METACHARACTERS = [
    ":*&|!()<->'\\", "referendum:*", "referendum & voters", "kyiv | kiev", "!markets referendum",
    "air <-> raid", "air <2> sirens", "'referendum'", "referendum' | 'markets", "referendum:X", "referendum:*XY",
    "\\'; DROP TABLE search_docs; --", "refer\\*", "(referendum)) & (!(", "'''", "\\\\", "<->", "!", "&", "|",
    "kyiv:* & !(sirens <-> 'dawn') | \\x", "referendum\\:*", "'kyiv'':*", "%s %(x)s {} referendum",
    "\x00\x01\x02", "referendum\x00voters",
]


@pytest.mark.parametrize("query", METACHARACTERS)
def test_tsquery_metacharacters_are_plain_text(tv: SearchIndex, pg: PgSearchIndex, query: str) -> None:
    try:
        expected = set(ids(tv.search(query, limit=100)))
    except UsageError as exc:
        with pytest.raises(UsageError, match="^" + re.escape(str(exc)) + "$"):
            pg.search(query)
    else:
        assert set(ids(pg.search(query, limit=100))) == expected


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_give_results_or_a_usage_error(pg: PgSearchIndex, query: str) -> None:
    try:
        page = pg.search(query)
    except UsageError as exc:
        assert str(exc) and "\n" not in str(exc) and len(str(exc)) < 300
    else:
        assert page.total >= 0


def test_random_queries_never_crash(pg: PgSearchIndex) -> None:
    rng = random.Random(7)
    alphabet = [*'()"-*:&|!<>\'\\ ', "<->", "OR", "AND", "NOT", "title:", "référendum", "выборы", "人民", "民", "\x00",
                "\u0301", "a", "kyiv", "the"]
    for _ in range(300):
        query = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 30)))
        try:
            pg.search(query, limit=5)
        except UsageError:
            pass


def test_undecodable_input_is_searched(pg: PgSearchIndex) -> None:
    # Command-line bytes that are not UTF-8 arrive as lone surrogates (tantivy's path fails on them).
    assert ids(pg.search("kyiv \udcff")) == ids(pg.search("kyiv\udcff")) == [4]  # U+FFFD: not a word
    assert ids(pg.search("", F(author="jane \udcff doe"))) == ids(pg.search("", F(author="jane doe")))


def test_database_failure_is_one_line(pg_url: str) -> None:
    # No table: the migration did not run.
    with pg_index(pg_url, [], migrate=False) as index, pytest.raises(IndexStoreError) as error:
        index.search("referendum")
    message = str(error.value)
    assert message.startswith("search index (PostgreSQL):") and "does not exist" in message
    assert "\n" not in message and len(message) < 400


# -- writing ----------------------------------------------------------------------------------------

def test_upsert_replaces_the_article(fresh: PgSearchIndex) -> None:
    fresh.upsert(replace(CORPUS[0], version_n=2, title="Referendum annulled", text="The court annulled the vote."))
    assert ids(fresh.search("turnout")) == [1]  # not yet committed
    fresh.commit()
    page = fresh.search("referendum")
    assert ids(page).count(1) == 1 and page.hits[ids(page).index(1)].version_n == 2
    assert ids(fresh.search("annulled")) == [1] and ids(fresh.search("turnout")) == []
    assert fresh.doc_count() == len(CORPUS)


def test_delete_clear_and_count(fresh: PgSearchIndex) -> None:
    fresh.delete(4)
    fresh.upsert(replace(CORPUS[4], title="Kiev spelling", text="Still Kiev."))
    fresh.commit()
    assert ids(fresh.search("sirens")) == [] and fresh.doc_count() == len(CORPUS) - 1
    fresh.upsert(CORPUS[3])
    fresh.clear()  # drops what was buffered before it too
    fresh.commit()
    assert fresh.doc_count() == 0 and fresh.search("referendum").total == 0 and fresh.search("").total == 0
    fresh.upsert(CORPUS[0])
    fresh.close()  # uncommitted changes are dropped
    fresh.commit()
    assert fresh.doc_count() == 0


def test_a_new_language_is_searchable_after_commit(pg_url: str) -> None:
    with pg_index(pg_url, [CORPUS[0]]) as index:
        assert index.search("Wahlen").total == 0
        index.upsert(CORPUS[9])  # the first German article
        index.commit()
        assert ids(index.search("Wahl")) == [10]


def test_readonly(pg_url: str) -> None:
    with pg_pool(pg_url) as pool:
        writer = PgSearchIndex(pool)
        for item in CORPUS[:3]:
            writer.upsert(item)
        writer.commit()
        reader = PgSearchIndex(pool, readonly=True)
        assert reader.created is False and ids(reader.search("referendum")) == [1, 2]
        with pytest.raises(IndexStoreError, match="read-only"):
            reader.upsert(CORPUS[4])
        with pytest.raises(IndexStoreError, match="read-only"):
            reader.delete(1)
        with pytest.raises(IndexStoreError, match="read-only"):
            reader.clear()
        with pytest.raises(IndexStoreError, match="read-only"):
            reader.commit()
        reader.close()
        assert writer.doc_count() == 3  # closing left the pool open


def test_awkward_text_is_stored(pg_url: str) -> None:
    long_word = "y" * 60
    items = [doc(1, "Nul\x00title", f"before {long_word} after \x00 and a lone \ud800 surrogate",
                 authors=["Lone \udcff Author"]),
             doc(2, "Huge", " ".join(f"w{i}" for i in range(200_000)))]  # over the 1 MB a tsvector holds
    with pg_index(pg_url, items) as index:
        assert ids(index.search("nul title")) == [1] and ids(index.search("surrogate")) == [1]
        assert ids(index.search('"before after"')) == []  # the long word still takes its position
        assert ids(index.search("ff*")) == ids(index.search("yy*")) == []  # ... and no prefix finds it
        with pytest.raises(UsageError, match="nothing to search for"):
            index.search(long_word)  # over 40 characters: not a search term, as in tantivy
        assert ids(index.search("w12345")) == [2]


def test_translation_to_tsquery() -> None:
    node = parse_query('kyiv OR kiev -"air raid" title:elect* 人民 民 (a OR (b -c))')
    assert node is not None
    assert tsquery_text(node) == ("( 'kyiv' | 'kiev' ) & !( 'air' <-> 'raid' ) & 'elect':*A & '人民' & '民':*"
                                  " & ( 'a' | ( 'b' & !'c' ) )")
    quoted = parse_query("o'brien \\ x")
    assert quoted is not None and tsquery_text(quoted) == "( 'o' <-> 'brien' ) & 'x'"


def test_explain_uses_the_gin_index(pg_url: str) -> None:
    rng = random.Random(3)
    vocabulary = [f"word{i}" for i in range(800)]
    docs = [doc(i, " ".join(rng.sample(vocabulary, 4)), " ".join(rng.choices(vocabulary, k=60)),
                language=("en", "de", "zh", None)[i % 4]) for i in range(1, 5001)]
    for i in (17, 2500, 4999):
        docs[i - 1] = replace(docs[i - 1], text=docs[i - 1].text + " zanzibar")
    with pg_pool(pg_url) as pool:
        index = PgSearchIndex(pool)
        for item in docs:
            index.upsert(item)
        index.commit()
        with psycopg.connect(pg_url, autocommit=True) as conn:
            # As autovacuum would: moves GIN's pending list (fastupdate) into the index proper,
            # which the planner otherwise reckons a cost to scan on every query.
            conn.execute("VACUUM ANALYZE search_docs")
        plan = index.explain("zanzibar")
        assert "Bitmap Index Scan on search_docs_tsv" in plan, plan
        assert sorted(ids(index.search("zanzibar"))) == [17, 2500, 4999]
        # Stemmed differently per configuration: one arm per distinct tsquery (english and german
        # agree on zanzibar, simple keeps zanzibars), each a scan of the GIN index.
        plan = index.explain("zanzibars", sort="newest")
        assert plan.count("Bitmap Index Scan on search_docs_tsv") == 2 and "BitmapOr" in plan, plan
        assert index.doc_count() == 5000
