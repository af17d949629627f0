"""Learned per-site boilerplate (layer 3): learning, thresholds, serialisation, applying."""

from __future__ import annotations

import json

import pytest

from newsarchiver.boilerplate import (
    BoilerplateLearner,
    LearnedBoilerplate,
    learn_boilerplate,
    paragraph_key,
    site_key,
)

NOTICE = "RFE/RL has been declared an \"undesirable organization\" by the Russian government."
FOLLOW = "Follow us on Telegram for the latest news."


def story(i: int) -> list[str]:
    return [f"Story {i} opens with its own first sentence.", f"Story {i} has a second, different paragraph."]


def test_a_notice_on_five_pages_is_learned_and_removed() -> None:
    pages = [(f"https://www.rferl.org/a/{i}.html", story(i) + [NOTICE]) for i in range(5)]
    learned = learn_boilerplate("rferl.org", pages, min_pages=3, min_share=0.3)
    assert NOTICE in learned and len(learned) == 1
    kept, dropped = learned.apply(story(9) + [NOTICE])
    assert kept == story(9) and dropped == [NOTICE]


def test_a_site_with_one_page_learns_nothing_and_loses_nothing() -> None:
    paragraphs = story(1) + [NOTICE]
    learned = learn_boilerplate("example.com", [("https://example.com/1", paragraphs)], min_pages=2, min_share=0.1)
    assert len(learned) == 0 and learned.pages == 1
    assert learned.apply(paragraphs) == (paragraphs, [])


def test_recaptures_of_one_page_do_not_count() -> None:
    learner = BoilerplateLearner("example.com", min_pages=3, min_share=0.3)
    for _ in range(10):
        learner.add("https://example.com/same-article", story(1))
    assert learner.pages == 1 and len(learner.learned()) == 0


def test_both_thresholds_must_hold() -> None:
    pages = [(f"p{i}", story(i) + ([FOLLOW] if i < 4 else [])) for i in range(20)]
    assert FOLLOW not in learn_boilerplate("s", pages, min_pages=3, min_share=0.3)  # 4 of 20 pages: 20%
    assert FOLLOW in learn_boilerplate("s", pages, min_pages=3, min_share=0.2)
    assert FOLLOW not in learn_boilerplate("s", pages, min_pages=5, min_share=0.1)  # only 4 pages


def test_a_paragraph_repeated_within_one_page_counts_once() -> None:
    pages = [("p1", [FOLLOW, FOLLOW, FOLLOW]), ("p2", story(2)), ("p3", story(3))]
    assert FOLLOW not in learn_boilerplate("s", pages, min_pages=2, min_share=0.1)


def test_matching_ignores_whitespace_and_unicode_form() -> None:
    learned = learn_boilerplate("s", [(f"p{i}", ["Caf\u00e9  notice"]) for i in range(3)], min_pages=2)
    assert "Cafe\u0301 notice" in learned and "Café\nnotice" in learned
    assert "café notice" not in learned  # otherwise verbatim: case matters
    assert paragraph_key(" a \t b ") == "a b"


def test_apply_never_empties_a_page() -> None:
    learned = learn_boilerplate("s", [(f"p{i}", [NOTICE, FOLLOW]) for i in range(4)], min_pages=2)
    assert learned.apply([NOTICE, FOLLOW]) == ([NOTICE, FOLLOW], [])


def test_json_round_trip() -> None:
    pages = [(f"p{i}", story(i) + [NOTICE, FOLLOW]) for i in range(6)]
    learned = learn_boilerplate("rferl.org", pages, min_pages=3, min_share=0.5)
    text = learned.to_json()
    again = LearnedBoilerplate.from_json(text)
    assert again == learned
    data = json.loads(text)
    assert data["site"] == "rferl.org" and data["pages"] == 6
    assert {p["text"] for p in data["paragraphs"]} == {NOTICE, FOLLOW}


def test_unknown_format_is_rejected() -> None:
    with pytest.raises(ValueError, match="format"):
        LearnedBoilerplate.from_dict({"format": 99, "paragraphs": []})


def test_thresholds_are_validated() -> None:
    with pytest.raises(ValueError, match="min_pages"):
        BoilerplateLearner("s", min_pages=1)
    with pytest.raises(ValueError, match="min_share"):
        BoilerplateLearner("s", min_share=0)


@pytest.mark.parametrize("url, key", [
    ("https://www.rferl.org/a/1.html", "rferl.org"),
    ("https://RFERL.org/a/1.html", "rferl.org"),
    ("https://pressroom.rferl.org/a/1.html", "pressroom.rferl.org"),
])
def test_site_key(url: str, key: str) -> None:
    assert site_key(url) == key
