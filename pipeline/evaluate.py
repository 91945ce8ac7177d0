"""Scoring a run against ground truth in the transcript's own shape.

Accuracies are shares of reference speech time, sampled at 10 Hz: at each sample inside a
reference utterance, the hypothesis utterance covering that instant (or none) must carry the same
label. WER compares all words in order, normalised (lower case, no punctuation).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

RATE = 10.0  # samples per second


@dataclass
class Scores:
    attribution: float
    item: float
    block: float
    language: float
    flagged: float
    unflagged_precision: float
    wer: float
    speech_seconds: float

    def rows(self) -> list[tuple[str, str]]:
        return [("attribution accuracy", f"{100 * self.attribution:.1f} %"),
                ("language accuracy", f"{100 * self.language:.1f} %"),
                ("flagged for review", f"{100 * self.flagged:.1f} %"),
                ("precision of unflagged", f"{100 * self.unflagged_precision:.1f} %"),
                ("item accuracy", f"{100 * self.item:.1f} %"),
                ("block accuracy", f"{100 * self.block:.1f} %"),
                ("WER", f"{100 * self.wer:.1f} %"),
                ("reference speech", f"{self.speech_seconds:.1f} s")]


def normalise(text: str) -> str:
    """Whisper's BasicTextNormalizer: lower case, drop bracketed asides, turn marks, symbols
    and punctuation into spaces (keeping letters with their accents), collapse spaces."""
    text = re.sub(r"[<\[][^>\]]*[>\]]|\([^)]*\)", "", text.lower())
    text = unicodedata.normalize("NFKC", text)
    text = "".join(" " if unicodedata.category(c)[0] in "MSP" else c for c in text)
    return re.sub(r"\s+", " ", text).strip()


def _label_at(hyp: list[dict], starts: list[float], t: float, key: str):
    import bisect

    i = bisect.bisect_right(starts, t) - 1
    for j in (i, i - 1):
        if 0 <= j < len(hyp) and hyp[j]["start"] <= t < hyp[j]["end"]:
            return True, hyp[j].get(key)
    return False, None


def score(hypothesis: dict, truth: dict) -> Scores:
    import jiwer

    hyp = sorted(hypothesis["utterances"], key=lambda u: u["start"])
    starts = [u["start"] for u in hyp]
    totals = {"attribution": 0, "item": 0, "block": 0, "language": 0}
    samples = flagged = unflagged = unflagged_right = 0
    for ref in truth["utterances"]:
        t = ref["start"]
        while t < ref["end"]:
            samples += 1
            for key in totals:
                found, value = _label_at(hyp, starts, t, key)
                if found and value == ref.get(key):
                    totals[key] += 1
            found, review = _label_at(hyp, starts, t, "review")
            if found and review:
                flagged += 1
            elif found:
                _, label = _label_at(hyp, starts, t, "attribution")
                unflagged += 1
                unflagged_right += label == ref.get("attribution")
            t += 1.0 / RATE
    reference = normalise(" ".join(u["text"] for u in truth["utterances"]))
    hypothesis_text = normalise(" ".join(u["text"] for u in hyp))
    wer = jiwer.wer(reference, hypothesis_text) if reference else 0.0
    share = {k: (v / samples if samples else 0.0) for k, v in totals.items()}
    return Scores(attribution=share["attribution"], item=share["item"], block=share["block"],
                  language=share["language"], flagged=flagged / samples if samples else 0.0,
                  unflagged_precision=unflagged_right / unflagged if unflagged else 1.0,
                  wer=wer, speech_seconds=samples / RATE)
