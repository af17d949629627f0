"""Text analysis for the full-text index: normalisation, CJK bigrams, per-language stemming.

The same functions prepare article text for indexing and query words for searching, so both
sides always agree on what a term is.

Tokenizer (one per "profile"): tantivy's `simple` tokenizer (splits on anything that is not a
letter or digit) -> drop tokens over 40 characters -> lowercase -> snowball stemmer for the
profile's language -> ASCII folding (so "election" finds "élection", "Munchen" finds "München").

Profiles: an article is indexed into the title/body fields of exactly one profile, chosen by its
language: one per language tantivy has a stemmer for (see STEMMERS), and "xx" (no stemming) for
every other language (Uzbek, Ukrainian, Chinese, ...) and for unknown languages. A query is
analysed once per profile present in the index. Trade-off: stemmed fields hold stems only, so an
exact form cannot be demanded in an English article ("elections" also matches "election" and
"elect", and so do phrases); a second unstemmed copy of every text would double the postings and
break the index-size goal. A mislabelled language only costs stemming, never findability of the
exact word.

Before tokenizing, text is normalised (see `normalize`): NFKC (full-width Latin, ligatures,
compatibility ideographs), Arabic and Hebrew vowel marks and tatweel removed (readers rarely type
them), soft hyphens and zero-width characters removed, Uzbek modifier-letter apostrophes
(oʻ, gʻ) unified with "'", dotted capital I made plain, control characters made spaces.

CJK (Han, kana, Hangul) has no spaces between words, and the simple tokenizer would make a whole
run one token. Each run is rewritten as overlapping character bigrams followed by its last
character ("中华人民" -> "中华 华人 人民 民"), the approach of Lucene's CJKBigramFilter. A query
run of two or more characters becomes a phrase of its bigrams (exact substring match, whatever
the word boundaries); a single character becomes a prefix query over the bigrams ("民" matches
"民" and "民X"), which the trailing unigram makes complete.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import tantivy

# Language (BCP 47 primary subtag) -> tantivy snowball stemmer.
STEMMERS: dict[str, str] = {
    "ar": "arabic", "da": "danish", "de": "german", "el": "greek", "en": "english",
    "es": "spanish", "fi": "finnish", "fr": "french", "hu": "hungarian", "it": "italian",
    "nl": "dutch", "no": "norwegian", "pt": "portuguese", "ro": "romanian", "ru": "russian",
    "sv": "swedish", "ta": "tamil", "tr": "turkish",
}
_LANGUAGE_ALIASES = {"nb": "no", "nn": "no"}
PLAIN_PROFILE = "xx"
PROFILES: tuple[str, ...] = (*sorted(STEMMERS), PLAIN_PROFILE)
MAX_TOKEN_CHARS = 40

_CJK_CHARS = (
    "\u3005-\u3007"  # 々 〆 〇
    "\u3041-\u3096\u309d-\u309f"  # hiragana
    "\u30a1-\u30fa\u30fc-\u30ff\u31f0-\u31ff"  # katakana (not the ・ middle dot)
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # Han
    "\uac00-\ud7a3"  # Hangul syllables
    "\U00020000-\U0003134f"  # Han extensions B-G
)
CJK_RUN = re.compile(f"[{_CJK_CHARS}]+")


def _build_translation() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    dropped = [
        (0x0610, 0x061A), (0x064B, 0x065F), (0x0670, 0x0670), (0x06D6, 0x06DC),
        (0x06DF, 0x06E4), (0x06E7, 0x06E8), (0x06EA, 0x06ED), (0x0640, 0x0640),  # Arabic
        (0x0591, 0x05BD), (0x05BF, 0x05BF), (0x05C1, 0x05C2), (0x05C4, 0x05C5),
        (0x05C7, 0x05C7),  # Hebrew points
        (0x00AD, 0x00AD), (0x200B, 0x200D), (0x2060, 0x2060), (0xFEFF, 0xFEFF),  # invisible
    ]
    for first, last in dropped:
        for code in range(first, last + 1):
            table[code] = None
    for code in (0x02BB, 0x02BC, 0x02BD, 0x2018, 0x2019, 0x0060, 0x00B4):
        table[code] = "'"
    table[0x0130] = "I"  # İ: lowercasing gives "i" + combining dot otherwise
    for code in [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)]:
        table[code] = " "
    for keep in "\n\t":
        table.pop(ord(keep))
    return table


_TRANSLATION = _build_translation()
# str.translate looks every character up in the table (~10 ns each); most texts need no change.
_NEEDS_TRANSLATION = re.compile("[" + "".join(re.escape(chr(code)) for code in sorted(_TRANSLATION)) + "]")


def normalize(text: str) -> str:
    """The character-level normalisation shared by indexing, querying and snippets."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    if _NEEDS_TRANSLATION.search(text) is None:
        return text
    return text.translate(_TRANSLATION)


