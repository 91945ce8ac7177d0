"""Stage 10, draft: the minutes, in the structure of the secretariat's own.

The structure (:class:`Minutes`) is built here from the aligned transcript; its wording lives in
the templates of ``prompts/`` (rendered by :mod:`pipeline.minutes.render`) so a secretariat can change
phrasing without touching code. Every point keeps the time of the utterance it came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from pipeline.artifacts import Utterance
from pipeline.text.agenda import adopts_the_order_of_business
from pipeline.text.report import (THANKS_OPENING, join_names, key_sentences, reported, sentences, third_person,
                                  timestamp)
from pipeline.text.decisions import (ADOPTED, ASKED_AND_ANSWERED, NOTED, NOTED_BY_FRAME, closes_as_decided, decides,
                                     puts_to_the_meeting)
from pipeline.text.heard import HeardDecisions
from pipeline.text.roster import english_sort_key, fold, spanish_sort_key

ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]


@dataclass
class Point:
    """One sentence of the minutes and the moment it came from.

    ``id`` names the source sentence (utterance start, sentence index), not the wording: it
    stays the same when a re-draft changes the text (a relabelled speaker), which is what lets
    a rapporteur's edit of this point be kept or shown in conflict (:mod:`pipeline.review.layer`).
    """

    text: str
    speaker: str
    start: float
    end: float
    id: str = ""
    flag: str = ""  # shown with the point: what the rapporteur should check
    origin: str = "extractive"  # or "llm": worded by the language model, checked against the source
    also: list[dict] = field(default_factory=list)  # other delegations that said the same: speaker, start, end
    original: str = ""  # the point as said, when ``text`` is its English rendering
    translated_from: str = ""  # the language ``original`` was said in ("es", "pt", "fr")

    @property
    def stamp(self) -> str:
        return timestamp(self.start)


@dataclass
class BlockMinutes:
    number: str
    title: str
    guiding_question: str
    presenters: list[Point] = field(default_factory=list)
    delegations: list[str] = field(default_factory=list)
    others: list[str] = field(default_factory=list)
    points: list[Point] = field(default_factory=list)


@dataclass
class ItemMinutes:
    number: int
    title: str
    decision: Optional[str] = None
    moderator: Optional[str] = None
    remarks: list[Point] = field(default_factory=list)
    delegations: list[str] = field(default_factory=list)
    points: list[Point] = field(default_factory=list)
    blocks: list[BlockMinutes] = field(default_factory=list)
    closing: bool = False
    closing_points: list[Point] = field(default_factory=list)
    requests: list[Point] = field(default_factory=list)  # what the chair asked of someone
    decisions: list[Point] = field(default_factory=list)  # "The Committee took note of ...", at the item's end


@dataclass
class Minutes:
    meeting_id: str
    body: str
    kind: str
    date: str
    presiding: dict
    chair_subject: str
    quorum: list[str]
    recording: str
    document: str
    items: list[ItemMinutes]
    drafting: dict = field(default_factory=dict)  # how the points were worded (language model, counts)


def with_article(country: str) -> str:
    """"the United States", "the Dominican Republic", "the Bahamas": as the minutes write them."""
    needs = re.match(r"(?:united|dominican|bahamas|netherlands|philippines|republic)\b", country, re.I)
    return f"the {country}" if needs and not country.lower().startswith("the ") else country


def _subject(label: str, spec) -> tuple[str, bool]:
    """How the minutes name a speaker, and whether they speak as a group ("we")."""
    if label == "Chair":
        return f"The {spec.presiding.role or 'Chair'}", False
    if label in spec.participants.delegations:
        return f"The delegation of {with_article(label)}", True
    person = next((p for p in spec.people() if p.name == label), None)
    if person and person.role and person.role not in ("presenter", "moderator"):
        return f"The {person.role}, {person.name},", False
    return label, False


def procedural(sentence: str, spec, entries=None) -> bool:
    """Running the meeting, not substance: giving the floor (the attribution's own cues, see
    :func:`pipeline.text.cues.manages_the_floor`; ``entries``: the spec's roster, built if not given),
    announcing an item (by number or by its title), adjourning."""
    from rapidfuzz import fuzz

    from pipeline.text.agenda import ANNOUNCE, ITEM_PATTERNS, announced
    from pipeline.text.cues import manages_the_floor
    from pipeline.text.roster import build_roster

    folded = fold(sentence)
    titles = [item.title for item in spec.order_of_business.items]
    return bool(manages_the_floor(sentence, entries if entries is not None else build_roster(spec))
                or (ANNOUNCE.search(folded) and any(p.search(folded) for p in ITEM_PATTERNS))
                or announced(sentence, ITEM_PATTERNS, titles, 0)
                or any(fuzz.ratio(folded.rstrip("."), fold(title)) >= TITLE_SAID for title in titles))


def substantive(sentence: str, entries, titles: list[str] = ()) -> bool:
    """Whether a sentence says something of substance (:data:`~pipeline.text.report.SUBSTANCE`),
    leaving out what names: the word that heads a roster name ("La debedación de Paraguay":
    "delegación" misheard, whose letters hold "debe"; the word just before "de" / "of" and a name
    the roster knows is that name's noun, whatever ASR made of it), the words of the order of
    business's ``titles`` ("Tell me this to all the main estimates.": the item's title, misheard,
    whose "estimates" holds the stem "estim"), and "call" with nothing to do after it: calling on
    someone to act is substance ("we call on member states to accede"), calling someone is the
    floor ("I call you for blockade." for "I call upon Rob Gallant."). Saying them is announcing
    or giving the floor, never a point."""
    from pipeline.text.cues import GENITIVES, best_entry
    from pipeline.text.report import SUBSTANCE

    folded = fold(sentence)
    words = folded.split()
    named = {word for title in titles for word in fold(title).split()}
    for match in SUBSTANCE.finditer(folded):
        at = len(folded[:match.start()].split())  # the word the stem opens
        heads_a_name = (at + 2 < len(words) and words[at + 1] in GENITIVES
                        and best_entry(" ".join(words[at + 2:]), entries, at_start=True, max_skip=1)[0] is not None)
        calls_someone = match.group(0) == "call" and "to" not in words[at + 1:]
        if not heads_a_name and not calls_someone and match.group(0) not in named:
            return True
    return False


CLOSING = re.compile(r"clos|clausura|cl[oô]ture|encerramento", re.IGNORECASE)


def closes(title: str) -> bool:
    """Whether an item closes the meeting ("Closing remarks", "Clausura"): its chair's words are its content."""
    return bool(CLOSING.search(title))


TITLE_SAID = 85  # an item's title said on its own ("Informe sobre el programa ..."): as align matches titles


def floor_edges(utterances: list[Utterance], index: int, entries, spec) -> set[str]:
    """The chair's sentences that manage the floor by their position and shape, whatever ASR made
    of their words (``spec``: the meeting's, for what :func:`procedural` knows of it): nothing
    substantive in them, and either the last before another speaker or the first after one
    ("thank get on Canada, the next speaker"; "I'll see you in there for as long as right", a
    Spanish floor-giving heard as English), or any of a turn between two other speakers with no
    substance anywhere, or the meeting's last (its adjournment,
    "See you all of the people of the meeting, imagine, thank you all."; all the chair's after
    the last other speaker, but in an item of closing remarks), or the first of an
    item (its announcement: "Where you know the presence of the business." for "We'll now proceed
    to Other business."), or naming someone on the roster ("el siguiente amor es la delegación
    de Brasil"); and any that gives a speaker time (:data:`GIVES_TIME`, or any that
    closes on minutes, :data:`TIME_WORD`), or is a short one at an
    edge naming the speaker beyond it, substance or not."""
    from pipeline.text.cues import VOCATIVE_WORDS, manages_the_floor, mentioned

    u = utterances[index]
    said = sentences(u.text)
    before = utterances[index - 1] if index else None
    after = utterances[index + 1] if index + 1 < len(utterances) else None
    other_before = before is not None and before.attribution != u.attribution
    other_after = after is not None and after.attribution != u.attribution
    items = spec.order_of_business.items
    titles = [item.title for item in items]
    plain = {s for s in said if not substantive(s, entries, titles)}  # no word of substance
    edges = set()
    if said and (after is None or other_after):
        edges.add(said[-1])
    if said and other_before:
        edges.add(said[0])
    if said and before is not None and u.item is not None and before.item != u.item:
        # An item's opening, up to the floor given in it: its announcement, however ASR heard
        # it ("I don't know. Questions? Tell me this to all the main estimates. Ken McKinnon,
        # you've had five minutes." after the adoption, the item's number lost).
        # With no floor given in the turn (the call came in another voice: "Let's all come to the
        # next item. Questions to the ladies come to the next unit." then "Pierre Brunelle, you
        # have the floor."), the whole turn opens the item; substance still stays (below).
        given = next((k for k, s in enumerate(said) if manages_the_floor(s, entries)), len(said) - 1)
        edges |= set(said[:given + 1])
    if (u.item is not None and 0 < u.item <= len(items) and not closes(items[u.item - 1].title)
            and all(later.attribution == u.attribution for later in utterances[index + 1:])):
        # After the meeting's last other speaker, outside an item of closing remarks, the chair
        # closes the meeting ("Seeking all of the business. The meeting is enjoyed." for "Seeing
        # no other business, the meeting is adjourned.").
        edges |= set(said)
    names = {s: mentioned(s, entries) for s in said}  # who each sentence names: read twice below
    edges |= {s for s in said if names[s]}
    if other_before and other_after and plain == set(said):
        # Between two other speakers, with no word of substance anywhere, the whole turn thanks one
        # and calls the next, however ASR heard it ("¡Muchasinas! ¡Rame, la sión, la fecina! ¡Ame,
        # la gente! ¡Oh, Samo!" for "Muchas gracias, la delegación de Argentina. Adelante, por favor.").
        edges |= set(said)
    # Between two sentences that run the meeting, one more does: "Thanks, Mr. Carrier. Mr.
    # Pleased with a moment. I will come back to you." ("please wait a moment", misheard); "Report
    # of the Inter-American Drug Abuse Control Commission. Out what do you want to look? Go ahead!"
    # (an item's title, then "Now Guatemala." misheard, then the call).
    runs = [s in edges or procedural(s, spec, entries) for s in said]
    edges |= {said[k] for k in range(1, len(said) - 1)
              if runs[k - 1] and runs[k + 1] and len(said[k].split()) <= VOCATIVE_WORDS}
    # A short sentence at the edge naming the speaker on the other side of it calls or thanks
    # them, whatever stems ASR put around the name ("Now I'm asked, Olsen, your head." for "Now
    # Ms. Olsen. Go ahead.", right before Ms. Olsen speaks).
    beside = [(said[-1], after) if said and other_after else None, (said[0], before) if said and other_before else None]
    named = {s for s, other in filter(None, beside) if len(s.split()) <= VOCATIVE_WORDS
             and other.attribution in names[s]}
    return ((edges & plain) | named
            | {s for s in said if GIVES_TIME.search(fold(s)) or TIME_WORD.search(fold(s))})


NAMES_ONLY = 2  # words besides names and titles in a roll of names ("Anx, Mr. Sidhu, Blahead, Anne Rasmussen.")


def _roll_of_names(sentence: str, named: dict[str, float], entries) -> bool:
    """Whether a sentence is names and titles but for :data:`NAMES_ONLY` words at most: a call
    or a thanks whose verbs ASR lost, never a statement ("We fully agree with Chile." is not)."""
    from rapidfuzz import fuzz

    from pipeline.text.cues import TITLES

    name_words = {w for e in entries if e.label in named for p in e.phrases for w in p.split()}
    rest = [w for w in fold(sentence).split()
            if w.strip(".") not in TITLES and not any(fuzz.ratio(w, n) >= 80 for n in name_words)]
    return len(rest) <= NAMES_ONLY < len(fold(sentence).split()) - len(rest)


def stray_floor(utterances: list[Utterance], index: int, entries, spec) -> set[str]:
    """The sentences of a turn attributed to someone else than the chair that run the meeting
    all the same: the chair's words left in a member's turn when attribution cut a merged voice
    at the wrong sentence. Nothing substantive in them, and one of: a word for the floor ("The
    floor will tomorrow also." for "The floor goes to Marc Olsen."); names and titles only
    (:func:`_roll_of_names`); a short thanks ("thank you very much, MS. Nearly would.": the
    chair's thanks, a title's full stop in it, which the courtesies of the report do not pass);
    said before the speaker's own opening thanks to the chair, in the
    same turn or the one before it ("¡Invídate que falta tomar la parada!", then "Muchas gracias,
    señor presidente, Ecuador desea ..."); closing on the speaker's introduction after the
    chair's call, in one sentence ("no, Dr. Morrison, Laura Ferd, Good afternoon, I'm Piotr
    Morrison," for "Now Dr. Morrison. Go ahead." and "Good afternoon, I'm Piotr Morrison."; an
    introduction the sentence goes on after, "I'm Gordon Nguyen, I would like to follow up on
    ...", opens a point)."""
    # attribution's own tests for the floor's words, a thanks's length and "Thank you, Chair"
    from pipeline.stages.attribute import FLOOR_WORDS, MAX_THANKS_WORDS, thanks_the_chair
    from pipeline.text.cues import INTRODUCING, mentioned

    u = utterances[index]
    said = sentences(u.text)
    titles = [item.title for item in spec.order_of_business.items]
    plain = [not substantive(s, entries, titles) for s in said]
    stray = set()
    for s, empty in zip(said, plain):
        named = mentioned(s, entries)
        if empty and (FLOOR_WORDS.search(fold(s)) or _roll_of_names(s, named, entries)
                      or (THANKS_OPENING.match(fold(s)) and len(s.split()) <= MAX_THANKS_WORDS)
                      or (named and re.search(r"(?:^|\s)" + INTRODUCING + r"(?:\s+\S+){1,4}$", fold(s).rstrip(" .")))):
            stray.add(s)
    # Before the opening thanks: one sentence at most, and the thanks opens a statement (substance
    # follows), so "..., thank you, Chair." closing a statement keeps what it closes.
    opening = next((k for k, s in enumerate(said[:2]) if thanks_the_chair(s, entries)), None)
    if opening and all(plain[:opening]) and not all(plain[opening:]):
        stray |= set(said[:opening])
    after = utterances[index + 1] if index + 1 < len(utterances) else None
    if len(said) == 1 and plain[0]:
        nxt = sentences(after.text) if after else []
        if (after and after.attribution == u.attribution and nxt and thanks_the_chair(nxt[0], entries)
                and substantive(after.text, entries, titles)):
            stray.add(said[0])
    return stray


# The time a chair gives a speaker, in the four languages ("you have five minutes", "mustn't you
# for five minutes" as ASR heard it, "tiene tres minutos", "vous avez deux minutes"): running the
# meeting, whatever else the sentence's words seem to say.
GIVES_TIME = re.compile(r"\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|fifteen|twenty|thirty|un|una|uno|"
                        r"dos|tres|cuatro|cinco|seis|siete|ocho|diez|quince|veinte|um|uma|dois|duas|quatro|dez|quinze|"
                        r"vinte|une|deux|trois|quatre|cinq|sept|huit|neuf|dix|vingt|trente)\s+minut(?:e|es|o|os)\b")


# Minutes closing a chair's sentence, their number lost ("you were welcome, you were welcome for
# in minutes." for "you have five minutes."): time given, or a break, whatever ASR made of the rest.
TIME_WORD = re.compile(r"\bminut(?:e|es|o|os)\W*$")


# "I would ask the Secretariat to present that information at a future meeting": what the chair
# asks of someone is recorded as such ("The Chair requested the Secretariat to present ...").
REQUEST = re.compile(r"^(?:so,?\s+|and\s+|therefore,?\s+)?(?:I|we)\s+(?:would\s+(?:like\s+to\s+)?|will\s+|therefore\s+)?"
                     r"(ask|request|invite|call\s+(?:up)?on|urge|encourage)\s+(.+\bto\b.+)$", re.IGNORECASE)
REQUEST_VERB = {"ask": "requested", "request": "requested", "invite": "invited", "urge": "urged",
                "encourage": "encouraged"}


def request(sentence: str, subject: str) -> str | None:
    """The chair's request in the minutes' words, or None if ``sentence`` asks nothing of anyone."""
    match = REQUEST.match(sentence.strip())
    if not match:
        return None
    verb = match.group(1).lower()
    past = REQUEST_VERB.get(verb, "called on")
    rest = reported(match.group(2), group=False).rstrip(".")
    rest = re.sub(r"\b(your|you)\b", lambda m: "their" if m.group(1).lower() == "your" else "them", rest)
    first, _, tail = rest.partition(" ")
    if first in ("The", "A", "An", "All", "Member", "Those", "Every", "Each", "Both", "Delegations"):
        rest = f"{first.lower()} {tail}"  # reported() capitalises a sentence's start; this is mid-sentence
    return f"{subject} {past} {rest}."


def decision(sentence: str, title: str) -> str | None:
    """A decision said in ``sentence``, written in the reference minutes' form ("The Committee
    took note of ..."; "It was so decided."), in English whatever language it was said in; None
    if it decides nothing. What was noted is taken from the words when said in English and short,
    else from the item's title."""
    folded = fold(sentence)
    noted = NOTED.search(folded) or NOTED_BY_FRAME.search(folded)
    if noted:
        what = (noted.groupdict().get("what") or "").strip()
        if not what or len(what.split()) > 8:
            what = f"the item “{title}”" if title else "it"
        return f"The Committee took note of {what}."
    if decides(sentence):
        return "It was so decided."
    return None


def _agreed(said: list[Utterance]) -> bool:
    """Whether the chair put the item to the meeting (:func:`puts_to_the_meeting`) and nobody but
    the chair spoke on it afterwards: adopted without objection."""
    asked = next((k for k, u in enumerate(said) if u.attribution == "Chair" and puts_to_the_meeting(u.text)), None)
    return asked is not None and all(u.attribution == "Chair" for u in said[asked + 1:])


def _passed_over(said: list[Utterance], utterances: list[Utterance], number: int) -> bool:
    """Whether the chair said more on item ``number`` than its announcement, nobody else spoke on
    it, and the meeting went on to a later item: an order of business the chair put to nobody's
    objection was adopted, however ASR heard the question ("Item one, adoption of the agenda. In
    the debris, in the debris." for "Is it agreed? It is agreed."). The announcement alone puts
    nothing."""
    return (sum(len(sentences(u.text)) for u in said) > 1 and all(u.attribution == "Chair" for u in said)
            and any(u.item is not None and u.item > number for u in utterances))


def _decisions(utterances: list[Utterance], title: str, heard: HeardDecisions = HeardDecisions()) -> list[Point]:
    """The chair's decisions under an item (``utterances``: the chair's on it), in the order said,
    each once; ``heard``: the formulas relisten heard where ASR garbled them."""
    points, seen = [], set()
    for i, u in enumerate(utterances):
        said = sentences(u.text)
        for k, sentence in enumerate(said):
            text = decision(sentence, title)
            if text is None and heard(u, sentence):
                text = "It was so decided."  # the formula heard again (relisten)
            if text is None and k + 1 < len(said) and ASKED_AND_ANSWERED.search(fold(f"{sentence} {said[k + 1]}")):
                text = "It was so decided."  # "Is it agreed?" asked, "It is agreed." answered
            if text is None and i + 1 == len(utterances) and k + 1 == len(said) and closes_as_decided(sentence):
                text = "It was so decided."  # the formula closing the item, its last word misheard
            if text and text not in seen:
                seen.add(text)
                points.append(Point(text, u.attribution, u.start, u.end, point_id(u, k, "d")))
    return points


def point_id(u: Utterance, index: int, kind: str = "p") -> str:
    return f"{kind}{int(round(u.start * 100))}-{index}"


def _is_request(sentence: str) -> bool:
    return REQUEST.match(sentence.strip()) is not None


class NotPoint:
    """Which sentences of a turn are no point of the minutes: procedure (:func:`procedural`), the
    chair's floor-giving by position (:func:`floor_edges`; in another's turn, :func:`stray_floor`),
    requests and decisions (recorded as such)."""

    def __init__(self, utterances: list[Utterance], spec, heard: HeardDecisions = HeardDecisions()):
        from pipeline.text.roster import build_roster

        self.spec, self.heard = spec, heard
        self.entries = build_roster(spec)
        self.edges = {id(u): (floor_edges if u.attribution == "Chair" else stray_floor)(utterances, i, self.entries, spec)
                      for i, u in enumerate(utterances)}

    def __call__(self, u: Utterance):
        edges = self.edges.get(id(u), set())
        return lambda sentence: (sentence in edges or procedural(sentence, self.spec, self.entries)
                                 or _is_request(sentence) or decision(sentence, "") is not None
                                 or self.heard(u, sentence))


def _requests(utterances: list[Utterance], spec) -> list[Point]:
    """The chair's requests; "I invite Ms. Olsen to take the floor" gives the floor and is none
    (:func:`procedural`)."""
    from pipeline.text.roster import build_roster

    subject, entries = _subject("Chair", spec)[0], build_roster(spec)
    return [Point(text, u.attribution, u.start, u.end, point_id(u, k, "r"))
            for u in utterances for k, sentence in enumerate(sentences(u.text))
            if (text := request(sentence, subject)) and not procedural(sentence, spec, entries)]


LANGUAGE_NAMES = {"es": "Spanish", "pt": "Portuguese", "fr": "French", "en": "English"}


def _rendered(u: Utterance, sentence: str, point: Point, renderings: dict, subject: str, names: list[str],
              group: str) -> Point:
    """``point`` in English when the sentence it reports was rendered (:mod:`pipeline.stages.translate`):
    the rendering in the third person, the original kept, flagged as a translation."""
    from pipeline.artifacts import span_key
    from pipeline.text.report import sentence_span

    span = sentence_span(u, sentence) if renderings else None
    rendering = renderings.get(span_key(*span)) if span else None
    if rendering is None or len(rendering.english.split()) < 3:
        return point
    said = LANGUAGE_NAMES.get(rendering.language, rendering.language)
    return Point(third_person(rendering.english, subject, names, group), point.speaker, point.start, point.end,
                 point.id, flag=f"translated from {said} by Whisper; said: \u201c{sentence}\u201d",
                 original=point.text, translated_from=rendering.language)


def _points(utterances: list[Utterance], spec, skip: NotPoint, limit: int = 2, drafter=None,
            renderings: dict | None = None) -> list[Point]:
    """Each intervention's key sentences in the third person; with a language model, its wording
    where it passes the check against the source, else the extractive sentence, flagged. A
    sentence said in another language than English is reported in its English rendering when
    there is one (``renderings``: :meth:`pipeline.artifacts.Translation.lookup`)."""
    points = []
    for u in utterances:
        subject, group = _subject(u.attribution, spec)
        names = [u.attribution] if u.attribution in spec.participants.delegations else []
        chosen = key_sentences(u.text, limit, skip=skip(u))
        extractive = [third_person(s, subject, names, group) for s in chosen]
        if renderings and u.language != "en":
            points += [_rendered(u, sentence, Point(text, u.attribution, u.start, u.end, point_id(u, k)),
                                 renderings, subject, names, group)
                       for k, (sentence, text) in enumerate(zip(chosen, extractive))]
            continue
        if drafter is None or not extractive:
            points += [Point(text, u.attribution, u.start, u.end, point_id(u, k)) for k, text in enumerate(extractive)]
            continue
        drafted = drafter.points(u.text, subject, len(extractive), spec.roster_labels())
        for k, text in enumerate(extractive):
            model = drafted[k] if k < len(drafted) else None
            if model is not None and model.supported:
                points.append(Point(model.text, u.attribution, u.start, u.end, point_id(u, k), origin="llm"))
            else:
                flag = (f"the language model's wording was not used: not in the recording: {', '.join(model.unsupported[:6])}"
                        if model is not None else "")
                points.append(Point(text, u.attribution, u.start, u.end, point_id(u, k), flag=flag))
    return points


SORT_KEYS = {"spanish": spanish_sort_key, "english": english_sort_key}


def _speaking_delegations(utterances: list[Utterance], spec) -> list[str]:
    """Who spoke, in the order the spec's ``minutes.speakers_order`` asks (Spanish by default)."""
    spoke = list(dict.fromkeys(u.attribution for u in utterances if u.attribution in spec.participants.delegations))
    if spec.minutes.speakers_order == "spoken":
        return spoke
    return sorted(spoke, key=SORT_KEYS[spec.minutes.speakers_order])


ALIKE = 88  # rapidfuzz ratio of two reported statements (after their subjects) to count as one


PLURAL_VERB = {"was": "were", "has": "have", "is": "are"}
PLURAL_PRONOUN = {"it": "they", "its": "their", "itself": "themselves"}


def _plural(predicate: str) -> str:
    """A delegation's reported predicate for several delegations: "was ... its" -> "were ... their"."""
    head, _, rest = predicate.partition(" ")
    rest = re.sub(r"\b(it|its|itself)\b", lambda m: PLURAL_PRONOUN[m.group(1)], rest)
    return f"{PLURAL_VERB.get(head, head)} {rest}".strip()


def merge_alike(points: list[Point], spec) -> list[Point]:
    """What several delegations said alike, as one point naming them all, as the reference does
    ("The delegations of Brazil and Peru supported ..."); every source is kept in ``also``.
    Only near-identical statements merge: one that adds anything stays its own point."""
    from rapidfuzz import fuzz

    def predicate(point: Point) -> str | None:
        prefix = f"The delegation of {with_article(point.speaker)} "
        if point.speaker not in spec.participants.delegations or not point.text.startswith(prefix) or point.flag:
            return None
        return point.text[len(prefix):]

    out: list[Point] = []
    merged: dict[int, tuple[str, list[str]]] = {}
    for point in points:
        body = predicate(point)
        host = None
        if body is not None:
            host = next((i for i, (text, speakers) in merged.items() if point.speaker not in speakers
                         and fuzz.ratio(fold(text), fold(body)) >= ALIKE), None)
        if host is None:
            if body is not None:
                merged[len(out)] = (body, [point.speaker])
            out.append(point)
            continue
        text, speakers = merged[host]
        speakers.append(point.speaker)
        first = out[host]
        first.also.append({"speaker": point.speaker, "start": point.start, "end": point.end, "id": point.id})
        names = speakers if spec.minutes.speakers_order == "spoken" else \
            sorted(speakers, key=SORT_KEYS[spec.minutes.speakers_order])
        first.text = f"The delegations of {join_names([with_article(n) for n in names])} {_plural(text)}"
    return out


def build_minutes(utterances: list[Utterance], spec, drafter=None, translation=None, decided: list[dict] = ()) -> Minutes:
    """The minutes' structure from the aligned, attributed utterances (and the English renderings
    of what was said in other languages, :class:`pipeline.artifacts.Translation`; ``decided``: the
    decisions relisten heard where ASR garbled them)."""
    from functools import partial

    people = {p.name for p in spec.people()}
    heard = HeardDecisions(decided)
    skip = NotPoint(utterances, spec, heard)
    _points_of = partial(_points, drafter=drafter, renderings=translation.lookup() if translation else {})
    items: list[ItemMinutes] = []
    for number, item in enumerate(spec.order_of_business.items, 1):
        said = [u for u in utterances if u.item == number and u.attribution]
        minutes = ItemMinutes(number=number, title=item.title, moderator=item.moderator,
                              closing=closes(item.title))
        if adopts_the_order_of_business(item.title):
            adopted = (any(ADOPTED.search(u.text) or decides(u.text) or (u.attribution == "Chair" and heard(u))
                               for u in said) or _agreed(said) or _passed_over(said, utterances, number))
            minutes.decision = "adopted" if adopted else "considered"
        else:
            minutes.decisions = _decisions([u for u in said if u.attribution == "Chair"], item.title, heard)
            chair = [u for u in said if u.attribution == "Chair" and (u.block is None or not item.blocks)]
            officials = [u for u in said if u.attribution in people and u.block is None
                         and not any(u.attribution in b.presenters for b in item.blocks)]
            if minutes.closing:
                minutes.closing_points = [Point(reported(s, group=False), u.attribution, u.start, u.end,
                                                point_id(u, k, "c"))
                                          for u in chair
                                          for k, s in enumerate(key_sentences(u.text, 3, skip=skip(u)))]
            else:
                minutes.remarks = _points_of(chair, spec, skip, limit=1)
            # In the order of the meeting: a presentation before the chair's thanks for it.
            minutes.remarks = sorted(minutes.remarks + _points_of(officials, spec, skip),
                                     key=lambda p: p.start)
            minutes.requests = _requests(chair, spec)
            unblocked = [u for u in said if u.block is None or not item.blocks]
            minutes.delegations = _speaking_delegations(unblocked, spec)
            minutes.points = merge_alike(_points_of([u for u in unblocked if u.attribution in spec.participants.delegations],
                                                    spec, skip), spec)
        for b_number, block in enumerate(item.blocks, 1):
            in_block = [u for u in said if u.block == b_number]
            presenters = [u for u in in_block if u.attribution in block.presenters]
            others = sorted({u.attribution for u in in_block
                             if u.attribution in people and u.attribution not in block.presenters})
            minutes.blocks.append(BlockMinutes(
                number=ROMAN[b_number - 1] if b_number <= len(ROMAN) else str(b_number),
                title=block.title, guiding_question=block.guiding_question,
                presenters=[Point(p.attribution, p.attribution, p.start, p.end, point_id(p, 0, "s"))
                            for p in _first_per_speaker(presenters)],
                delegations=_speaking_delegations(in_block, spec), others=others,
                points=merge_alike(_points_of([u for u in in_block if u.attribution in spec.participants.delegations],
                                              spec, skip), spec),
            ))
        items.append(minutes)
    return Minutes(
        meeting_id=spec.meeting.id, body=spec.meeting.body, kind=spec.meeting.kind,
        date=str(spec.meeting.date or ""), presiding=spec.presiding.model_dump(),
        chair_subject=_subject("Chair", spec)[0],
        quorum=sorted(spec.participants.delegations, key=SORT_KEYS[spec.minutes.quorum_order]),
        recording=spec.meeting.recording, document=spec.order_of_business.document, items=items,
    )


def _first_per_speaker(utterances: list[Utterance]) -> list[Utterance]:
    seen, out = set(), []
    for u in utterances:
        if u.attribution not in seen:
            seen.add(u.attribution)
            out.append(u)
    return out


def draft(utterances: list[Utterance], spec, recording_link: str | None = None, llm=None,
          translation=None, decided: list[dict] = ()) -> Minutes:
    """The minutes' structure; :mod:`pipeline.minutes.render` writes it out in each format. ``llm``
    (:class:`pipeline.minutes.llm.LLMOptions`) words the points with a language model, checked;
    ``translation`` (:class:`pipeline.artifacts.Translation`) renders non-English points;
    ``decided``: the decisions relisten heard again (``decisions`` in ``utterances.json``)."""
    drafter = None
    if llm is not None:
        from pipeline.minutes.llm import LLMDrafter

        drafter = LLMDrafter(llm)
    minutes = build_minutes(utterances, spec, drafter, translation, decided)
    if drafter is not None:
        minutes.drafting = {"llm": {"url": llm.url, "model": llm.model, **drafter.stats}}
    if recording_link:
        minutes.recording = recording_link
    return minutes


def minutes_from_dict(data: dict) -> Minutes:
    """:class:`Minutes` back from ``minutes.json`` (the review layer edits the JSON form)."""
    def points(values):
        return [Point(**p) for p in values]

    items = []
    for item in data["items"]:
        blocks = [BlockMinutes(**{**b, "presenters": points(b["presenters"]), "points": points(b["points"])})
                  for b in item["blocks"]]
        items.append(ItemMinutes(**{**item, "remarks": points(item["remarks"]), "points": points(item["points"]),
                                    "closing_points": points(item["closing_points"]),
                                    "requests": points(item.get("requests", [])),
                                    "decisions": points(item.get("decisions", [])), "blocks": blocks}))
    return Minutes(**{**data, "items": items})
