"""Stage 9, align: each utterance to its item of the order of business, and block within it.

The presiding officer announces items ("We now move to item three", "the last item, closing
remarks") and blocks ("Our first block concerns..."); presenters are introduced. Items come in
order, so the current item only moves forward: a later mention of an earlier item is a reference,
not a return.
"""

from __future__ import annotations

import re

from pipeline.artifacts import Utterance
from pipeline.text.agenda import (ANNOUNCE, BLOCK_PATTERNS, ITEM_BY_SOUND, ITEM_PATTERNS, adopts_the_order_of_business,
                                  announced, item_by_title, title_hit)
from pipeline.text.cues import NEXT, find_cues
from pipeline.text.decisions import decides, puts_to_the_meeting
from pipeline.text.heard import HeardDecisions
from pipeline.text.roster import build_roster, fold, skeleton
from pipeline.text.utterances import sentence_bounds, sentence_starts, split_at, text_of


def split_announcements(utterances: list[Utterance], spec, may_announce) -> list[Utterance]:
    """Cut a presiding officer's utterance where a sentence announces the next item or block.

    "Thank you, Peru. We now move to item four." is two pieces: the thanks close item three.
    """
    titles, item_titles = _all_titles(spec), [item.title for item in spec.order_of_business.items]
    out: list[Utterance] = []
    for utterance in utterances:
        pieces = [utterance]
        if may_announce(utterance):
            for start in reversed(_clause_starts(utterance)):
                head = pieces[0]
                sentence = fold(text_of(head.words[start:start + 40]))
                # "We now move to item two", or a sentence that opens with it ("Item 2. Question
                # to the Minister ..." after the adoption, in one breath).
                if (ANNOUNCE.search(sentence) and (any(p.search(sentence) for p in ITEM_PATTERNS + BLOCK_PATTERNS)
                                                   or title_hit(sentence, titles))
                        or any(p.match(sentence) for p in ITEM_PATTERNS + BLOCK_PATTERNS)
                        or (ITEM_BY_SOUND.match(sentence) and announced(sentence, ITEM_PATTERNS, titles, 0))
                        or item_by_title(sentence, item_titles)):
                    pieces = [*_split_spanning(head, start), *pieces[1:]]
        out.extend(pieces)
    return out


# Clauses that open an announcement even where ASR put no full stop before them.
OPENER = re.compile(
    r"^(?:and\s+)?(?:we\s+(?:will\s+)?(?:now\s+)?(?:move|turn|proceed|pass|go|come)|let(?:\s+u|')s\s+"
    r"(?:now\s+)?(?:move|turn)|moving\s+on|now\s+we\s+(?:move|turn)|finally|lastly|pasamos|passons|"
    r"passamos|finalmente|por\s+ultimo|enfin)\b")
ORDINAL_OPENER = re.compile(r"^(?:the\s+|our\s+|this\s+)?(?:first|next|following|last|final)\s+(?:item|block)\b")
# "..., we'll now proceed to ..." after a comma, its pronoun misheard ("It is a great, where you
# will now proceed to report on ..."): what a clause says in "now <verb> to" is the announcing.
NOW_TO = re.compile(r"^(?:[a-z']+\s+){0,3}now\s+(?:move|turn|proceed|pass|go|come)\s+(?:on\s+)?to\b")
JOINERS = {"the", "to", "of", "our", "this", "el", "al", "la", "le", "au", "a", "o", "ao"}  # "move to the | last item"


def _clause_starts(utterance: Utterance) -> list[int]:
    """Where an announcement can begin: each sentence, and each announcing clause that ASR left
    unpunctuated ("...it is so adopted we now move to item two...")."""
    starts = set(sentence_starts(utterance)[1:])
    words = utterance.words
    for i in range(1, len(words)):
        clause = fold(text_of(words[i:i + 5]))
        if OPENER.match(clause) or (ORDINAL_OPENER.match(clause) and fold(words[i - 1].word) not in JOINERS):
            starts.add(i)
        elif words[i - 1].word.rstrip().endswith(",") and (NOW_TO.match(fold(text_of(words[i:i + 7])))
                                                           or ITEM_BY_SOUND.match(clause)):
            starts.add(i)  # "..., item to questions to the minister ..." for "Item 2: Questions ..."
    return sorted(starts)


