"""Stage 5, attribute: each utterance to the Chair, a delegation or a named person.

Cues from what is said (:mod:`pipeline.cues`) are votes on utterances; votes are summed per
diarized speaker, because one voice is one delegation within a session; speakers and labels are
then matched one-to-one for the highest total (Hungarian assignment), the chair being the voice
that does what only a chair does. An utterance whose own cues clearly contradict its speaker's
label (diarization merged two voices) keeps its own.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from pipeline.artifacts import Corrections, Evidence, Utterance, utterance_key
from pipeline.cues import NEXT, SELF, Cue, chair_acts, find_cues, named_by
from pipeline.roster import build_roster


@dataclass
class AttributeOptions:
    """Parameters
    ----------
    override_margin : float
        Votes by which an utterance's own cues must beat its speaker's label to override it.
    prior : float
        Pseudo-votes against every label when computing confidence: one cue alone is not certainty.
    review_below : float
        Utterances less confident than this (or with no label) are flagged for the rapporteur's
        review instead of being trusted silently.
    """

    override_margin: float = 1.0
    prior: float = 0.5
    review_below: float = 0.5


MIN_TARGET_WORDS = 4  # who is given the floor (or thanked) says more than a few words


def _neighbour(utterances: list[Utterance], index: int, step: int) -> int | None:
    """The nearest substantial utterance before/after ``index`` by a different speaker."""
    speaker = utterances[index].speaker
    j = index + step
    while 0 <= j < len(utterances):
        if utterances[j].speaker != speaker and len(utterances[j].words) >= MIN_TARGET_WORDS:
            return j
        j += step
    return None


def collect_votes(utterances: list[Utterance], cues_of: list[list[Cue]]) -> list[dict[str, list[Evidence]]]:
    """For each utterance, the evidence for each label that the meeting's cues (``cues_of``: each
    utterance's, from :func:`find_cues`) give it."""
    votes: list[dict[str, list[Evidence]]] = [defaultdict(list) for _ in utterances]
    for i, (utterance, cues) in enumerate(zip(utterances, cues_of)):
        for cue in cues:
            if cue.label == "Chair":
                continue  # "Thank you, Chair" is courtesy; the chair is found by what it does
            if cue.direction == SELF:
                target = i
            else:
                target = _neighbour(utterances, i, 1 if cue.direction == NEXT else -1)
            if target is None:
                continue
            if cue.correction:
                # The chair says the floor went to someone else than named: whatever the name
                # heard now, the naming before no longer counts for that voice.
                for label in list(votes[target]):
                    votes[target][label] = [e for e in votes[target][label] if not e.kind.startswith(NEXT + ":")]
                if cue.label is None:
                    continue
            weight = cue.weight * cue.score / 100.0
            votes[target][cue.label].append(
                Evidence(kind=f"{cue.direction}:{cue.label}", phrase=cue.phrase,
                         time=utterance.start, weight=round(weight, 3)))
        # Giving the floor, thanking and announcing are what a chair does.
        acts = chair_acts(utterance.text) + sum(c.direction != SELF and c.label != "Chair" for c in cues)
        if acts:
            votes[i]["Chair"].append(Evidence(kind="chair-act", phrase=utterance.text[:80],
                                              time=utterance.start, weight=0.5 * acts))
    return votes


EXTRA_CHAIR_VOICES = 2
AGENDA_WEIGHT = 0.6  # an announced item or block naming who speaks next: weaker than a named floor


def agenda_votes(utterances: list[Utterance], spec, votes) -> None:
    """Votes from the order of business: "We now move to item two, remarks by the Executive
    Secretary of CICTE" makes the next voice that official; a block's announcement, its presenter."""
    from rapidfuzz import fuzz

    from pipeline.align import BLOCK_PATTERNS, ITEM_PATTERNS, announced
    from pipeline.roster import fold

    items = spec.order_of_business.items
    people = spec.people()

    def named_in(title: str) -> list[str]:
        folded = fold(title)
        return [p.name for p in people
                if fuzz.partial_ratio(fold(p.name), folded) >= 90
                or (p.role and p.role not in ("presenter", "moderator")
                    and fuzz.partial_ratio(fold(p.role), folded) >= 90)]

    item, block = 0, 0
    for i, utterance in enumerate(utterances):
        named: list[tuple[str, str]] = []
        number = announced(utterance.text, ITEM_PATTERNS, [x.title for x in items], item)
        blocks = []
        if number and number > item:
            item, block = number, 0
            named += [(name, items[item - 1].title) for name in named_in(items[item - 1].title)]
            blocks = items[item - 1].blocks
            if len(blocks) == 1:  # a dialogue with one block opens with it (as align assumes)
                block = 1
                named += [(name, blocks[0].title) for name in blocks[0].presenters[:1]]
        blocks = items[item - 1].blocks if item else []
        number = announced(utterance.text, BLOCK_PATTERNS, [b.title for b in blocks], block) if blocks else None
        if number and number > block:
            block = number
            named += [(name, blocks[block - 1].title) for name in blocks[block - 1].presenters[:1]]
        target = _neighbour(utterances, i, 1)
        for name, title in named:
            if target is not None and name in spec.roster_labels():
                votes[target][name].append(Evidence(kind=f"agenda:{name}", phrase=title,
                                                    time=utterance.start, weight=AGENDA_WEIGHT))


def _total(evidence: list[Evidence]) -> float:
    return sum(e.weight for e in evidence)


BANK_WEIGHT = 0.6  # a voice confirmed in an earlier meeting: one clear cue's worth, never more


