"""What relisten heard again, found in the transcript: the draft records a heard decision as the
item's, and align opens the adoption of the order of business at one.

Kept apart from :mod:`pipeline.text.decisions`, which relisten itself reads: a change here
reruns align and draft, not the decoding.
"""

from __future__ import annotations

from pipeline.artifacts import Utterance
from pipeline.text.roster import fold
from pipeline.text.utterances import sentence_bounds, text_of


class HeardDecisions:
    """The sentences relisten heard as a formula closing an item where ASR garbled it
    (:func:`pipeline.stages.relisten.hear_decisions`: "Así que le seguimos." for "Así queda
    decidido."), found again in the transcript by their words and time."""

    def __init__(self, heard: list[dict] = ()):
        self.heard = [(d["start"], fold(d["was"]).strip()) for d in heard]

    def __call__(self, u: Utterance, sentence: str | None = None) -> bool:
        """Whether ``u`` holds a heard decision (``sentence``: whether that sentence of it is one)."""
        said = fold(sentence).strip() if sentence is not None else None
        return any(u.start - 0.5 <= start <= u.end + 0.5 and (said is None or said == was) for start, was in self.heard)

    def first(self, u: Utterance) -> int | None:
        """The index of the first word of the first sentence of ``u`` heard as a decision."""
        return next((a for a, b in sentence_bounds(u) if b > a and self(u, text_of(u.words[a:b]))), None)