def _all_titles(spec) -> list[str]:
    return [i.title for i in spec.order_of_business.items] + [
        b.title for i in spec.order_of_business.items for b in i.blocks]


def align(utterances: list[Utterance], spec, decided: list[dict] = ()) -> list[Utterance]:
    """Set ``item`` and ``block`` on every utterance, monotonically; returns the utterances,
    a presiding officer's split where an announcement starts mid-utterance. ``decided``: the
    decisions relisten heard again (``decisions`` in ``utterances.json``), which open the
    adoption of the order of business as a decision heard in the text does."""
    heard = HeardDecisions(decided)
    items = spec.order_of_business.items
    titles = [item.title for item in items]
    presiding = {"Chair"} | {i.moderator for i in items if i.moderator}
    any_presiding = any(u.attribution in presiding for u in utterances)
    may_announce = lambda u: u.attribution in presiding or not any_presiding
    queue = split_announcements(utterances, spec, may_announce)[::-1]
    entries = build_roster(spec)
    # the adoption of the order of business, when an item follows it
    adoption = {n for n, title in enumerate(titles[:-1], 1) if adopts_the_order_of_business(title)}
    utterances = []
    item, block = None, None
    adopted = False  # the order of business was put to the meeting or decided
    while queue:
        utterance = queue.pop()
        if may_announce(utterance):
            number = _opens(utterance.text, titles, item or 0, heard(utterance))
            if number and number > (item or 0):
                cut = _announcement_clause(utterance, number, titles, item or 0)
                if not cut and not _opens(utterance.text, titles, item or 0):
                    cut = heard.first(utterance) or 0  # opened by the decision relisten heard
                if cut:  # what comes before the announcing clause closes the current item
                    head, tail = _split_spanning(utterance, cut)
                    queue.append(tail)
                    head.item, head.block = item, block
                    utterances.append(head)
                    continue
                item, block = number, _first_block(items, number)
        if may_announce(utterance) and item in adoption:
            cut, adopted = _after_adoption(utterance, entries, adopted)
            if cut:  # the adoption's sentences close the item; the rest opens the next
                head, tail = _split_spanning(utterance, cut)
                queue.append(tail)
                head.item, head.block = item, block
                utterances.append(head)
                continue
            if cut == 0:
                item, block = item + 1, _first_block(items, item + 1)
        blocks = items[item - 1].blocks if item else []
        if blocks and may_announce(utterance):
            number = announced(utterance.text, BLOCK_PATTERNS, [b.title for b in blocks], block or 0)
            if number is None:
                number = _presenter_block(utterance.text, blocks)
            if number and number > (block or 0):
                block = number
        if item is None and utterance.attribution not in presiding | {None} and titles:
            # Someone other than the chair speaks before any item was heard opening (w9212: "A
            # continuación, Aprobación del orden del día." heard as "¿Qué sones? ¿Qué nada
            # como?"): the meeting is in the first item delegations debate, not in none.
            item = next((n for n in range(1, len(titles) + 1) if n not in adoption), len(titles))
            block = _first_block(items, item)
            blocks = items[item - 1].blocks
        if blocks and block is None:
            block = _presenter_block(utterance.attribution or "", blocks)
        utterance.item, utterance.block = item, block
        utterances.append(utterance)
    return utterances


def _opens(text: str, titles: list[str], current: int, heard: bool = False) -> int | None:
    """The item ``text`` announces (:func:`pipeline.text.agenda.announced`); before any item, also
    the first item by its title alone: the chair reading out the heading after the call to order,
    its "Item one" lost ("I call this meeting to order. I don't worry, adoption of the agenda."),
    can only be opening it. So can the chair putting a question to the meeting, or stating a
    decision, before any item, when the first is the adoption of the order of business: that is
    what a meeting decides first ("We will not receive to have not shown up the agenda. Is it a
    treat? Is it a treat?" for "We'll now proceed to Adoption of the agenda. Is it agreed? ..."),
    also a decision only relisten heard (``heard``: "We will now proceed to lunch and dinner. In
    the tabreet, in the tabreet.", heard again as "Is it agreed? It is agreed.")."""
    number = announced(text, ITEM_PATTERNS, titles, current)
    if number is None and current == 0 and (title_hit(fold(text), titles) == 1 or (
            titles and adopts_the_order_of_business(titles[0])
            and (puts_to_the_meeting(text) or decides(text) or heard))):
        return 1
    return number


