"""Article text for the sample site: the real seed story and a deterministic news-text generator.

The generator builds sentences from templates filled with a vocabulary of news words, (fictional)
people, real places and organisations. The same (seed, index) always gives the same article, and
different indexes give different articles, so extraction tests know the expected text exactly.
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

# --- the seed article (../shared/seeds/rferl-russia-uzbekistan-accord.txt), verbatim -----------

SEED_TITLE = "Russia, Uzbekistan To Sign New Accord"
SEED_DATELINE = "Moscow, 14 November 2005 (RFE/RL) --"
SEED_CAPTION = "Uzbek President Islam Karimov (file photo) (AFP)"
SEED_SUBHEADING = "New Accord"
SEED_PARAGRAPHS: tuple[str, ...] = (
    f"{SEED_DATELINE} Russian President Vladimir Putin is meeting Uzbek President Islam Karimov "
    "today for talks set to culminate with the signing of a treaty between both countries.",
    "The accord illustrates Russia's growing support for the authoritarian Uzbek leader, who has "
    "come under heavy fire in the West for the bloodshed in Andijon in May.",
    "The talks will reportedly focus on ways to boost bilateral military and economic cooperation, "
    "and on the activities of the Shanghai Cooperation Organization, a regional security group "
    "including Russia, China, Uzbekistan, and three other Central Asian countries.",
    "Putin and Karimov are also due to discuss Uzbekistan's possible admittance to the Eurasian "
    "Economic Community (Eurasec), a body seeking to establish a single economic zone comprising "
    "Russia, Kazakhstan, Kyrgyzstan, Tajikistan, and Belarus.",
    "Sergei Luzyanin, the president of the Foundation for Eastern Studies at the Moscow State "
    "Institute for International Relations, tells RFE/RL's Russian Service that the growing "
    "rapprochement between both countries illustrates Russia's drive to strengthen its presence "
    "in Central Asia.",
    "\"All this is linked to the strengthening of Russia's position in Central Asia through a "
    "rapprochement with its main player, Uzbekistan,\" Luzyanin says. \"I do not exclude that the "
    "opening of a Russian military base in Uzbekistan in the near future may even be discussed.\"",
    # -- the "New Accord" subheading goes here (SEED_SUBHEADING_AT) --
    "The highlight of today's talks will be the planned signing of a treaty between Russia and "
    "Uzbekistan.",
    "The Russian Foreign Ministry said in a statement today that the treaty -- which builds on the "
    "previous Strategic Partnership Treaty signed by both countries in June 2004 -- seeks to "
    "establish a \"long-term foundation\" for closer bilateral ties.",
    "According to media reports, in this new treaty, Russia pledges to support Uzbekistan in the "
    "event of unrest such as the 13 May violence in the Uzbek city of Andijon.",
    "Speaking to reporters ahead of talks, Karimov thanked Moscow for its support and said that "
    "\"Russia will not regret signing this treaty today.\"",
    "Putin, in turn, called the treaty a \"serious new step in the development of bilateral "
    "cooperation.\"",
    "The Uzbek authorities blame Islamic militants for staging the uprising and say that 187 people "
    "were killed in the violence, mainly militants and government troops. Rights watchdogs, "
    "however, say over 700 unarmed civilians were killed by government forces.",
    "Karimov's alleged heavy-handed response to the unrest and his subsequent refusal to allow an "
    "international probe into the violence has severely soured Uzbekistan's relations with the "
    "West.",
    "Moscow has displayed growing support for the Uzbek leader since the Andijon events. China has "
    "also thrown its weight behind Karimov.",
    "But Luzyanin says Russia's support for the authoritarian Uzbek president is unlikely to strain "
    "its ties with the West.",
    "\"On the whole, if Russia will support Uzbekistan on the [question of] European sanctions], its "
    "position will not be significantly affected all the same. Of course, [such a position] will "
    "generate some additional criticism but it will not radically worsen Europe's relations with "
    "Russia because of Tashkent,\" Luzyanin says.",
    "In early October, the European Union announced that it will ban weapons exports to Uzbekistan. "
    "It will also refuse visas to certain officials.",
    "In July, the SCO urged the United States to set a timetable for pulling out its troops from "
    "bases in Uzbekistan. This call was swiftly followed by Uzbekistan's request that the United "
    "States withdraw its troops within six months.",
    "As a further sign of growing military ties, Russia and Uzbekistan held their first joint "
    "military exercises in September.",
)
SEED_SUBHEADING_AT = 6  # index in SEED_PARAGRAPHS before which the subheading appears
SEED_PUBLISHED = datetime(2005, 11, 14, 10, 32, tzinfo=timezone.utc)
SEED_MODIFIED = datetime(2005, 11, 14, 15, 10, tzinfo=timezone.utc)
# The byline is fictional: the seed text carries no author.
SEED_AUTHORS = ("Nadia Ermekova",)
SEED_TAGS = ("Russia", "Uzbekistan", "Andijon")

# The notice repeated on every page (boilerplate in the seed).
LEGAL_NOTICE = (
    'RFE/RL has been declared an "undesirable organization" by the Russian government.',
    "If you are in Russia or the Russia-controlled parts of Ukraine and hold a Russian passport or "
    "are a stateless person residing permanently in Russia or the Russia-controlled parts of "
    "Ukraine, please note that you could face fines or imprisonment for sharing, liking, commenting "
    "on, or saving our content, or for contacting us.",
)

# --- vocabulary --------------------------------------------------------------------------------

# People are fictional; places and organisations are real.
PEOPLE = (
    "Aliya Nurlanova", "Timur Rakhimov", "Elena Sokolova", "Mikhail Orlov", "Dilnoza Yusupova",
    "Bakyt Asanov", "Irina Volkova", "Farid Karimzoda", "Olga Demchenko", "Arman Seitkali",
    "Zarina Kholova", "Pavel Grigoriev", "Nodir Ismoilov", "Svetlana Marchenko", "Giorgi Beridze",
    "Anahit Sargsyan", "Leyla Mammadova", "Andrei Ciobanu", "Maksim Lebedev", "Gulnara Bekova",
)
REPORTERS = (
    "Nadia Ermekova", "Thomas Whitfield", "Marta Kowalska", "Daniyar Omarov", "Helen Carver",
    "Sergei Antonov", "Julia Brandt", "Kamila Rashidova", "Peter Lindqvist", "Ainura Satybaldieva",
)
ROLES = (
    "foreign minister", "economy minister", "opposition leader", "central bank governor",
    "defense minister", "prime minister", "deputy energy minister", "parliamentary speaker",
    "presidential spokesman", "deputy interior minister",
)
EXPERT_ROLES = (
    "a political analyst", "a human rights activist", "an economist", "an independent journalist",
    "a former diplomat", "a lawyer", "a university lecturer",
)
COUNTRIES = (
    "Russia", "Uzbekistan", "Kazakhstan", "Kyrgyzstan", "Tajikistan", "Turkmenistan", "Georgia",
    "Armenia", "Azerbaijan", "Ukraine", "Belarus", "Moldova", "China", "Turkey", "Iran",
)
CITIES = (
    "Tashkent", "Almaty", "Bishkek", "Dushanbe", "Ashgabat", "Tbilisi", "Yerevan", "Baku", "Kyiv",
    "Minsk", "Chisinau", "Samarkand", "Osh", "Astana", "Moscow", "Khujand", "Batumi", "Gyumri",
)
ORGS = (
    "the European Union", "the Organization for Security and Cooperation in Europe",
    "the International Monetary Fund", "the World Bank", "the United Nations",
    "the Asian Development Bank", "the Shanghai Cooperation Organization", "NATO",
)
ORGS_SHORT = ("EU", "OSCE", "IMF", "World Bank", "UN", "ADB", "SCO", "NATO")  # for headlines
TOPICS = (
    "gas pipeline", "border dispute", "water-sharing agreement", "election law", "trade agreement",
    "cotton harvest", "customs union", "media law", "energy prices", "pension reform",
    "hydropower project", "rail link", "visa regime", "grain exports", "anti-corruption campaign",
    "migrant labor quota", "budget plan", "mining concession", "airport expansion", "tax code",
)
MINISTRIES = (
    "Foreign Ministry", "Economy Ministry", "Interior Ministry", "Energy Ministry",
    "State Statistics Committee", "Finance Ministry", "Justice Ministry",
)
BODIES = ("parliament", "government", "Constitutional Court", "Central Election Commission")
BUILDINGS = ("parliament building", "mayor's office", "Justice Ministry", "state television center")
DEMANDS = (
    "release jailed journalists", "allow independent observers into the region",
    "open the border crossings", "publish the full text of the agreement",
    "cut import duties", "hold an independent inquiry", "restore electricity supplies",
)
REASONS = (
    "growing pressure from abroad", "a shortage of funds", "concerns over rising prices",
    "fears of renewed unrest", "a dispute within the ruling elite", "falling remittances",
)
OUTCOMES = (
    "signed by the end of the year", "put to a vote next month", "reviewed by experts",
    "delayed until the spring", "expanded to include neighboring states",
)
MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
SUBHEADINGS = (
    "Regional Concerns", "Next Steps", "Mixed Reactions", "Economic Stakes", "Old Disputes",
    "Pressure From Abroad", "Looking Ahead", "Questions Remain",
)
COMMENTERS = ("reader_kz", "Observer77", "tashkent_resident", "Aibek", "m.petrov", "Farhod")


def title_case(text: str) -> str:
    # RFE/RL headlines capitalise every word ("Russia, Uzbekistan To Sign New Accord").
    return " ".join(w[:1].upper() + w[1:] for w in text.split(" "))


def slugify(text: str) -> str:
    keep = string.ascii_lowercase + string.digits
    words = "".join(c if c in keep else " " for c in text.lower()).split()
    return "-".join(words)[:80].strip("-")


@dataclass(frozen=True)
class HeadText:
    """What listings, feeds and sitemaps need: cheap to generate."""

    title: str
    authors: tuple[str, ...]
    first_paragraph: str  # starts with the dateline
    tags: tuple[str, ...]
    caption: str


@dataclass(frozen=True)
class BodyText:
    """The rest of the article, generated only when its page is rendered."""

    paragraphs: tuple[str, ...]  # after the first
    subheading: str
    comments: tuple[tuple[str, str], ...]  # (commenter, text)


class NewsWriter:
    """Writes plausible news sentences from one seeded random generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        c = rng.sample(COUNTRIES, 2)
        # Each article has its own cast and subject, so articles differ from one another.
        self.country, self.country2 = c[0], c[1]
        self.city = rng.choice(CITIES)
        self.topic = rng.choice(TOPICS)
        self.topic2 = rng.choice([t for t in TOPICS if t != self.topic])
        self.official, self.expert = rng.sample(PEOPLE, 2)
        self.role = rng.choice(ROLES)
        self.expert_role = rng.choice(EXPERT_ROLES)
        self._deck: list[int] = []  # template order: each is used once before any repeats
        self._used: set[str] = set()  # no sentence appears twice in one article

    def pick(self, options: tuple[str, ...]) -> str:
        return self.rng.choice(options)

    def org(self) -> str:
        org = self.pick(ORGS)
        return org[0].upper() + org[1:]  # "the United Nations" starts a sentence

    def headline(self) -> str:
        r = self.rng
        topic = title_case(self.topic)
        forms = (
            f"{self.country} And {self.country2} Agree On {topic}",
            f"{self.city} Hosts Talks On {topic}",
            f"Protests In {self.city} Over {topic}",
            f"{self.country} Parliament Approves {topic}",
            f"Officials Split Over {topic} In {self.country}",
            f"{self.country} Signals Shift On {topic}",
            f"{self.pick(ORGS_SHORT)} Urges {self.country} To {title_case(self.pick(DEMANDS))}",
            f"{self.country} To Review {topic} After {r.randint(2, 40)} Years",
        )
        return r.choice(forms)

    def sentence(self) -> str:
        candidate = ""
        for _ in range(40):
            if not self._deck:
                self._deck = list(range(len(SENTENCE_FORMS)))
                self.rng.shuffle(self._deck)
            candidate = SENTENCE_FORMS[self._deck.pop()](self)
            if candidate not in self._used:
                break
        self._used.add(candidate)
        return candidate

    def num(self, low: int, high: int) -> int:
        return self.rng.randint(low, high)

    def comment(self) -> str:
        forms = (
            f"Nothing will change until the {self.topic} is debated openly.",
            f"Who really benefits from the {self.topic}? Not ordinary people in {self.city}.",
            "Thank you for reporting this. Our media at home say nothing about it.",
            f"I live in {self.city} and prices have gone up {self.num(2, 5)} times this year.",
            f"Same story every year. Wait and see what happens to the {self.topic2}.",
        )
        return self.pick(forms)

    def paragraph(self) -> str:
        return " ".join(self.sentence() for _ in range(self.rng.randint(1, 3)))


