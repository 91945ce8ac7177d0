"""Merge on hand-made inputs: words to voices, utterances that open and close with the voice."""

from __future__ import annotations

from meetings import utterance, words

from pipeline.artifacts import Diarization, Segment, Transcription, Turn
from pipeline.stages.merge import merge
from pipeline.text.utterances import text_of


def test_merge_cuts_one_segment_where_the_voice_changes():
    said = words("Thank you, Canada. Brazil, you have the floor. Thank you, Chair.", 0.0)
    transcription = Transcription("en", 1.0, 10.0, "tiny.en", [Segment(0.0, 5.0, "", "en", said)])
    diarization = Diarization(turns=[], speakers=["A", "B"], exclusive=[
        Turn(0.0, 3.1, "A"), Turn(3.1, 6.0, "B")])
    utterances = merge(transcription, diarization)
    assert [(u.speaker, u.text) for u in utterances] == [
        ("A", "Thank you, Canada. Brazil, you have the floor."), ("B", "Thank you, Chair.")]


def test_utterances_start_and_end_where_the_voice_does():
    """Whisper's first word is often late: the utterance opens at its speaker's turn onset
    (at most a second earlier), never overlapping the utterance before it."""
    said = words("Thank you, Canada. Brazil, you have the floor.", 0.6)  # 0.6 .. 3.7
    reply = words("Thank you, Chair. Brazil supports the plan.", 4.4)   # 4.4 .. 7.5
    transcription = Transcription("en", 1.0, 10.0, "tiny.en", [Segment(0.6, 7.5, "", "en", said + reply)])
    diarization = Diarization(turns=[], speakers=["A", "B"], exclusive=[
        Turn(0.3, 3.9, "A"), Turn(3.9, 8.0, "B")])
    first, second = merge(transcription, diarization)
    assert (first.start, first.end) == (0.3, 3.9)
    assert (second.start, second.end) == (3.9, 8.0)
    far = Diarization(turns=[], speakers=["A", "B"], exclusive=[Turn(0.0, 3.9, "A"), Turn(3.9, 9.5, "B")])
    first, second = merge(transcription, far)
    assert first.start == 0.0 and second.end == reply[-1].end  # 0.6 s earlier: widened; 2.4 s later: not


def test_a_sentence_cut_between_two_voices_goes_to_the_voice_that_says_most_of_it():
    """Diarization a fraction of a second late: "Muchas" lands in Canada's turn and "gracias,
    Canadá." in the chair's; the whole sentence is the chair's."""
    canada = words("Canada supports the draft.", 0.0)                      # 0.0 .. 1.5
    chair = words("Muchas gracias, Canadá. Tiene la palabra Chile.", 1.6)  # 1.6 .. 4.1
    transcription = Transcription("es", 1.0, 10.0, "base", [Segment(0.0, 4.1, "", "es", canada + chair)])
    diarization = Diarization(turns=[], speakers=["A", "B"], exclusive=[Turn(0.0, 2.1, "A"), Turn(2.1, 4.5, "B")])
    utterances = merge(transcription, diarization)
    assert [(u.speaker, u.text) for u in utterances] == [
        ("A", "Canada supports the draft."), ("B", "Muchas gracias, Canadá. Tiene la palabra Chile.")]


def test_whispers_stock_hallucination_is_left_out():
    """"Over to Guatemala." heard as a video's sign-off, across two segments: the sentence goes,
    the chair's words before it and the statement after it stay."""
    chair = words("We now move to the report. Don't forget to", 0.0)
    video = words("subscribe to our channel and click the bell icon.", chair[-1].end + 0.1)
    statement = words("Resources are limited, so we must set priorities.", video[-1].end + 0.1)
    transcription = Transcription("en", 1.0, 30.0, "base", [
        Segment(0.0, chair[-1].end, "", "en", chair), Segment(video[0].start, statement[-1].end, "", "en", video + statement)])
    diarization = Diarization(turns=[], speakers=["A", "B"], exclusive=[
        Turn(0.0, chair[-1].end, "A"), Turn(chair[-1].end, 40.0, "B")])
    chair_said, statement_said = merge(transcription, diarization)
    assert [(u.speaker, u.text) for u in (chair_said, statement_said)] == [
        ("A", "We now move to the report."), ("B", "Resources are limited, so we must set priorities.")]
    assert statement_said.start <= video[0].start  # the time Whisper misheard is still the statement's


def test_segments_filed_out_of_time_order_still_make_utterances_in_time_order():
    """A transcription holds segments chunk by chunk; one filed under an earlier chunk (held-out
    w9042) came before the speech 30 s earlier and made an utterance that ended before it began."""
    first = words("Adelante, la distinguida delegación de Brasil.", 0.0)     # 0.0 .. 2.1
    later = words("Gracias. Reiteramos nuestro compromiso.", 30.0)          # 30.0 .. 31.5
    middle = words("Obrigado, Senhor Presidente.", 3.0)                     # 3.0 .. 4.2
    transcription = Transcription("es", 1.0, 40.0, "base", [
        Segment(0.0, 2.1, "", "es", first), Segment(30.0, 31.5, "", "es", later),
        Segment(3.0, 4.2, "", "pt", middle)])
    diarization = Diarization(turns=[], speakers=["A", "B", "C"], exclusive=[
        Turn(0.0, 2.5, "A"), Turn(2.8, 4.5, "B"), Turn(29.8, 32.0, "C")])
    utterances = merge(transcription, diarization)
    assert [u.speaker for u in utterances] == ["A", "B", "C"]
    assert all(u.start < u.end for u in utterances)


def test_a_hallucination_in_another_language_takes_no_words_of_the_sentence_before_it():
    """Held-out w9111: Argentina's "... pero la implementación sigue siendo desigual en la región.
    Proponemos incluir en el proyecto de resolución ..." came out "Pero la implementación sigue
    siendo desigual en la región, lo podemos incluir en el proyecto de" and then, decoded in
    English, "If you want to make a video, don't forget to like and subscribe ...": the sentence
    ran on across the two segments to the sign-off's full stop, and 7 s of Argentina's words went
    with it. A sentence is in one language: the Spanish words stay."""
    statement = words("Pero la implementación sigue siendo desigual en la región, lo podemos incluir en el proyecto de", 0.0)
    video = words("If you want to make a video, don't forget to like and subscribe.", statement[-1].end + 0.1)
    transcription = Transcription("es", 1.0, 30.0, "base", [
        Segment(0.0, statement[-1].end, "", "es", statement), Segment(video[0].start, video[-1].end, "", "en", video)])
    diarization = Diarization(turns=[], speakers=["A"], exclusive=[Turn(0.0, 30.0, "A")])
    said = merge(transcription, diarization)
    assert [u.text for u in said] == [text_of(statement)]