def _expand_run(match: re.Match[str]) -> str:
    run = match.group()
    if len(run) == 1:
        return f" {run} "
    bigrams = " ".join(run[i:i + 2] for i in range(len(run) - 1))
    return f" {bigrams} {run[-1]} "


def prepare_for_index(text: str) -> str:
    """The string handed to tantivy: normalised, CJK runs rewritten as bigrams."""
    text = normalize(text)
    return text if text.isascii() else CJK_RUN.sub(_expand_run, text)


def profile_for_language(language: str | None) -> str:
    primary = primary_language(language)
    primary = _LANGUAGE_ALIASES.get(primary, primary)
    return primary if primary in STEMMERS else PLAIN_PROFILE


def primary_language(language: str | None) -> str:
    """'en-GB' -> 'en'; None or junk -> ''."""
    if not language:
        return ""
    return re.split(r"[-_]", language.strip().lower(), maxsplit=1)[0]


def tokenizer_name(profile: str) -> str:
    return f"na_{profile}"


@lru_cache(maxsize=None)
def analyzer(profile: str) -> tantivy.TextAnalyzer:
    builder = (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
               .filter(tantivy.Filter.remove_long(MAX_TOKEN_CHARS))
               .filter(tantivy.Filter.lowercase()))
    if profile in STEMMERS:
        builder = builder.filter(tantivy.Filter.stemmer(STEMMERS[profile]))
    return builder.filter(tantivy.Filter.ascii_fold()).build()


@lru_cache(maxsize=1)
def _position_counter() -> tantivy.TextAnalyzer:
    # The bare tokenizer: how many positions a piece of text occupies, before filters drop any.
    return tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple()).build()


def register_tokenizers(index: tantivy.Index) -> None:
    for profile in PROFILES:
        index.register_tokenizer(tokenizer_name(profile), analyzer(profile))


@dataclass(frozen=True)
class Term:
    position: int
    text: str
    cjk: bool = False

    @property
    def single_cjk_char(self) -> bool:
        return self.cjk and len(self.text) == 1


@lru_cache(maxsize=4096)
def analyze_terms(text: str, profile: str) -> tuple[Term, ...]:
    """Query text -> the terms (with positions) as the index holds them in `profile`'s fields.

    Positions mirror `prepare_for_index`: a CJK run of n >= 2 characters occupies n positions
    (n-1 bigrams and the trailing unigram, which a query skips).
    """
    terms: list[Term] = []
    position = 0
    for segment, is_cjk in split_cjk(normalize(text)):
        if is_cjk:
            if len(segment) == 1:
                terms.append(Term(position, segment, cjk=True))
            else:
                terms.extend(Term(position + i, segment[i:i + 2], cjk=True) for i in range(len(segment) - 1))
            position += len(segment)
            continue
        for token in analyzer(profile).pre_tokenize(segment).tokens:
            terms.append(Term(position + token.position, token.text))
        position += len(_position_counter().analyze(segment))
    return tuple(terms)


def split_cjk(text: str) -> list[tuple[str, bool]]:
    """Split text into alternating (segment, is_cjk) pieces."""
    pieces: list[tuple[str, bool]] = []
    start = 0
    for match in CJK_RUN.finditer(text):
        if match.start() > start:
            pieces.append((text[start:match.start()], False))
        pieces.append((match.group(), True))
        start = match.end()
    if start < len(text):
        pieces.append((text[start:], False))
    return pieces


def prefix_stem(word: str, profile: str) -> str:
    """The prefix to look up for `word*` in a profile's fields.

    Stemmed fields hold stems, which may be shorter than the typed word ("elections*" -> "elect")
    or differ at the end ("happy" -> "happi"): use the common prefix of the stem and the plain
    form, so the prefix never misses the word itself.
    """
    plain = analyze_terms(word, PLAIN_PROFILE)
    stemmed = analyze_terms(word, profile)
    if not plain or not stemmed or plain[-1].cjk:
        return ""
    a, b = plain[-1].text, stemmed[-1].text
    common = 0
    while common < min(len(a), len(b)) and a[common] == b[common]:
        common += 1
    return a[:common]
