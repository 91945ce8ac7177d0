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


def split_at(utterance: Utterance, index: int) -> tuple[Utterance, Utterance]:
    """Two utterances: words before ``index`` and from it on (same speaker and labels)."""
    head, tail = utterance.words[:index], utterance.words[index:]
    first = dataclasses.replace(utterance, words=head, start=head[0].start, end=head[-1].end,
                                text=text_of(head), evidence=list(utterance.evidence))
    second = dataclasses.replace(utterance, words=tail, start=tail[0].start, end=tail[-1].end,
                                 text=text_of(tail), evidence=list(utterance.evidence))
    return first, second