# Sentence templates; only the chosen one is evaluated, which keeps generation fast.
SENTENCE_FORMS: tuple[Callable[[NewsWriter], str], ...] = (
    lambda w: f"{w.official}, {w.country}'s {w.role}, said on {w.pick(WEEKDAYS)} that the "
              f"{w.topic} would be {w.pick(OUTCOMES)}.",
    lambda w: f"Officials in {w.city} said the {w.topic} could bring {w.num(3, 950)} new jobs to "
              f"the region by {w.num(2006, 2012)}.",
    lambda w: f"{w.org()} has urged {w.country} to {w.pick(DEMANDS)}.",
    lambda w: f"The talks in {w.city} focused on the {w.topic} and on the {w.topic2}.",
    lambda w: f"Critics say the {w.topic} will mainly benefit a small circle of officials close "
              f"to the government.",
    lambda w: f"\"We are ready to discuss the {w.topic} with our neighbors,\" {w.official} told "
              f"reporters in {w.city}.",
    lambda w: f"According to figures released by the {w.pick(MINISTRIES)}, trade between "
              f"{w.country} and {w.country2} rose by {w.num(2, 60)} percent last year.",
    lambda w: f"Analysts in {w.city} expect the {w.pick(BODIES)} to take up the {w.topic} before "
              f"the end of {w.pick(MONTHS)}.",
    lambda w: f"{w.country} and {w.country2} have disagreed over the {w.topic2} since "
              f"{w.num(1992, 2004)}.",
    lambda w: f"Several hundred people gathered outside the {w.pick(BUILDINGS)} in {w.city} on "
              f"{w.pick(WEEKDAYS)} to protest against the {w.topic}.",
    lambda w: f"The {w.pick(MINISTRIES)} declined to comment on the reports.",
    lambda w: f"Diplomats say a compromise on the {w.topic} remains possible if both sides agree "
              f"to {w.pick(DEMANDS)}.",
    lambda w: f"{w.expert}, {w.expert_role} based in {w.city}, said the decision reflected "
              f"{w.pick(REASONS)}.",
    lambda w: f"The {w.topic} was first proposed in {w.pick(MONTHS)} {w.num(1998, 2004)}, but "
              f"talks stalled amid disagreements over the {w.topic2}.",
    lambda w: f"Local media reported that {w.num(3, 950)} people had been detained in {w.city} "
              f"and nearby towns.",
    lambda w: f"\"This is about {w.pick(REASONS)}, not about the {w.topic},\" {w.expert} said.",
    lambda w: f"A delegation from {w.country} is expected to return to {w.city} in "
              f"{w.pick(MONTHS)} for a further round of talks.",
    lambda w: f"Prices for bread and fuel in {w.city} have risen by about {w.num(5, 45)} percent "
              f"since the start of the year.",
    lambda w: f"Opposition groups in {w.country} have called for a referendum on the {w.topic}.",
    lambda w: f"{w.expert} warned that the {w.topic} could deepen tensions between {w.country} "
              f"and {w.country2}.",
    lambda w: f"The {w.topic} is expected to cost about ${w.num(20, 900)} million over "
              f"{w.num(2, 10)} years.",
    lambda w: f"In {w.pick(MONTHS)}, {w.pick(ORGS)} sent a delegation to {w.city} to assess the "
              f"{w.topic2}.",
    lambda w: f"Officials in {w.pick(CITIES)} gave no timetable for the {w.topic}.",
)


