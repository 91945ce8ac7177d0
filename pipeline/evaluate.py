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


@dataclass
class MinutesScores:
    """How the draft's structure compares with what was said (issue: minutes a rapporteur signs)."""

    headings_in_order: bool
    delegation_precision: float
    delegation_recall: float
    points: int
    points_in_their_item: float
    points_by_their_speaker: float
    floor_points: int | None = None  # points taken from lines that only run the meeting (truth `kind: floor`)
    decisions_said: int = 0  # truth lines of `kind: decision`
    decisions_recorded: int = 0  # ... whose item has a decision in the minutes
    items_in_order: int = 0  # items whose points keep the meeting's order (decisions last)
    items: int = 0

    def rows(self) -> list[tuple[str, str]]:
        return [("item headings present, in order", "yes" if self.headings_in_order else "NO"),
                ("delegations listed: precision", f"{100 * self.delegation_precision:.1f} %"),
                ("delegations listed: recall", f"{100 * self.delegation_recall:.1f} %"),
                ("points", str(self.points)),
                ("points inside their item", f"{100 * self.points_in_their_item:.1f} %"),
                ("points said by whom they name", f"{100 * self.points_by_their_speaker:.1f} %"),
                ("points taken from floor management", "n/a (truth has no kinds)" if self.floor_points is None
                 else str(self.floor_points)),
                ("decisions said / recorded", f"{self.decisions_said} / {self.decisions_recorded}"),
                ("items in the order spoken", f"{self.items_in_order} / {self.items}")]


def _source_line(point: dict, lines: list[dict]) -> dict | None:
    """The reference line a point was taken from: among the lines its utterance overlaps, the one
    whose words it shares most (a point's time is its utterance's, which may span several)."""
    from rapidfuzz import fuzz

    around = [u for u in lines if u["start"] - 0.5 <= point["end"] and point["start"] <= u["end"] + 0.5]
    # What was reported, without the speaker's name and the reporting verb ("The delegation of
    # Canada urged ...", "Gordon Dhaliwal asked why ..."): else "Gordon Dhaliwal, please." is the
    # best match of every point of his.
    body = normalise(point["text"])
    speaker = normalise(point.get("speaker") or "")
    if speaker and speaker in " ".join(body.split()[:8]):
        body = body.split(speaker, 1)[1]
    body = re.sub(r"^\s*\S+\s+(?:that|why|how|whether|if|what|when|where|who|which)?\s*", "", body)
    return max(around, key=lambda u: fuzz.partial_ratio(body, normalise(u["text"])), default=None)


def _in_order(item: dict) -> bool:
    """Within an item, each list in the order spoken, and its decisions after what they decide."""
    lists = [item["remarks"], item.get("requests", []), item["points"], *[b["points"] for b in item["blocks"]]]
    sorted_lists = all([p["start"] for p in ps] == sorted(p["start"] for p in ps) for ps in lists)
    said = [p["start"] for ps in lists for p in ps]
    decisions = [p["start"] for p in item.get("decisions", [])]
    return sorted_lists and (not decisions or not said or min(decisions) >= max(said))


def score_minutes(minutes: dict, minutes_md: str, truth: dict, spec) -> MinutesScores:
    """Compare ``minutes.json`` (and the Markdown's headings) with the truth of who spoke where."""
    titles = [f"## {n}. {item.title}" for n, item in enumerate(spec.order_of_business.items, 1)]
    positions = [minutes_md.find(t) for t in titles]
    in_order = all(p >= 0 for p in positions) and positions == sorted(positions)
    delegations = set(spec.participants.delegations) | set(spec.participants.observers)
    said: dict[tuple, set] = {}
    for u in truth["utterances"]:
        if u.get("attribution") in delegations and u.get("item"):
            item = spec.order_of_business.items[u["item"] - 1]
            key = (u["item"], u.get("block") if item.blocks else None)
            said.setdefault(key, set()).add(u["attribution"])
    listed: dict[tuple, set] = {}
    points: list[tuple[tuple, dict]] = []
    for item in minutes["items"]:
        listed[(item["number"], None)] = set(item["delegations"])
        points += [((item["number"], None), p) for p in item["points"] + item["remarks"] + item["closing_points"]]
        for b, block in enumerate(item["blocks"], 1):
            listed[(item["number"], b)] = set(block["delegations"])
            points += [((item["number"], b), p) for p in block["points"]]
    pairs_listed = {(k, d) for k, ds in listed.items() for d in ds}
    pairs_said = {(k, d) for k, ds in said.items() for d in ds}
    right = len(pairs_listed & pairs_said)
    in_item = by_speaker = 0
    sources = [(number, source) for (number, _), point in points for source in [point, *point.get("also", [])]]
    for number, source in sources:  # a point merged from several delegations: each one checked
        ref = next((u for u in truth["utterances"] if u["start"] - 0.5 <= source["start"] <= u["end"]), None)
        in_item += bool(ref and ref.get("item") == number)
        by_speaker += bool(ref and ref.get("attribution") == source["speaker"])
    n = len(sources)
    kinds = any("kind" in u for u in truth["utterances"])
    floor = sum(bool((line := _source_line(point, truth["utterances"])) and line.get("kind") == "floor")
                for _, point in points + [((i["number"], None), p) for i in minutes["items"] for p in i.get("requests", [])])
    decided = {item["number"] for item in minutes["items"] if item.get("decision") == "adopted" or item.get("decisions")}
    said_decisions = [u for u in truth["utterances"] if u.get("kind") == "decision"]
    return MinutesScores(
        headings_in_order=in_order,
        delegation_precision=right / len(pairs_listed) if pairs_listed else 1.0,
        delegation_recall=right / len(pairs_said) if pairs_said else 1.0,
        points=len(points), points_in_their_item=in_item / n if n else 1.0,
        points_by_their_speaker=by_speaker / n if n else 1.0,
        floor_points=floor if kinds else None, decisions_said=len(said_decisions),
        decisions_recorded=sum(u.get("item") in decided for u in said_decisions),
        items_in_order=sum(_in_order(item) for item in minutes["items"]), items=len(minutes["items"]))
