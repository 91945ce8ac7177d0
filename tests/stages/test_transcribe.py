"""Transcription's text logic on hand-made inputs: vocabulary per language, speech left without words."""

from __future__ import annotations

from conftest import SAMPLE
from meetings import SPEC, words



def test_vocabulary_is_per_language_and_includes_the_specs_terms():
    """Hotwords name the delegations as each declared language says them, never mixed (a
    mixed list was measured to make Whisper write lists of names)."""
    from pipeline.stages.transcribe import spec_vocabulary

    spec = SPEC.model_copy(deep=True)
    spec.meeting.languages = ["en", "es"]
    spec.vocabulary = ["CICTE", "REMJA"]
    vocabulary = spec_vocabulary(spec)
    assert set(vocabulary) == {"en", "es"}
    assert "United States" in vocabulary["en"] and "Estados Unidos" not in vocabulary["en"]
    assert "Estados Unidos" in vocabulary["es"] and "United States" not in vocabulary["es"]
    assert all("CICTE" in text and "Alison Treppel" in text for text in vocabulary.values())


def test_speech_no_word_covers_is_found():
    """A decoder that stops early leaves speech without words: that stretch is decoded again."""
    from pipeline.stages.transcribe import uncovered

    said = [{"start": 10.0 + 0.4 * i, "end": 10.3 + 0.4 * i} for i in range(10)]  # 10.0-13.9
    assert uncovered([(9.8, 22.0)], said) == [(14.4, 22.0)]
    assert uncovered([(9.8, 14.5), (16.0, 17.0)], said) == []  # a short span with nothing: noise
    # before the first word and after the last; a 0.7 s pause between words is not a gap
    assert uncovered([(5.0, 22.0)], said[:3] + said[7:]) == [(5.0, 9.5), (14.4, 22.0)]


def test_a_word_timed_over_speech_it_did_not_hear_leaves_that_speech_to_decode_again():
    """Held-out w9082: "Gracias, M-S-A-F-U-L-I-M-N-A-O", its last letter timed from 184.8 to
    210.1 s over Peru's statement, the chair's call and Argentina's statement, all lost. A word
    covers two seconds at most; the speech past it is decoded again, and the long word ends where
    the words found inside it begin. A word of ordinary length is untouched."""
    from pipeline.stages.transcribe import _clipped, uncovered

    said = [{"start": 180.2, "end": 180.8, "word": " Gracias,"}, {"start": 184.8, "end": 210.1, "word": "-O"}]
    assert uncovered([(180.0, 210.5)], said) == [(181.3, 184.3), (187.3, 210.5)]
    assert uncovered([(184.6, 187.0)], said) == []  # its first two seconds are its own
    segment = {"start": 180.2, "end": 210.1, "text": "Gracias, -O", "words": said}
    clipped = _clipped(segment, [181.0, 187.5, 190.0])
    assert [w["end"] for w in clipped["words"]] == [180.8, 187.5] and clipped["end"] == 187.5
    assert _clipped(segment, [212.0]) is segment


def test_a_decode_that_leaves_most_of_its_speech_without_words_is_doubted():
    """A 23 s Portuguese statement detected as English came out as "And" and nothing else, even
    with its gap decoded again: a chunk whose speech is mostly without words is decoded again in
    the language the model finds likeliest. A decode with pauses between its words is not."""
    from pipeline.stages.transcribe import Chunk, Planned, _mostly_unheard

    planned = Planned(Chunk(95.5, 119.0), "en", spans=[(95.5, 119.0)])
    lone = {"segments": [{"words": [{"start": 95.5, "end": 95.9}]}]}
    assert _mostly_unheard(lone, planned)
    spoken = [{"start": 96.0 + 0.7 * i, "end": 96.4 + 0.7 * i} for i in range(31)]  # 96.0-117.4
    assert not _mostly_unheard({"segments": [{"words": spoken}]}, planned)
    assert not _mostly_unheard({"segments": [{"words": spoken[:16]}]}, planned)  # heard to 107.4: 49 % left
    assert _mostly_unheard({"segments": [{"words": spoken[:14]}]}, planned)  # heard to 106.0: 55 % left
    short = Planned(Chunk(10.0, 11.5), "en", spans=[(10.0, 11.5)])
    assert not _mostly_unheard({"segments": []}, short)  # a cough's worth: no language to find


def test_a_segment_whisper_starts_before_its_clip_stays_with_its_chunk():
    """A batch of three Spanish chunks (held-out w9042): Whisper started Argentina's statement at
    263.47 s, 0.2 s before its clip. Filed by its start it went to the chunk from 215.9 s, and the
    transcript ran backwards (an utterance ending before it began, Argentina's 12 s lost)."""
    from pipeline.stages.transcribe import Chunk, Planned, owner_of

    batch = [Planned(Chunk(215.928, 232.872), "es"), Planned(Chunk(263.672, 281.672), "es"),
             Planned(Chunk(282.104, 309.448), "es")]
    assert owner_of(263.472, 275.632, batch) is batch[1]
    assert owner_of(215.9, 226.4, batch) is batch[0]
    assert owner_of(281.5, 284.0, batch) is batch[2]  # most of it in the third
    assert owner_of(240.0, 241.0, batch) is batch[0]  # in none: the nearest


