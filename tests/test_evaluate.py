"""evaluate.score against a hand-made truth: the measure every accuracy gate rests on."""

from __future__ import annotations




def test_scores_against_a_hand_made_truth():
    """The accuracy gates of the end-to-end tests rest on evaluate.score: checked by hand here.
    Truth: Chair 0-10 s, Canada 10-20 s. Hypothesis: Chair 0-10 (right), Canada 10-15 (right),
    Peru 15-18 (wrong, unflagged), nothing 18-20, one word misheard of seven."""
    from pipeline.evaluate import score

    def line(start, end, label, text, **more):
        return {"start": start, "end": end, "attribution": label, "text": text, "item": 1, "block": None,
                "language": "en", **more}

    truth = {"utterances": [line(0, 10, "Chair", "Canada has the floor"),
                            line(10, 20, "Canada", "we support it")]}
    hypothesis = {"utterances": [line(0, 10, "Chair", "Canada has the floor", review=False),
                                 line(10, 15, "Canada", "we support", review=True),
                                 line(15, 18, "Peru", "that", review=False)]}
    scores = score(hypothesis, truth)
    assert abs(scores.attribution - 15 / 20) < 0.01  # 0-15 s right of 20 s
    assert abs(scores.item - 18 / 20) < 0.01  # the item is right wherever there is a hypothesis
    assert abs(scores.flagged - 5 / 20) < 0.01
    assert abs(scores.unflagged_precision - 10 / 13) < 0.01  # 10 s right of 13 s unflagged
    assert abs(scores.wer - 1 / 7) < 1e-9  # "it" heard as "that"
    assert abs(scores.speech_seconds - 20) < 0.2  # sampled 10 times a second


def test_a_point_is_traced_to_what_it_reports_not_to_the_call_of_its_speakers_name():
    """"Gordon Dhaliwal asked why ..." overlaps the chair's "Gordon Dhaliwal, please." and his
    own question: its source is the question (the name and the reporting verb say nothing), so
    it is not counted as a point taken from floor management."""
    from pipeline.evaluate import _source_line

    lines = [{"start": 0.0, "end": 1.5, "text": "Gordon Dhaliwal, please.", "kind": "floor"},
             {"start": 1.6, "end": 6.0, "text": "Why was the program delayed by two years?"}]
    point = {"start": 0.0, "end": 6.0, "speaker": "Gordon Dhaliwal",
             "text": "Gordon Dhaliwal asked why the program had been delayed by two years."}
    assert _source_line(point, lines) is lines[1]
    point = {"start": 0.0, "end": 6.0, "speaker": "Canada",
             "text": "The delegation of Canada stated that the program was delayed by two years."}
    assert _source_line(point, lines) is lines[1]