def bank_votes(speakers: list[str], labels: list[str], score: np.ndarray, voices: dict) -> dict[str, Evidence]:
    """Votes from the voice bank (``voices``: speaker -> :class:`pipeline.voices.Recognised`), in
    ``score`` (speakers x labels), for voices nothing said in this meeting names otherwise: the
    bank never outweighs what the chair said. Returns the evidence given, by speaker."""
    given = {}
    for speaker, known in voices.items():
        if speaker not in speakers or known.label not in labels:
            continue
        s, column = speakers.index(speaker), labels.index(known.label)
        if np.any(np.delete(score[s], column) > 0):
            continue
        score[s, column] += BANK_WEIGHT
        given[speaker] = Evidence(kind=f"voice-bank:{known.label}", time=0.0, weight=BANK_WEIGHT,
                                  phrase=f"voice {known.similarity:.2f} similar to {known.label}'s, "
                                         f"confirmed in {known.meeting_id}")
    return given


def attribute(utterances: list[Utterance], spec, options: AttributeOptions | None = None,
              corrections: Corrections | None = None, voices: dict | None = None) -> list[Utterance]:
    """Set ``attribution``, ``confidence`` and ``evidence`` on every utterance (in place).

    ``corrections`` are the rapporteur's: a corrected voice keeps its label and takes it out of
    the assignment of the others (one voice per delegation), so fixing one speaker can fix
    another; a corrected turn is taken as said. ``voices`` are this run's voices found in the
    voice bank (:func:`pipeline.voices.recognise`), weighed by :func:`bank_votes`.
    """
    from scipy.optimize import linear_sum_assignment

    options = options or AttributeOptions()
    corrections = corrections or Corrections()
    if not utterances:
        return utterances
    labels = spec.roster_labels()
    entries = build_roster(spec)
    cues_of = [find_cues(u.text, entries) for u in utterances]
    votes = collect_votes(utterances, cues_of)
    named = [named_by(cues) for cues in cues_of]
    agenda_votes(utterances, spec, votes)
    speakers = sorted({u.speaker for u in utterances})
    score = np.zeros((len(speakers), len(labels)))
    for utterance, vote in zip(utterances, votes):
        s = speakers.index(utterance.speaker)
        for label, evidence in vote.items():
            if label in labels:
                score[s, labels.index(label)] += _total(evidence)
    banked = bank_votes(speakers, labels, score, voices or {})
    fixed = {s: label for s, label in corrections.speakers.items() if s in speakers and label in labels}
    # One voice per label, except the chair's: the voice that speaks most, in the shortest
    # turns, is the one diarization most often splits, so it may take extra columns.
    columns = labels + ["Chair"] * EXTRA_CHAIR_VOICES
    matrix = np.hstack([score, np.repeat(score[:, [labels.index("Chair")]], EXTRA_CHAIR_VOICES, axis=1)])
    taken = {label for label in fixed.values() if label != "Chair"}
    free_rows = [r for r, s in enumerate(speakers) if s not in fixed]
    free_cols = [c for c, label in enumerate(columns) if label not in taken]
    rows, cols = linear_sum_assignment(-matrix[np.ix_(free_rows, free_cols)])
    speaker_label: dict[str, str | None] = {speaker: fixed.get(speaker) for speaker in speakers}
    for r, c in zip(rows, cols):
        if matrix[free_rows[r], free_cols[c]] > 0:
            speaker_label[speakers[free_rows[r]]] = columns[free_cols[c]]

    voice_evidence: dict[tuple[str, str], Evidence] = {(s, e.kind.split(":", 1)[1]): e for s, e in banked.items()}
    for utterance, vote in zip(utterances, votes):
        for name, evidence in vote.items():
            for e in evidence:
                best = voice_evidence.get((utterance.speaker, name))
                if best is None or e.weight > best.weight:
                    voice_evidence[(utterance.speaker, name)] = e

    for index, (utterance, vote) in enumerate(zip(utterances, votes)):
        corrected = corrections.label_for(utterance)
        if corrected in labels:
            by_turn = utterance_key(utterance.start) in corrections.utterances
            utterance.attribution, utterance.confidence, utterance.review = corrected, 1.0, False
            utterance.evidence = [Evidence(kind="rapporteur", phrase="this turn" if by_turn else
                                           f"every turn of {utterance.speaker}", time=utterance.start,
                                           weight=1.0)]
            continue
        s = speakers.index(utterance.speaker)
        label = speaker_label[utterance.speaker]
        own = {k: _total(v) for k, v in vote.items() if k in labels}
        if own:
            best = max(own, key=own.get)
            # Its own cues decide when its voice has no label or clearly the wrong one; a weak
            # cue ("..., please") alone is not enough to name a voice.
            if own[best] >= options.override_margin + (own.get(label, 0.0) if label else 0.0) and best != label:
                label = best
        if label is not None and label != "Chair" and label in named[index]:
            # It thanks or gives the floor to its own voice's delegation: a diarization boundary
            # put the chair's words in that voice; nobody thanks themselves.
            label = max((k for k in own if k != label), key=own.get, default=None)
        utterance.attribution = label
        if label is None:
            utterance.confidence, utterance.evidence, utterance.review = 0.0, [], True
            continue
        from_voice = label == speaker_label[utterance.speaker]
        support = score[s, labels.index(label)] if from_voice else own[label]
        total = score[s].sum() if from_voice else sum(own.values())
        utterance.confidence = round(float(support / (total + options.prior)), 3)
        utterance.review = utterance.confidence < options.review_below
        utterance.evidence = sorted(vote.get(label, []), key=lambda e: -e.weight)[:3]
        if not utterance.evidence:
            # The label came from the voice: cite the strongest cue given to this speaker.
            strongest = voice_evidence.get((utterance.speaker, label))
            utterance.evidence = [strongest] if strongest else []
    return utterances