def _writer(seed: int, index: int) -> NewsWriter:
    # String seeding is stable across runs and Python versions (not affected by hash randomisation).
    return NewsWriter(random.Random(f"newsarchiver-sample:{seed}:{index}"))


def generate_head(seed: int, index: int, when: datetime, outlet: str) -> HeadText:
    """Headline, byline and first paragraph of generated article `index` (index >= 1)."""
    w = _writer(seed, index)
    title = w.headline()
    authors = tuple(w.rng.sample(REPORTERS, w.rng.choice((1, 1, 2))))
    dateline = f"{w.city}, {when.day} {MONTHS[when.month - 1]} {when.year} ({outlet}) --"
    first = (f"{dateline} {w.official}, {w.country}'s {w.role}, met counterparts from "
             f"{w.country2} on {WEEKDAYS[when.weekday()]} to discuss the {w.topic}.")
    return HeadText(title=title, authors=authors, first_paragraph=first,
                    tags=(w.country, w.country2, title_case(w.topic)),
                    caption=f"{w.official} speaks to reporters in {w.city} (file photo)")


def generate_body(seed: int, index: int) -> BodyText:
    """Paragraphs 2..n, subheading and reader comments of generated article `index`."""
    w = _writer(seed, index)  # the same cast (people, places, topic) as the head
    w.rng = random.Random(f"newsarchiver-sample-body:{seed}:{index}")
    paragraphs = tuple(w.paragraph() for _ in range(w.rng.randint(7, 19)))
    comments = tuple((w.pick(COMMENTERS), w.comment()) for _ in range(w.rng.randint(1, 3)))
    return BodyText(paragraphs=paragraphs, subheading=w.pick(SUBHEADINGS),
                    comments=comments if index % 2 == 1 else ())


def edit_sentence(seed: int, index: int, version: int) -> str:
    """A sentence appended to one paragraph when an article is edited (version >= 1)."""
    w = _writer(seed, index)  # same cast as the article
    w.rng = random.Random(f"newsarchiver-sample-edit:{seed}:{index}:{version}")
    return w.sentence()


def published_at(index: int) -> datetime:
    """Article 0 is the seed story; later articles follow every 2h37m (newest = highest index)."""
    return SEED_PUBLISHED + timedelta(minutes=157 * index)