def _split_spanning(utterance: Utterance, at: int) -> tuple[Utterance, Utterance]:
    """:func:`split_at`, the two pieces keeping the utterance's whole span between them (no time
    left without an item or a speaker)."""
    head, tail = split_at(utterance, at)
    head.start, head.end, tail.end = utterance.start, tail.start, utterance.end
    return head, tail


def _first_block(items, number: int) -> int | None:
    """The block item ``number`` opens in: a dialogue with a single block is that block from its start."""
    return 1 if len(items[number - 1].blocks) == 1 else None


def _after_adoption(utterance: Utterance, entries, adopted: bool) -> tuple[int | None, bool]:
    """Where the item after the adoption of the order of business begins in a presiding
    officer's ``utterance``, when its announcement was lost ("Is it unread? Is it unread? ...
    Questions? Tell me this to all the main estimates. Ken McKinnon, you've had five minutes."):
    once the order of business was put to the meeting or decided (``adopted``, or in this
    utterance), the floor given to someone is the next item's business. The next item begins at
    the first sentence after the last that put or decided it (0: the utterance's start), or None
    if the floor is not given here; also whether it has been put or decided by the end of it."""
    bounds = sentence_bounds(utterance)
    after = 0 if adopted else None
    for k, (a, b) in enumerate(bounds):
        sentence = text_of(utterance.words[a:b])
        with_the_one_before = text_of(utterance.words[bounds[k - 1][0] if k else a:b])  # "Is it W? Is it W?"
        if puts_to_the_meeting(with_the_one_before) or decides(with_the_one_before):
            after = b if k + 1 < len(bounds) else None
            adopted = True
        elif after is not None and any(c.direction == NEXT and c.label not in (None, "Chair")
                                       for c in find_cues(sentence, entries)):
            return after, adopted
    return None, adopted


MIN_HEAD_WORDS = 3  # "The Committee takes note of the report" before ", and on other business"


def _announcement_clause(utterance: Utterance, number: int, titles: list[str], current: int) -> int:
    """Where, inside one sentence, the clause announcing item ``number`` begins (0: at the start).

    ASR runs a decision and the next item's announcement into one sentence ("The Committee takes
    note on the report, and on the Say no to the business, ..."): the item starts at the last
    clause whose words on still announce it, provided the words before it announce nothing and
    its sentence does not open announcing ("We now move to item three, other business" is not
    cut after "three", nor "Pasamos al punto de los de orden del día, informe sobre ..." for
    "punto dos ..." after "día")."""
    words = utterance.words
    sentences = sentence_starts(utterance)
    starts = sorted(set(_clause_starts(utterance)) | set(sentences) | {
        i for i in range(MIN_HEAD_WORDS, len(words)) if words[i - 1].word.rstrip().endswith((",", ";", ":"))})
    for start in reversed(starts):
        if start < MIN_HEAD_WORDS:
            break
        opening = max(k for k in sentences if k <= start)  # the sentence the cut falls in
        if (_opens(text_of(words[start:]), titles, current) == number
                and not _opens(text_of(words[:start]), titles, current)
                and not ANNOUNCE.search(fold(text_of(words[opening:start])))):
            return start
    return 0


def _presenter_block(text: str, blocks) -> int | None:
    """The block whose presenter is named in ``text`` (introduced, or speaking)."""
    folded = fold(text)
    for index, block in enumerate(blocks, 1):
        for name in block.presenters:
            parts = fold(name).split()
            heard = set(folded.split()) | set(skeleton(folded).split())
            if parts and (fold(name) in folded or parts[-1] in heard
                          or (len(parts[-1]) > 5 and skeleton(parts[-1]) in heard)):
                return index
    return None
