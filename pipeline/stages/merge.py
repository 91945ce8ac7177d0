"""Stage 4, merge: give each word a speaker, then group words into utterances.

Assignment is per word against the exclusive (one-speaker-at-a-time) diarization, so a Whisper
segment that spans a change of speaker is cut where the voice changes, not where Whisper paused.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace

from pipeline.artifacts import Diarization, Transcription, Turn, Utterance, Word
from pipeline.text.utterances import NO_PAUSE, ends_sentence, hand_over, run_on, text_of


@dataclass
class MergeOptions:
    """Parameters
    ----------
    max_gap : float
        A silence longer than this (seconds) between two words of one speaker starts a new
        utterance, so a speaker who talks again after someone else's short aside is two utterances.
    sliver : float
        Fragments shorter than this (seconds) inside another speaker's turn are absorbed by it.
    widen : float
        An utterance's start and end move out to its speaker's turn boundaries by at most this
        (seconds): the voice's onset is more exact than Whisper's first word timing.
    """

    max_gap: float = 2.0
    sliver: float = 1.0
    widen: float = 1.0


def speaker_of(word: Word, turns: list[Turn], starts: list[float]) -> str | None:
    """The speaker whose exclusive turn overlaps the word most; else the nearest turn's."""
    if not turns:
        return None
    best, best_overlap = None, 0.0
    index = max(0, bisect.bisect_right(starts, word.start) - 1)
    for turn in turns[max(0, index - 1): index + 3]:
        overlap = min(turn.end, word.end) - max(turn.start, word.start)
        if overlap > best_overlap:
            best, best_overlap = turn.speaker, overlap
    if best is not None:
        return best
    middle = (word.start + word.end) / 2
    nearest = min(turns[max(0, index - 1): index + 3] or turns,
                  key=lambda t: min(abs(t.start - middle), abs(t.end - middle)))
    return nearest.speaker


def merge(transcription: Transcription, diarization: Diarization,
          options: MergeOptions | None = None) -> list[Utterance]:
    """Utterances: maximal runs of consecutive words by one speaker, in one language, with no
    long gap."""
    options = options or MergeOptions()
    turns = sorted(diarization.exclusive, key=lambda t: t.start)
    starts = [t.start for t in turns]
    utterances: list[Utterance] = []
    # Words in time order, whatever order the transcription was filed in (chunk by chunk).
    transcription = replace(transcription, segments=sorted(transcription.segments, key=lambda s: s.start))
    dropped = hallucinated(transcription)
    hole = None  # (start, speaker) of hallucinated words left out, their time still that voice's
    for segment in transcription.segments:
        for word in segment.words:
            speaker = speaker_of(word, turns, starts) or "SPEAKER_00"
            if id(word) in dropped:
                hole = hole if hole is not None and hole[1] == speaker else (word.start, speaker)
                continue
            last = utterances[-1] if utterances else None
            if (last is not None and last.speaker == speaker and last.language == segment.language
                    and word.start - last.end <= options.max_gap):
                last.words.append(word)
                last.end = max(last.end, word.end)
            else:
                utterances.append(Utterance(start=word.start, end=word.end, speaker=speaker,
                                            text="", language=segment.language, words=[word]))
            if hole is not None and hole[1] == speaker:  # the statement Whisper did not hear is this one's
                utterances[-1].start = min(utterances[-1].start, hole[0])
            hole = None
    utterances = _absorb_slivers(utterances, options.sliver)
    utterances = _mend_split_sentences(utterances, options.sliver)
    _widen_to_turns(utterances, turns, options.widen)
    for utterance in utterances:
        utterance.text = text_of(utterance.words)
    return utterances


# What Whisper says when it hears speech it cannot make out, learnt from subtitled videos: "Don't
# forget to subscribe to our channel and click the bell icon" for the chair's "Over to Guatemala."
# No committee says it, and a floor cue lost under it gives the chair the next statement.
HALLUCINATIONS = re.compile(
    r"\bsubscribe\s+to\s+(?:our|my|the)\s+channel|\b(?:click|hit|press|ring)\s+(?:the\s+)?(?:bell|like\s+button)|"
    r"\blike\s+and\s+subscribe|\bthanks?\s+(?:you\s+)?(?:so\s+much\s+|very\s+much\s+)?for\s+watching|"
    r"\bsee\s+you\s+in\s+the\s+next\s+video|\bsubtitles\s+by\b|\bamara\.org\b|\bsuscr[ií]bete|"
    r"\bsubt[ií]tulos?\s+(?:realizados\s+)?por\b|\bgracias\s+por\s+ver\b|\bobrigad[oa]\s+por\s+assistir|"
    r"\binscreva-se|\bmerci\s+d'avoir\s+regard[ée]|\bsous-titr(?:es|age)\s+(?:r[ée]alis[ée]s\s+)?par\b|"
    r"\babonnez-vous", re.IGNORECASE)