def test_speech_left_at_a_chunks_edge_is_decoded_in_the_language_heard_there(tmp_path):
    """Held-out w9072: the chair's "Le doy la palabra a Brasil." closing a chunk was left without
    words (1.99 s, under the 2 s a gap inside a chunk needs), and "Le ofrezco la palabra a
    Canadá" opening an English chunk was decoded in English as nothing: the floor cues were lost
    with the words. From a chunk's edges a stretch of 1 s is decoded again, and any stretch in
    the declared language the detector finds likeliest on it, not the chunk's. Real model, the
    Spanish-chaired sample's "... El siguiente orador es la delegación de Brasil." (71.2-76.6 s)."""
    from faster_whisper import WhisperModel

    from pipeline.models import resolve_whisper
    from pipeline.stages.ingest import decode
    from pipeline.stages.transcribe import Chunk, Planned, TranscribeOptions, _fill_gaps

    wav = tmp_path / "meeting.wav"
    decode(SAMPLE.parent / "cp-cajp-spanish-chair" / "meeting.mp3", wav, "sample")
    model = WhisperModel(str(resolve_whisper("base")), device="cpu", compute_type="int8", cpu_threads=2)
    planned = Planned(Chunk(71.0, 76.8), "en", spans=[(71.0, 76.8)])
    heard = [{"start": 71.2 + 0.3 * i, "end": 71.4 + 0.3 * i, "word": " x"} for i in range(10)]  # to 74.1
    record = {"language": "en", "segments": [{"start": 71.2, "end": 74.1, "text": "x", "language": "en", "words": heard}]}
    options = TranscribeOptions(languages=["es", "pt", "en"])
    filled = _fill_gaps(model, wav, record, planned, options, ["es", "pt", "en"])
    added = [s for s in filled["segments"] if s["start"] > 74.1]
    assert added and all(s["language"] == "es" for s in added), added
    assert "bras" in " ".join(s["text"] for s in added).lower(), added
    # the last 1.5 s alone, at the chunk's end: decoded again too
    heard = heard + [{"start": 74.1 + 0.3 * i, "end": 74.3 + 0.3 * i, "word": " x"} for i in range(3)]  # to 74.9
    record["segments"][0]["words"] = heard
    filled = _fill_gaps(model, wav, record, planned, options, ["es", "pt", "en"])
    assert [s for s in filled["segments"] if s["start"] > 74.9], filled["segments"]


def test_a_phrase_between_pauses_left_without_words_is_decoded_again(tmp_path):
    """The committee sample's chair: "Thank you, Dr. Umarov." / "It is so decided." / "Item 3:
    Committee business.", each between pauses. The chunk's decode heard the first and the last
    and nothing of the middle phrase (1193.4-1195.1 s): 1.86 s without words between them once
    each word's margin is counted, under the 2 s a gap needs, and the decision was lost with it.
    A whole phrase no word touches is decoded again from 1 s; a shorter one, or one a word
    touches, is not. Real model on the sample's audio."""
    from faster_whisper import WhisperModel

    from pipeline.models import resolve_whisper
    from pipeline.stages.ingest import decode
    from pipeline.stages.transcribe import Chunk, Planned, TranscribeOptions, _fill_gaps, silent_phrases, uncovered

    spans = [(1190.936, 1193.032), (1193.432, 1195.08), (1195.512, 1197.992)]
    heard = ([{"start": 1190.94 + 0.3 * i, "end": 1191.14 + 0.3 * i, "word": " x"} for i in range(6)]  # to 1192.64
             + [{"start": 1195.512 + 0.4 * i, "end": 1195.8 + 0.4 * i, "word": " y"} for i in range(5)])
    assert uncovered(spans, heard) == []
    assert silent_phrases(spans, heard) == [(1193.432, 1195.08)]
    assert silent_phrases([(1193.432, 1194.3)], heard) == []  # a breath's length
    assert silent_phrases(spans, heard + [{"start": 1194.9, "end": 1195.2, "word": " z"}]) == []

    wav = tmp_path / "meeting.wav"
    decode(SAMPLE.parent / "committee-members-25" / "meeting.mp3", wav, "sample")
    model = WhisperModel(str(resolve_whisper("base")), device="cpu", compute_type="int8", cpu_threads=2)
    planned = Planned(Chunk(1190.936, 1197.992), "en", spans=spans)
    record = {"language": "en", "segments": [
        {"start": 1190.94, "end": 1192.64, "text": "x", "language": "en", "words": heard[:6]},
        {"start": 1195.512, "end": 1197.4, "text": "y", "language": "en", "words": heard[6:]}]}
    filled = _fill_gaps(model, wav, record, planned, TranscribeOptions(languages=["en"]), ["en"])
    added = [s for s in filled["segments"] if s not in record["segments"]]
    assert len(added) == 1 and 1193.4 <= added[0]["start"] < added[0]["end"] <= 1195.1, added
    assert added[0]["text"].lower().startswith("it is so"), added
    assert [s["start"] for s in filled["segments"]] == sorted(s["start"] for s in filled["segments"])
