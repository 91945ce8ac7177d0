"""The words and sentences of an utterance: where its sentences start, and how to cut it in two.

Several stages cut utterances (merge mends split sentences, attribute cuts at a change of
speaker, align at an announcement); they all cut at the same sentence boundaries.
"""

from __future__ import annotations

import dataclasses

from pipeline.artifacts import Utterance, Word
from pipeline.text.roster import ABBREVIATIONS

NO_PAUSE = 0.5  # seconds: less between two voices' words is one flow of speech, no turn-taking pause


def text_of(words: list[Word]) -> str:
    return "".join(w.word for w in words).strip()


def ends_sentence(word: Word) -> bool:
    """Whether a word closes a sentence ("Mr." and other abbreviations do not)."""
    token = word.word.strip()
    return token.endswith((".", "?", "!")) and token.rstrip(".").lower() not in ABBREVIATIONS


def sentence_starts(utterance: Utterance) -> list[int]:
    """Indices of the words that open a sentence (0 always does)."""
    return [0] + [i + 1 for i, word in enumerate(utterance.words[:-1]) if ends_sentence(word)]


def sentence_bounds(utterance: Utterance) -> list[tuple[int, int]]:
    """Each sentence's words as ``utterance.words[first:last]``: (first, last) in order."""
    starts = sentence_starts(utterance)
    return list(zip(starts, starts[1:] + [len(utterance.words)]))


def split_at(utterance: Utterance, index: int) -> tuple[Utterance, Utterance]:
    """Two utterances: words before ``index`` and from it on (same speaker and labels)."""
    head, tail = utterance.words[:index], utterance.words[index:]
    first = dataclasses.replace(utterance, words=head, start=head[0].start, end=head[-1].end,
                                text=text_of(head), evidence=list(utterance.evidence))
    second = dataclasses.replace(utterance, words=tail, start=tail[0].start, end=tail[-1].end,
                                 text=text_of(tail), evidence=list(utterance.evidence))
    return first, second


def run_on(before: Utterance, after: Utterance) -> tuple[int, int]:
    """For a sentence ``before`` leaves open and ``after`` finishes: where it begins among
    ``before``'s words, and where it ends among ``after``'s (the index just past its last word)."""
    return sentence_starts(before)[-1], (sentence_starts(after)[1:2] or [len(after.words)])[0]


def hand_over(before: Utterance, after: Utterance, opened: int, closed: int, forward: bool) -> None:
    """Give a run-on sentence (:func:`run_on`) whole to one side: ``before``'s part of it to
    ``after`` (``forward``), else ``after``'s part to ``before``. The edges between them follow
    the words; the outer edges stay. A side may be left without words. In place."""
    if forward:
        before.words, after.words = before.words[:opened], before.words[opened:] + after.words
    else:
        before.words, after.words = before.words + after.words[:closed], after.words[closed:]
    if before.words:
        before.end = before.words[-1].end
    if after.words:
        after.start = after.words[0].start
    before.text, after.text = text_of(before.words), text_of(after.words)