def hallucinated(transcription: Transcription) -> set[int]:
    """The words (by ``id``) of sentences that are Whisper's stock hallucinations
    (:data:`HALLUCINATIONS`): left out of the utterances, so the voice that spoke there is read
    from what is left. A sentence runs across segments to the next word that ends one, but not
    into a segment in another language: held-out w9111's "Pero la implementación sigue siendo
    desigual en la región, lo podemos incluir en el proyecto de" ran on, unended, into "If you want
    to make a video, don't forget to like and subscribe ..." (English, where Argentina went on in
    Spanish), and went with it."""
    words = [(w, segment.language) for segment in transcription.segments for w in segment.words]
    dropped: set[int] = set()
    sentence: list[Word] = []
    for k, (word, language) in enumerate(words):
        sentence.append(word)
        last = k == len(words) - 1
        if ends_sentence(word) or last or words[k + 1][1] != language:
            if HALLUCINATIONS.search(text_of(sentence)):
                dropped.update(id(w) for w in sentence)
            sentence = []
    return dropped


FRAGMENT_WORDS = 3


def _mend_split_sentences(utterances: list[Utterance], sliver: float) -> list[Utterance]:
    """A sentence cut between two voices by a diarization boundary a fraction of a second off
    ("Muchas" | "gracias, Canadá."; "... Thank you," | "Chile.") goes whole to the voice that
    says most of it, when the smaller part is at most three words and ``sliver`` seconds and the
    voices follow each other without a pause."""
    i = 0
    while i + 1 < len(utterances):
        a, b = utterances[i], utterances[i + 1]
        if a.speaker == b.speaker or ends_sentence(a.words[-1]) or b.start - a.end > NO_PAUSE:
            i += 1
            continue
        tail, head = run_on(a, b)  # a's unfinished sentence from its last full stop; b's part of it
        moving_tail = len(a.words) - tail <= head
        part = a.words[tail:] if moving_tail else b.words[:head]
        if len(part) > FRAGMENT_WORDS or part[-1].end - part[0].start > sliver:
            i += 1
            continue
        hand_over(a, b, tail, head, forward=moving_tail)
        if not a.words:
            del utterances[i]
        elif not b.words:
            del utterances[i + 1]
        else:
            i += 1
    return utterances


def _widen_to_turns(utterances: list[Utterance], turns: list[Turn], limit: float) -> None:
    """Start and end each utterance where its speaker's voice does, when that is at most ``limit``
    seconds beyond its first and last word: Whisper's word timings are often a few hundred
    milliseconds late at the onset and early at the end; the diarization's turn boundaries come
    from the voice itself. Never into a neighbouring utterance. ``turns``: the exclusive view,
    sorted and not overlapping, so only the turns around an utterance's edges are looked at."""
    starts = [t.start for t in turns]

    def around(time: float) -> list[Turn]:
        index = bisect.bisect_right(starts, time + 0.05)
        return turns[max(0, index - 2): index + 1]

    for k, u in enumerate(utterances):
        previous_end = utterances[k - 1].end if k else 0.0
        following_start = utterances[k + 1].start if k + 1 < len(utterances) else float("inf")
        mine = [t for t in around(u.start) + around(u.end) if t.speaker == u.speaker]
        onset = [t.start for t in mine if t.start <= u.start < t.end + 0.05 and u.start - t.start <= limit]
        if onset:
            u.start = round(max(min(onset), previous_end, u.start - limit), 3)
        offset = [t.end for t in mine if t.start - 0.05 < u.end <= t.end and t.end - u.end <= limit]
        if offset:
            u.end = round(min(max(offset), following_start, u.end + limit), 3)


def _absorb_slivers(utterances: list[Utterance], sliver: float) -> list[Utterance]:
    """A fragment shorter than ``sliver`` seconds between two utterances of one other speaker is
    that speaker's (a diarization flicker inside a turn, not a two-word interjection)."""
    out: list[Utterance] = []
    i = 0
    while i < len(utterances):
        u = utterances[i]
        if (out and i + 1 < len(utterances) and u.end - u.start < sliver
                and out[-1].speaker == utterances[i + 1].speaker != u.speaker):
            following = utterances[i + 1]
            out[-1].words += u.words + following.words
            out[-1].end = following.end
            i += 2
            continue
        out.append(u)
        i += 1
    return out
