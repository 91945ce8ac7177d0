"""Stage 7, draft: the minutes, in the structure of the secretariat's own.

The structure (:class:`Minutes`) is built here from the aligned transcript; its wording lives in
the templates of ``prompts/`` (rendered by :mod:`pipeline.render`) so a secretariat can change
phrasing without touching code. Every point keeps the time of the utterance it came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from pipeline.artifacts import Utterance
from pipeline.report import key_sentences, reported, sentences, third_person
from pipeline.roster import english_sort_key, spanish_sort_key

ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]
ADOPTION = re.compile(r"adopt\w*\s+(?:of\s+)?(?:the\s+)?(?:order\s+of\s+business|agenda)|orden\s+del\s+d[ií]a",
                      re.IGNORECASE)
# "It is so adopted", as ASR also hears it ("so an opted", "so adapted").
ADOPTED = re.compile(r"\b(?:adopted|adapted|an?\s+opted)\b|\baprobad[oa]\b|\baprovad[oa]\b|\badopt[ée]e?\b",
                     re.IGNORECASE)


@dataclass
class Point:
    """One sentence of the minutes and the moment it came from.

    ``id`` names the source sentence (utterance start, sentence index), not the wording: it
    stays the same when a re-draft changes the text (a relabelled speaker), which is what lets
    a rapporteur's edit of this point be kept or shown in conflict (:mod:`pipeline.review`).
    """

    text: str
    speaker: str
    start: float
    end: float
    id: str = ""
    flag: str = ""  # shown with the point: what the rapporteur should check
    origin: str = "extractive"  # or "llm": worded by the language model, checked against the source
    also: list[dict] = field(default_factory=list)  # other delegations that said the same: speaker, start, end

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


def timestamp(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def join_names(names: list[str]) -> str:
    """"A, B, and C" as the reference writes lists."""
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + ", and " + names[-1]


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


def procedural(sentence: str) -> bool:
    """Running the meeting, not substance: giving the floor, announcing items, adjourning."""
    from pipeline.align import ANNOUNCE, ITEM_PATTERNS
    from pipeline.cues import CORRECTIONS, PATTERNS, chair_acts
    from pipeline.roster import fold

    folded = fold(sentence)
    return bool(chair_acts(sentence) or any(p.search(folded) for p, _, _ in PATTERNS)
                or any(p.search(folded) for p in CORRECTIONS)
                or (ANNOUNCE.search(folded) and any(p.search(folded) for p in ITEM_PATTERNS)))


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


def point_id(u: Utterance, index: int, kind: str = "p") -> str:
    return f"{kind}{int(round(u.start * 100))}-{index}"


def _is_request(sentence: str) -> bool:
    return REQUEST.match(sentence.strip()) is not None


def _not_point(sentence: str) -> bool:
    return procedural(sentence) or _is_request(sentence)


def _requests(utterances: list[Utterance], spec) -> list[Point]:
    subject = _subject("Chair", spec)[0]
    return [Point(text, u.attribution, u.start, u.end, point_id(u, k, "r"))
            for u in utterances for k, sentence in enumerate(sentences(u.text))
            if (text := request(sentence, subject))]


def _points(utterances: list[Utterance], spec, limit: int = 2, drafter=None) -> list[Point]:
    """Each intervention's key sentences in the third person; with a language model, its wording
    where it passes the check against the source, else the extractive sentence, flagged."""
    points = []
    for u in utterances:
        subject, group = _subject(u.attribution, spec)
        names = [u.attribution] if u.attribution in spec.participants.delegations else []
        extractive = [third_person(s, subject, names, group) for s in key_sentences(u.text, limit, skip=_not_point)]
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


def merge_alike(points: list[Point], spec) -> list[Point]:
    """What several delegations said alike, as one point naming them all, as the reference does
    ("The delegations of Brazil and Peru supported ..."); every source is kept in ``also``.
    Only near-identical statements merge: one that adds anything stays its own point."""
    from rapidfuzz import fuzz

    from pipeline.roster import fold

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
        first.text = f"The delegations of {join_names([with_article(n) for n in names])} {text}"
    return out


def build_minutes(utterances: list[Utterance], spec, drafter=None) -> Minutes:
    """The minutes' structure from the aligned, attributed utterances."""
    people = {p.name for p in spec.people()}
    items: list[ItemMinutes] = []
    for number, item in enumerate(spec.order_of_business.items, 1):
        said = [u for u in utterances if u.item == number and u.attribution]
        minutes = ItemMinutes(number=number, title=item.title, moderator=item.moderator,
                              closing=bool(re.search(r"clos|clausura|cl[oô]ture|encerramento", item.title, re.I)))
        if ADOPTION.search(item.title):
            adopted = any(ADOPTED.search(u.text) for u in said)
            minutes.decision = "adopted" if adopted else "considered"
        else:
            chair = [u for u in said if u.attribution == "Chair" and (u.block is None or not item.blocks)]
            officials = [u for u in said if u.attribution in people and u.block is None
                         and not any(u.attribution in b.presenters for b in item.blocks)]
            if minutes.closing:
                minutes.closing_points = [Point(reported(s, group=False), u.attribution, u.start, u.end,
                                                point_id(u, k, "c"))
                                          for u in chair
                                          for k, s in enumerate(key_sentences(u.text, 3, skip=_not_point))]
            else:
                minutes.remarks = _points(chair, spec, limit=1, drafter=drafter)
            minutes.remarks += _points(officials, spec, drafter=drafter)
            minutes.requests = _requests(chair, spec)
            unblocked = [u for u in said if u.block is None or not item.blocks]
            minutes.delegations = _speaking_delegations(unblocked, spec)
            minutes.points = merge_alike(_points([u for u in unblocked if u.attribution in spec.participants.delegations],
                                                 spec, drafter=drafter), spec)
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
                points=merge_alike(_points([u for u in in_block if u.attribution in spec.participants.delegations],
                                           spec, drafter=drafter), spec),
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


def draft(utterances: list[Utterance], spec, recording_link: str | None = None, llm=None) -> Minutes:
    """The minutes' structure; :mod:`pipeline.render` writes it out in each format. ``llm``
    (:class:`pipeline.llm.LLMOptions`) words the points with a language model, checked."""
    drafter = None
    if llm is not None:
        from pipeline.llm import LLMDrafter

        drafter = LLMDrafter(llm)
    minutes = build_minutes(utterances, spec, drafter)
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
                                    "requests": points(item.get("requests", [])), "blocks": blocks}))
    return Minutes(**{**data, "items": items})
