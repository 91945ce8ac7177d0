"""Attribution by turns on hand-made meetings: floor, thanks, corrections, voices, the voice bank."""

from __future__ import annotations

import pytest

from meetings import SPEC, voiceprints_for, utterance, words

from pipeline.artifacts import Diarization
from pipeline.stages.align import align
from pipeline.stages.attribute import attribute


def test_attribution_and_alignment_on_a_small_meeting():
    meeting = [
        utterance("S0", "I call to order this meeting. The first item is the adoption of the order of business. It is adopted.", 0),
        utterance("S0", "We now move to item two. I give the floor to Ms. Alison Treppel.", 20),
        utterance("S1", "Thank you, Chair. The secretariat trained officials.", 30),
        utterance("S0", "Thank you. We now move to item three. Our first block concerns the legal framework. Canada, you have the floor.", 40),
        utterance("S2", "Thank you, Chair. Canada urges member states to accede to the Convention.", 60),
        utterance("S0", "Thank you, Canada. Peru, you have the floor.", 70),
        utterance("S3", "Peru supports the proposal.", 80),
        utterance("S0", "Thank you, Peru. We now move to the last item, closing remarks. The meeting is adjourned.", 90),
    ]
    attributed = attribute(meeting, SPEC)
    assert [u.attribution for u in attributed] == [
        "Chair", "Chair", "Alison Treppel", "Chair", "Canada", "Chair", "Peru", "Chair"]
    assert all(u.evidence for u in attributed)
    aligned = align(attributed, SPEC)
    # A presiding officer's utterance is cut where a sentence announces an item or block.
    assert [(u.text.split(".")[0], u.item, u.block) for u in aligned] == [
        ("I call to order this meeting", None, None),
        ("The first item is the adoption of the order of business", 1, None),
        ("We now move to item two", 2, None),
        ("Thank you, Chair", 2, None),
        ("Thank you", 2, None),
        ("We now move to item three", 3, 1),
        ("Our first block concerns the legal framework", 3, 1),
        ("Thank you, Chair", 3, 1),
        ("Thank you, Canada", 3, 1),
        ("Peru supports the proposal", 3, 1),
        ("Thank you, Peru", 3, 1),
        ("We now move to the last item, closing remarks", 4, None),
    ]


def test_a_correction_overrides_the_floor_wrongly_given():
    spec = SPEC.model_copy(deep=True)
    spec.participants.delegations += ["Mexico"]
    meeting = [
        utterance("S0", "I give the floor to the distinguished delegation of Canada.", 0),
        utterance("S1", "Thank you, Chair. We support the resolution and its protocol.", 10),
        utterance("S0", "My apologies, that was the delegation of Mexico. Thank you, Mexico. Canada, you have the floor.", 20),
        utterance("S2", "Thank you, Chair. Canada urges member states to accede.", 30),
    ]
    attributed = attribute(meeting, spec)
    assert [u.attribution for u in attributed] == ["Chair", "Mexico", "Chair", "Canada"]


def test_a_correction_whose_name_is_misheard_still_withdraws_the_floor_given():
    """"My apologies. That was an allegation of parent-wide" (Paraguay, misheard): the name is
    lost, but the voice wrongly announced as Canada must not keep that label; it is flagged."""
    meeting = [
        utterance("S0", "I now recognize the distinguished delegation of Canada.", 0),
        utterance("S1", "Thank you, Madam Chair. Parent-wide supports the recommendations.", 10),
        utterance("S0", "My apologies. That was an allegation of parent-wide. Thank you, parent-wide.", 20),
        utterance("S0", "The floor is open. Canada, please.", 25),
        utterance("S2", "Thank you, Chair. We propose a short declaration on prisons.", 30),
        utterance("S0", "Thank you, Canada. The meeting is adjourned.", 40),
    ]
    attributed = attribute(meeting, SPEC)
    # The turn may take a likeness among the names nothing else accounts for (the closed roster's
    # guess: "Thank you, parent-wide"), never Canada, and always for review.
    assert [u.attribution for u in attributed][2:] == ["Chair", "Chair", "Canada", "Chair"]
    assert attributed[0].attribution == "Chair" and attributed[1].attribution != "Canada"
    assert attributed[1].review


def test_nobody_thanks_themselves():
    """"Thank you, Chile." inside Chile's voice (a diarization boundary a little late) is the
    chair's: a voice is not thanked, or given the floor, by itself."""
    meeting = [
        utterance("S0", "I give the floor to the distinguished delegation of Canada.", 0),
        utterance("S1", "Thank you, Chair. Canada urges member states to accede to the convention.", 5),
        utterance("S1", "Thank you, Canada.", 15),
        utterance("S0", "We now move to the last item. The meeting is adjourned.", 20),
    ]
    attributed = attribute(meeting, SPEC)
    assert [u.attribution for u in attributed] == ["Chair", "Canada", "Chair", "Chair"]


def test_the_voice_bank_names_a_silent_voice_and_never_overrides_the_chair():
    """A voice the bank knows and nothing said names gets the bank's label (and its evidence);
    a voice the chair gave the floor to keeps the chair's word whatever the bank says."""
    from pipeline.voices import Recognised

    meeting = [
        utterance("S0", "I give the floor to the distinguished delegation of Canada.", 0),
        utterance("S1", "Thank you, Chair. We urge member states to accede to the convention.", 5),
        utterance("S0", "We now move to the last item.", 15),
        utterance("S2", "We would like to add that cooperation among states is essential.", 20),
        utterance("S0", "The meeting is adjourned.", 30),
    ]
    voices = {"S1": Recognised("Peru", 0.99, "CP/CSH-1940/18"), "S2": Recognised("Peru", 0.99, "CP/CSH-1940/18"),
              "S0": Recognised("Chile", 0.99, "CP/CSH-1940/18")}
    attributed = attribute(meeting, SPEC, voices=voices)
    assert [u.attribution for u in attributed] == ["Chair", "Canada", "Chair", "Peru", "Chair"]
    assert attributed[3].evidence[0].kind == "voice-bank:Peru" and "CP/CSH-1940/18" in attributed[3].evidence[0].phrase
    assert not attributed[3].review
    assert [u.attribution for u in attribute(meeting, SPEC)][3] is None  # no bank: nothing names it


def test_a_floor_given_inside_one_voice_starts_a_new_turn():
    """Diarization heard the chair and Canada as one voice: the utterance is cut after the floor
    is given, and each part gets its own speaker."""
    meeting = [
        utterance("S0", "We now move to item two. I give the floor to Ms. Alison Treppel.", 0),
        utterance("S1", "Thank you, Chair. The secretariat trained officials in ten states.", 10),
        utterance("S0", "Thank you. Canada, you have the floor. Thank you, Chair. Canada urges member states to accede.", 20),
        utterance("S0", "Thank you, Canada. The meeting is adjourned.", 40),
    ]
    attributed = attribute(meeting, SPEC)
    assert [(u.attribution, u.text) for u in attributed][2:4] == [
        ("Chair", "Thank you. Canada, you have the floor."),
        ("Canada", "Thank you, Chair. Canada urges member states to accede.")]
    assert attributed[3].start == attributed[3].words[0].start and attributed[2].end == attributed[2].words[-1].end


def test_a_call_whose_name_is_not_made_out_still_ends_the_chairs_turn():
    """Held-out merged voices (wide phrasebook, seed 9033): "I now invite my maidos to take the
    floor." (Barbados misheard), then Barbados's statement in the chair's voice: the chair stops
    at the call whether or not its name was heard, so the statement is a turn of its own."""
    from meetings import ENTRIES

    from pipeline.stages.attribute import split_turns

    meeting = [utterance("S0", "Thank you, Canada. I now invite my maidos to take the floor. Good afternoon. "
                               "We support this initiative and the protocol.", 0)]
    turns, origin = split_turns(meeting, ENTRIES)
    assert [t.text for t in turns] == ["Thank you, Canada. I now invite my maidos to take the floor.",
                                       "Good afternoon. We support this initiative and the protocol."]
    assert origin == [0, 0]
    for said in ("We now move to the next item. Thank you all for coming today.",  # calls nobody
                 "We invite all member states to join. The protocol deserves their support."):  # names no floor
        kept, _ = split_turns([utterance("S0", said, 0)], ENTRIES)
        assert len(kept) == 1, kept


def test_a_call_that_names_no_one_ends_the_chairs_turn():
    """Held-out w9181: "Dr. Achebe has asked for the floor. Please. Good afternoon. I'm Leah
    Achebe, ..." and "Thanks, Dr. Santos. Go ahead, please. The numbers in your report ..." were
    one utterance each in a voice diarization merged with the chair's, and the members' questions
    went to the chair: a sentence that is nothing but a call ends the chair's words."""
    from meetings import ENTRIES

    from pipeline.stages.attribute import split_turns

    meeting = [utterance("S0", "Thanks, Canada. Go ahead, please. The numbers in your report do not match.", 0)]
    turns, _ = split_turns(meeting, ENTRIES)
    assert [t.text for t in turns] == ["Thanks, Canada. Go ahead, please.", "The numbers in your report do not match."]
    # held-out w9171: the chair asking someone to wait, after an answer in its voice
    meeting = [utterance("S0", "The funding is committed, and most of it will flow in the next fiscal year. "
                               "Mr. Please wait a moment, I will come back to you. Canada, you have the floor.", 0)]
    turns, _ = split_turns(meeting, ENTRIES)
    assert turns[0].text == "The funding is committed, and most of it will flow in the next fiscal year.", turns
    # "please" inside a sentence, or a call with too little after it, cuts nothing
    for said in ("Please support the text. We urge member states to accede.", "Thanks, Canada. Please. Yes."):
        kept, _ = split_turns([utterance("S0", said, 0)], ENTRIES)
        assert len(kept) == 1, kept


def test_several_speakers_in_one_voice_each_keep_their_own_label():
    """Three delegations diarized as one voice (S1): each turn takes the label the chair gave it;
    one voice is not one label."""
    meeting = [
        utterance("S0", "I give the floor to the distinguished delegation of Canada.", 0),
        utterance("S1", "Thank you, Chair. We urge member states to accede to the convention.", 5),
        utterance("S0", "Thank you, Canada. Brazil, you have the floor.", 15),
        utterance("S1", "Thank you, Chair. Capacity building must reach every member state.", 20),
        utterance("S0", "Thank you, Brazil. I now recognize the delegation of Peru.", 30),
        utterance("S1", "Thank you. Mutual assistance must become faster among our countries.", 35),
        utterance("S0", "Thank you, Peru. The meeting is adjourned.", 45),
    ]
    assert [u.attribution for u in attribute(meeting, SPEC)] == [
        "Chair", "Canada", "Chair", "Brazil", "Chair", "Peru", "Chair"]


def test_a_sentence_that_goes_on_in_another_voice_keeps_its_speaker():
    """Diarization split Canada's turn mid-sentence into Peru's voice (S2): "... Canada would
    like to" | "support the proposal ..." is one speaker (no full stop, lower case, no pause),
    not Peru, whose voice it is."""
    meeting = [
        utterance("S0", "Peru, you have the floor.", 0),
        utterance("S2", "Thank you, Chair. Peru supports the work of the secretariat.", 3),
        utterance("S0", "Thank you, Peru. Canada, you have the floor.", 10),
        utterance("S1", "Thank you, Chair. Canada would like to", 14),
        utterance("S2", "support the proposal and thanks the secretariat for its report.", 16.6),
        utterance("S0", "Thank you, Canada. The meeting is adjourned.", 25),
    ]
    assert [u.attribution for u in attribute(meeting, SPEC)] == [
        "Chair", "Peru", "Chair", "Canada", "Canada", "Chair"]


def test_a_turn_without_a_cue_takes_its_voice_only_when_the_voice_is_clear():
    """A voice's other turns name it: a turn of that voice with no cue of its own takes the label
    (its evidence says so). Its turn in another language (a delegation merged into Canada's voice
    that speaks Spanish) is flagged rather than called Canada silently."""
    meeting = [
        utterance("S0", "I give the floor to the distinguished delegation of Canada.", 0),
        utterance("S1", "Thank you, Chair. We urge member states to accede to the convention.", 5),
        utterance("S0", "Thank you, Canada. The floor is open.", 15),
        utterance("S1", "Canada would also like to add a word on cooperation among states.", 20),
        utterance("S0", "Please, go ahead.", 30),
        utterance("S1", "We also support the protocol and its follow-up mechanism.", 35),
        utterance("S0", "The floor is open.", 45),
        utterance("S1", "Apoyamos el protocolo y su mecanismo de seguimiento para todos.", 50),
        utterance("S0", "The meeting is adjourned.", 60),
    ]
    meeting[7].language = "es"
    attributed = attribute(meeting, SPEC)
    assert attributed[5].attribution == "Canada" and not attributed[5].review
    assert any(e.kind == "voice:Canada" for e in attributed[5].evidence)
    assert attributed[7].review


def _canada_asks() -> list:
    """The chair gives Canada the floor and Canada asks the secretariat a question (turns 0-1, 0-15 s)."""
    return [
        utterance("S0", "Canada, you have the floor.", 0),
        utterance("S1", "Thank you, Chair. When will the secretariat publish the evaluation of the program?", 5),
    ]


def test_thanks_after_an_answer_go_to_whom_the_floor_was_given():
    """A hearing: the chair gives Canada the floor, Canada asks, the official answers in a voice
    of her own, and the chair thanks Canada. The thanks are Canada's, not the answer's."""
    meeting = _canada_asks() + [
        utterance("S2", "The evaluation will be published before the end of the year, with its figures.", 15),
        utterance("S0", "Thank you, Canada. Peru, you have the floor.", 25),
        utterance("S3", "Peru supports the proposal and asks for a timetable.", 30),
    ]
    attributed = attribute(meeting, SPEC)
    assert attributed[1].attribution == "Canada"
    assert not any(e.kind.endswith(":Canada") for e in attributed[2].evidence), attributed[2].evidence
    assert attributed[2].attribution != "Canada" or attributed[2].review


def test_thanks_go_to_the_turn_that_named_itself_when_the_floor_was_misheard():
    """The floor's name was not made out ("I now invite Dr. Yomarov" for Ms. Umarov), but the
    member named herself: the chair's thanks after the answer are hers, not the answer's."""
    meeting = [
        utterance("S0", "The floor is open. I now invite Dr. Yomarov to take the floor.", 0),
        utterance("S1", "Thank you, Chair. Canada would like to know when the evaluation will be published.", 5),
        utterance("S2", "The evaluation will be published before the end of the year, with its figures.", 15),
        utterance("S0", "Thank you, Canada. Peru, you have the floor.", 25),
        utterance("S3", "Peru supports the proposal and asks for a timetable.", 30),
    ]
    attributed = attribute(meeting, SPEC)
    assert attributed[1].attribution == "Canada"
    assert not any(e.kind.endswith(":Canada") for e in attributed[2].evidence), attributed[2].evidence


@pytest.mark.parametrize("call", [
    "Ms. Treppel, please.",
    # held-out w9031: Minister Abara's name not made out, nobody thanked in the call
    "Minister Ramara, you have the floor.",
])
def test_thanks_pass_over_the_witness_the_chair_called_within_the_slot(call):
    """The chair gives Canada the floor, Canada asks, the chair calls the official to answer
    (her name heard or not), then thanks Canada: the thanks reach past that call to Canada's
    question, and the answer gets nothing of Canada's."""
    meeting = _canada_asks() + [
        utterance("S0", call, 15),
        utterance("S2", "The evaluation will be published before the end of the year, with its figures.", 18),
        utterance("S0", "Thank you, Canada. Peru, you have the floor.", 28),
        utterance("S3", "Peru supports the proposal and asks for a timetable.", 33),
    ]
    attributed = attribute(meeting, SPEC)
    assert attributed[1].attribution == "Canada"
    assert attributed[3].attribution == "Alison Treppel" if "Treppel" in call else attributed[3].attribution != "Canada"
    assert not any(e.kind.endswith(":Canada") for e in attributed[3].evidence), attributed[3].evidence


def _thanks_reach_the_question(attributed, question: int, answer: int) -> None:
    """The chair's thanks for Canada reached the question; the official's answer keeps her name."""
    assert any(e.kind == "previous:Canada" for e in attributed[question].evidence), attributed[question].evidence
    assert attributed[answer].attribution == "Alison Treppel"
    assert not any(e.kind.endswith(":Canada") for e in attributed[answer].evidence), attributed[answer].evidence


def test_thanks_after_a_called_witness_go_to_the_question_when_the_floor_was_not_heard():
    """Nobody was named when the member got the floor ("Please, go ahead."); the chair then called
    the official and thanked Canada after her answer: the thanks are the question's."""
    meeting = [
        utterance("S0", "Please, go ahead.", 0),
        utterance("S1", "When will the secretariat publish the evaluation of the program, and with what figures?", 3),
        utterance("S0", "Ms. Treppel, please.", 15),
        utterance("S2", "The evaluation will be published before the end of the year, with its figures.", 18),
        utterance("S0", "Thank you, Canada. Peru, you have the floor.", 28),
        utterance("S3", "Peru supports the proposal and asks for a timetable.", 33),
    ]
    _thanks_reach_the_question(attribute(meeting, SPEC), question=1, answer=3)


def _witness_then_a_question():
    """The official called by name twice, answering in a voice of her own; then a member's
    question after a call that names nobody (turns 0-5)."""
    return [
        utterance("S0", "Ms. Treppel, please.", 0),
        utterance("S2", "The secretariat trained officials from twelve member states this year.", 3),
        utterance("S0", "Ms. Treppel, you have the floor again.", 12),
        utterance("S2", "The evaluation will be published before the end of the year, with its figures.", 15),
        utterance("S0", "Please, go ahead.", 25),
        utterance("S1", "When will the secretariat publish the evaluation of the program, and with what figures?", 28),
    ]


def test_thanks_after_a_witness_answering_straight_away_go_to_the_question():
    """The official, called by name twice before in a voice of her own, answers straight after a
    question whose floor was not made out; the chair's thanks for Canada are the question's."""
    meeting = _witness_then_a_question() + [
        utterance("S2", "The figures will be in the annex of the report that the secretariat publishes.", 40),
        utterance("S0", "Thank you, Canada. Peru, you have the floor.", 50),
        utterance("S3", "Peru supports the proposal and asks for a timetable.", 55),
    ]
    _thanks_reach_the_question(attribute(meeting, SPEC), question=5, answer=6)


def test_thanks_after_a_witness_named_only_later_in_the_meeting_go_to_the_question():
    """Held-out committee: the minister answered straight after a question whose floor was not
    made out, and was called by name only later in the meeting; her voice is hers from the
    start, so the chair's thanks for Canada are the question's."""
    meeting = [
        utterance("S0", "Please, go ahead.", 0),
        utterance("S1", "When will the secretariat publish the evaluation of the program, and with what figures?", 3),
        utterance("S2", "The figures will be in the annex of the report that the secretariat publishes.", 15),
        utterance("S0", "Thank you, Canada. Ms. Treppel, please.", 25),
        utterance("S2", "The secretariat trained officials from twelve member states this year.", 28),
        utterance("S0", "Ms. Treppel, you have the floor again.", 37),
        utterance("S2", "The evaluation will be published before the end of the year, with its figures.", 40),
        utterance("S0", "Peru, you have the floor.", 50),
        utterance("S3", "Peru supports the proposal and asks for a timetable.", 55),
    ]
    _thanks_reach_the_question(attribute(meeting, SPEC), question=1, answer=2)


def test_thanks_for_a_name_not_made_out_after_a_witness_go_to_the_question():
    """Held-out committee 9021: "The next question goes to Ms. Amara." (Minister Abara) and, after
    her answer, "Thank you, Mr. Ache." (Mr. Achebe, whom nothing else names). Read among the
    unnamed, the thanks are the question's as they would be for a name made out, not the answer's."""
    meeting = _witness_then_a_question() + [
        utterance("S0", "The next question goes to Mr. Eighth.", 40),
        utterance("S2", "The figures will be in the annex of the report that the secretariat publishes.", 43),
        utterance("S0", "Thank you, Mr. Gashani. Peru, you have the floor.", 53),
        utterance("S3", "Peru supports the proposal and asks for a timetable.", 58),
    ]
    attributed = attribute(meeting, SPEC)
    assert any(e.kind == "previous:Martin Gershanik" for e in attributed[5].evidence), attributed[5].evidence
    assert attributed[7].attribution == "Alison Treppel", attributed[7]
    assert not any(e.kind.endswith(":Martin Gershanik") for e in attributed[7].evidence), attributed[7].evidence


def test_a_chairs_call_in_a_speakers_voice_does_not_make_the_statement_the_chairs():
    """Diarization put the chair's call ("Let's hear from Peru.") at the end of an official's
    answer, in her voice: the call is the chair's, and the voice they share does not carry the
    chair's label back onto the answer."""
    meeting = [
        utterance("S0", "Canada, you have the floor.", 0),
        utterance("S1", "Thank you, Chair. Canada urges member states to accede to the convention.", 5),
        utterance("S0", "Thank you, Canada.", 15),
        utterance("S2", "The evaluation will be published before the end of the year, with its figures. "
                        "Let's hear from Peru.", 18),
        utterance("S3", "Peru supports the proposal and asks for a timetable.", 33),
    ]
    attributed = attribute(meeting, SPEC)
    answer = next(u for u in attributed if u.text.startswith("The evaluation"))
    call = next(u for u in attributed if u.text.startswith("Let's hear"))
    assert answer.attribution != "Chair" and call.attribution == "Chair", [(u.attribution, u.text) for u in attributed]


def test_a_speaker_thanking_the_chair_inside_the_chairs_voice_is_not_the_chair():
    """Diarization merged a delegate into the chair's voice and the floor given was not heard: the
    delegate's "Thank you, Chair." starts a turn of its own, which is not called the Chair."""
    meeting = [
        utterance("S0", "Canada, you have the floor.", 0),
        utterance("S1", "Thank you, Chair. Canada urges member states to accede to the convention.", 5),
        utterance("S0", "Thank you, Canada. Next, the. Thank you, Chair. We support the proposal and ask for a timetable.", 15),
        utterance("S2", "Thank you, Chair. Peru supports the proposal as well.", 30),
    ]
    attributed = attribute(meeting, SPEC)
    courtesy = [u for u in attributed if u.text.startswith("Thank you, Chair. We support")]
    assert courtesy, [u.text for u in attributed]
    assert courtesy[0].attribution != "Chair" or courtesy[0].review, courtesy[0]


def test_a_name_closing_a_floor_givers_turn_gives_the_floor():
    """The chair's call came out garbled around two names ("Oye, Anne Grace Larsen, Oye Richard
    Lois, Dr. Rasmussen."): the name that closes the turn, right before a new voice, is called."""
    meeting = [
        utterance("S0", "Canada, you have the floor.", 0),
        utterance("S1", "Thank you, Chair. Canada urges member states to accede to the convention.", 5),
        utterance("S0", "Thank you, Canada. Oh, Brazil, oh, the delegation of Peru.", 15),
        utterance("S2", "Thank you, Chair. We support the proposal and ask for a timetable.", 20),
    ]
    attributed = attribute(meeting, SPEC)
    assert attributed[3].attribution == "Peru", attributed[3]
    assert any(e.kind == "next:Peru" for e in attributed[3].evidence)
    # held-out w9102: "Paraguay, Uruguay, Uruguay, Uruguay, Uruguay." for "... la distinguida
    # delegación de Perú": the decoder looping on a name calls no one
    meeting[2] = utterance("S0", "Thank you, Canada. Brazil, Peru, Peru, Peru, Peru.", 15)
    looped = attribute(meeting, SPEC)
    assert not any(e.kind == "next:Peru" for e in looped[3].evidence), looped[3].evidence


def test_a_member_in_the_chairs_voice_misnamed_as_addressed_keeps_the_floor_given():
    """Diarization merged a member into the chair's voice: the chair gives Peru the floor, Peru's
    "I'm Peru" comes out as a bare name ("I agree, Peru.", read as addressing Peru), and the
    chair's next call closes the same stretch. A bare name does not forbid its label (only
    giving the floor or thanking does), and the chair's call after a statement starts a turn."""
    meeting = [
        utterance("S0", "Canada, you have the floor.", 0),
        utterance("S1", "Thank you, Chair. Canada urges member states to accede to the convention.", 5),
        utterance("S0", "Thank you, Canada. I give the floor to the delegation of Peru. Thank you very much, Chair. "
                        "I agree, Peru. Mutual assistance must become faster among all of our countries. "
                        "I give the floor to Brazil.", 15),
        utterance("S2", "Thank you, Chair. Brazil supports the proposal and asks for a timetable.", 40),
    ]
    attributed = attribute(meeting, SPEC)
    assert [(u.attribution, u.text[:30]) for u in attributed] == [
        ("Chair", "Canada, you have the floor."),
        ("Canada", "Thank you, Chair. Canada urges"),
        ("Chair", "Thank you, Canada. I give the "),
        ("Peru", "Thank you very much, Chair. I "),
        ("Chair", "I give the floor to Brazil."),
        ("Brazil", "Thank you, Chair. Brazil suppo")]


def test_a_turn_takes_the_label_whose_turns_its_voiceprint_matches_inside_a_merged_voice():
    """Canada and Brazil diarized as one voice (S1): a turn of S1 that names nobody takes the
    label whose named turns sound like it (its voiceprint), not the voice's majority label."""
    meeting = [
        utterance("S0", "I give the floor to the distinguished delegation of Canada.", 0),
        utterance("S1", "Thank you, Chair. We urge member states to accede to the convention.", 5),
        utterance("S0", "Thank you, Canada. Brazil, you have the floor.", 15),
        utterance("S1", "Thank you, Chair. Capacity building must reach every member state.", 20),
        utterance("S0", "Thank you, Brazil. Canada, you have the floor again.", 30),
        utterance("S1", "Thank you. Canada would add that mutual assistance must become faster.", 35),
        utterance("S0", "Thank you, Canada. The floor is open.", 45),
        utterance("S1", "Capacity building also needs a budget that the member states can sustain.", 50),
        utterance("S0", "The meeting is adjourned.", 60),
    ]
    voices = [0, 1, 0, 2, 0, 1, 0, 2, 0]  # S1 holds two voices: Canada's (1) and Brazil's (2)
    attributed = attribute(meeting, SPEC, prints=voiceprints_for(meeting, voices))
    assert attributed[7].attribution == "Brazil" and not attributed[7].review, attributed[7]
    assert any(e.kind == "voice:Brazil" and "similar" in e.phrase for e in attributed[7].evidence)
    without = attribute(meeting, SPEC)  # the diarized voice alone: S1 is mostly Canada
    assert without[7].attribution != "Brazil"


def test_a_floor_given_to_an_opening_thanks_reaches_the_statement_diarized_after_it():
    """Held-out merged voices (seed 9033): Mexico's "Thank you very much, Chair." diarized as a
    voice of its own, its statement in Canada's voice: nobody takes the floor to say only that,
    so the floor given and the thanks after reach the statement, not the voice's other label."""
    def meeting(opening: str) -> list:
        return [
            utterance("S0", "I give the floor to the distinguished delegation of Canada.", 0),
            utterance("S1", "Thank you, Chair. Canada urges member states to accede to the convention.", 5),
            utterance("S0", "Thank you, Canada. The distinguished delegation of Mexico, you have the floor.", 15),
            utterance("S2", opening, 22),
            utterance("S1", "Small states need technical assistance to meet these commitments.", 26),
            utterance("S0", "Thank you, Mexico. The meeting is adjourned.", 32),
        ]
    opened = attribute(meeting("Thank you very much, Chair."), SPEC)
    assert opened[4].start - opened[3].end > 0.5  # a pause: not one flow of speech
    assert [u.attribution for u in opened] == ["Chair", "Canada", "Chair", "Mexico", "Mexico", "Chair"], \
        [(u.attribution, u.text) for u in opened]
    stated = attribute(meeting("Thank you very much, Chair. Mexico supports the report of the secretariat."), SPEC)
    assert stated[3].attribution == "Mexico" and stated[4].attribution == "Canada"  # a statement of its own before


def test_the_turn_called_by_a_name_not_made_out_is_not_the_chairs_in_the_chairs_voice():
    """Held-out merged voices (seed 9033): "I now invite my maidos to take the floor." (Barbados
    misheard), then Barbados's statement in the chair's voice, where its earlier statement was
    too: the floor went to someone, so the statement is not the chair's; the voiceprint names it,
    flagged (no name was heard)."""
    meeting = [
        utterance("S0", "I give the floor to the distinguished delegation of Canada.", 0),
        utterance("S1", "Thank you, Chair. Canada urges member states to accede to the convention.", 5),
        utterance("S0", "Thank you, Canada. Peru, you have the floor.", 15),
        utterance("S0", "Peru supports the protocol and its follow-up mechanism in every member state.", 19),
        utterance("S0", "Thank you, Peru. I now invite my maidos to take the floor.", 27),
        utterance("S0", "Good afternoon. We support this initiative and the protocol on cooperation among states.", 31),
        utterance("S0", "Thank you. The meeting is adjourned.", 40),
    ]
    attributed = attribute(meeting, SPEC, prints=voiceprints_for(meeting, [0, 1, 0, 3, 0, 3, 0]))
    assert [(u.attribution, u.review) for u in attributed[4:]] == [("Chair", False), ("Peru", True), ("Chair", False)], \
        [(u.attribution, u.review, u.text) for u in attributed]


def test_thanks_reach_the_members_voice_only_until_the_chair_spoke():
    """Held-out committee (wide phrasebook, seed 9031): the minister's answer, in the voice
    diarization shares with the member who asked, after the chair's call ASR garbled ("The
    flogger minister Amara." for "The floor goes to Minister Abara."): the chair spoke between,
    perhaps to call someone, so the thanks for the member do not reach the answer."""
    meeting = [
        utterance("S0", "Go ahead, Ms. Treppel.", 0),
        utterance("S1", "Thank you, Mr. Chair. I'm Alison Treppel. Why were the targets lowered in the latest plan?", 3),
        utterance("S0", "The flogger minister Amara.", 12),
        utterance("S1", "The targets were adjusted after consultations with industry and communities.", 15),
        utterance("S0", "Thanks, Ms. Treppel. Canada, you have the floor.", 22),
        utterance("S2", "Thank you, Chair. Canada urges member states to accede to the convention.", 27),
        utterance("S0", "Thank you, Canada. The meeting is adjourned.", 36),
    ]
    attributed = attribute(meeting, SPEC, prints=voiceprints_for(meeting, [0, 1, 0, 2, 0, 3, 0]))
    assert attributed[1].attribution == "Alison Treppel" and not attributed[1].review
    answer = attributed[3]
    assert answer.review and not any(e.kind == "previous:Alison Treppel" for e in answer.evidence), answer


def test_decoding_carries_a_label_through_a_turn_that_names_nobody():
    """Viterbi over the meeting: the same voice again right after its named turn keeps its label."""
    from pipeline.stages.attribute import AttributeOptions, decode

    # columns: Chair, Canada, Peru, nobody; turn 2 has no evidence at all.
    emission = [[1.0, 0, 0, 0.3], [0, 1.0, 0, 0.3], [0, 0, 0, 0.3], [1.0, 0, 0, 0.3]]
    import numpy as np

    path = decode(np.array(emission), ["S0", "S1", "S1", "S0"], 0, AttributeOptions())
    assert path == [0, 1, 1, 0]
    path = decode(np.array(emission), ["S0", "S1", "S2", "S0"], 0, AttributeOptions())
    assert path == [0, 1, 3, 0]  # a new voice with nothing said: nobody we can name


def test_what_follows_at_once_a_turn_that_only_opened_a_statement_is_the_same_speakers():
    """"Thank you, Mr. Chair. I'm Anne Umarov." in one voice, her question at once in another
    (diarization split her turn at the sentence, into a voice that holds another member): nobody
    takes the floor to say only that, so the question is hers."""
    meeting = [
        utterance("S0", "I give the floor to Ms. Alison Treppel.", 0),
        utterance("S1", "Thank you, Mr. Chair. I'm Alison Treppel.", 5),
        utterance("S2", "The secretariat trained officials from twelve member states this year.", 7.8),
        utterance("S0", "Thank you. Canada, you have the floor.", 15),
        utterance("S2", "Thank you, Chair. Canada urges member states to accede to the convention.", 20),
        utterance("S0", "Thank you, Canada. The meeting is adjourned.", 30),
    ]
    assert meeting[2].start - meeting[1].end <= 0.5
    attributed = attribute(meeting, SPEC)
    assert [u.attribution for u in attributed] == [
        "Chair", "Alison Treppel", "Alison Treppel", "Chair", "Canada", "Chair"], [(u.attribution, u.text) for u in attributed]
    def moved(speaker: str, pause: float) -> list:
        return [utterance(speaker if i == 2 else u.speaker, u.text, u.start + (pause if i == 2 else 0.0))
                for i, u in enumerate(meeting)]
    # After a pause the floor given to her still reaches it (she only thanked and introduced
    # herself); in the chair's voice it does not, and nothing else carries it.
    assert attribute(moved("S2", 3.0), SPEC)[2].attribution == "Alison Treppel"
    assert attribute(moved("S0", 3.0), SPEC)[2].attribution != "Alison Treppel"


def test_a_floor_given_to_a_name_not_made_out_goes_to_whom_nothing_else_names():
    """"Over to Ms. Osain" for Ms. Hussain: no entry matches the name well enough, but the roster
    is closed, so among those nothing else in the meeting names a recognisable likeness is the
    likeliest (a weak cue); a name that other cues already account for is not read again."""
    meeting = [
        utterance("S0", "I give the floor to Ms. Alison Treppel.", 0),
        utterance("S1", "Thank you, Chair. The secretariat trained officials from twelve member states.", 5),
        utterance("S0", "Thank you. Over to Mr. Gashani.", 15),
        utterance("S2", "The legal framework must be applied across the region without delay.", 20),
        utterance("S0", "Thank you. The meeting is adjourned.", 30),
    ]
    attributed = attribute(meeting, SPEC)
    assert attributed[3].attribution == "Martin Gershanik", attributed[3]
    assert any(e.kind == "next:Martin Gershanik" and "gashani" in e.phrase for e in attributed[3].evidence)
    named = [utterance("S3", "Thank you. I'm Martin Gershanik, and I support the convention.", 32)]
    again = attribute(meeting + named, SPEC)
    assert not any("gashani" in e.phrase for e in again[3].evidence), again[3].evidence


def test_thanks_for_a_name_not_made_out_go_to_whom_nothing_else_names():
    """The chair's Spanish call was lost and its thanks misheard ("Muchas gracias, Gashani." for
    Mr. Gershanik): among those nothing else names, the likeness names the turn before the thanks."""
    meeting = [
        utterance("S0", "I give the floor to Ms. Alison Treppel.", 0),
        utterance("S1", "Thank you, Chair. The secretariat trained officials from twelve member states.", 5),
        utterance("S0", "Thank you. Sí, adelante.", 15),
        utterance("S2", "The legal framework must be applied across the region without delay.", 20),
        utterance("S0", "Muchas gracias, Gashani. The meeting is adjourned.", 30),
    ]
    attributed = attribute(meeting, SPEC)
    assert attributed[3].attribution == "Martin Gershanik", attributed[3]
    assert any(e.kind == "previous:Martin Gershanik" for e in attributed[3].evidence), attributed[3].evidence


def test_cues_to_the_unnamed_reads_only_names_not_made_out():
    from meetings import ENTRIES

    from pipeline.text.cues import cues_to_the_unnamed

    people = [e for e in ENTRIES if e.kind == "person"]
    assert [c.label for c in cues_to_the_unnamed("Thank you. Over to Mr. Gashani.", ENTRIES, people)] == ["Martin Gershanik"]
    assert cues_to_the_unnamed("Over to Mr. Martin Gershanik.", ENTRIES, people) == []  # made out: a cue of its own
    assert cues_to_the_unnamed("Over to the next item.", ENTRIES, people) == []  # nothing recognisable
    assert [c.direction for c in cues_to_the_unnamed("Muchas gracias, Gashani.", ENTRIES, people)] == ["previous"]
    assert cues_to_the_unnamed("Muchas gracias, Gashani, for the very clear presentation of the report on"
                               " the work of the secretariat.", ENTRIES, people) == []  # too long for a bare thanks


def test_an_opening_is_a_speakers_not_the_chairs_hand_over():
    from meetings import ENTRIES

    from pipeline.stages.attribute import opening_only

    assert opening_only("Thank you, Mr. Chair. I'm Alison Treppel.", ENTRIES)
    assert opening_only("Good afternoon. I'm Alison Treppel.", ENTRIES)
    assert not opening_only("Thank you very much, Canada, over to Peru.", ENTRIES)  # the chair's hand-over
    assert not opening_only("Thank you very much, Canada.", ENTRIES)  # the chair's thanks
    assert not opening_only("Thank you, Chair. Canada supports the convention.", ENTRIES)  # a statement


def test_a_turn_that_only_hands_the_floor_on_is_the_chairs_in_any_voice():
    """The chair's "Over to Peru." diarized into the end of Canada's statement: it is cut off
    (a call after a statement) and, doing nothing but give the floor, is the chair's."""
    meeting = [
        utterance("S0", "Canada, you have the floor.", 0),
        utterance("S1", "Thank you, Chair. Canada urges member states to accede to the convention without delay. "
                        "Over to Peru.", 3),
        utterance("S2", "Peru supports the proposal of the delegation of Canada.", 12),
        utterance("S0", "Thank you, Peru. The meeting is adjourned.", 20),
    ]
    attributed = attribute(meeting, SPEC)
    assert [(u.attribution, u.text.split(".")[0]) for u in attributed] == [
        ("Chair", "Canada, you have the floor"), ("Canada", "Thank you, Chair"), ("Chair", "Over to Peru"),
        ("Peru", "Peru supports the proposal of the delegation of Canada"), ("Chair", "Thank you, Peru")]


def test_a_turn_called_by_a_name_not_made_out_is_flagged_when_only_its_voice_names_it():
    """Held-out committee (seed 9011): "I thank Heather Morrison, Mr. Egg, you have the floor." (Mr.
    Achebe misheard): the thanks are Ms. Morrison's, nobody made out is given the floor, and the
    next turn, in a voice another member's turns named, keeps that voice's label only flagged;
    the same turn called by a name heard is not."""
    def meeting(call: str) -> list:
        return [
            utterance("S0", "I give the floor to the distinguished delegation of Canada.", 0),
            utterance("S1", "Thank you, Chair. We urge member states to accede to the convention.", 5),
            utterance("S0", "Thank you, Canada. The floor is open.", 15),
            utterance("S1", "Canada would also like to add a word on cooperation among states.", 20),
            utterance("S0", call, 30),
            utterance("S1", "We also support the protocol and its follow-up mechanism.", 35),
            utterance("S0", "The meeting is adjourned.", 60),
        ]
    from pipeline.text.cues import PREVIOUS, find_cues, NEXT
    from meetings import ENTRIES

    said = [(c.direction, c.label) for c in find_cues("I thank Canada, Mr. Egg, you have the floor.", ENTRIES)]
    assert said == [(PREVIOUS, "Canada")], said
    unheard = attribute(meeting("I thank Canada, Mr. Egg, you have the floor."), SPEC)
    assert unheard[5].attribution == "Canada" and unheard[5].review, unheard[5]
    heard = attribute(meeting("I thank Canada. Canada, you have the floor again."), SPEC)
    assert heard[5].attribution == "Canada" and not heard[5].review, heard[5]
    # held-out w9041: "I now invite Louis Oduya to take the floor." heard as "I know, I know you'll
    # take the floor.": an invitation to take the floor called someone, whose name was lost
    invited = attribute(meeting("I thank Canada. I know, I know you'll take the floor."), SPEC)
    assert invited[5].attribution == "Canada" and invited[5].review, invited[5]
    assert (NEXT, "Canada") in [(c.direction, c.label) for c in find_cues("Thank you, Canada, you have the floor.", ENTRIES)]


def test_the_last_call_before_a_turn_gives_it_the_floor():
    """Held-out Spanish chair (seed 9002): "Agradezco a la delegación de Brasil." heard as "A la vez
    con la delegación de Brasil." (a bare name, read as a call), then "Adelante, la distinguida
    delegación de Ecuador." (Perú here): the turn after is the last called one's; the name before was the thanks'."""
    meeting = [
        utterance("S0", "Tiene la palabra la distinguida delegación de Brasil.", 0),
        utterance("S1", "Obrigado, senhor Presidente. O Brasil apoia esta iniciativa e o grupo de trabalho.", 5),
        utterance("S0", "A la vez con la delegación de Brasil.", 15),
        utterance("S0", "Adelante, la distinguida delegación de Perú.", 18),
        utterance("S2", "Gracias, Presidente. La sociedad civil debe ser consultada en todas las etapas.", 22),
        utterance("S0", "Se levanta la sesión.", 40),
    ]
    attributed = attribute(meeting, SPEC)
    assert attributed[4].attribution == "Peru" and not attributed[4].review, attributed[4]  # no doubt from Brazil


def _attributed_in(meeting, languages: list[str]):
    """``meeting`` attributed with each turn decoded in its language of ``languages``, among
    delegations of which only Canada speaks English and only Brazil Portuguese."""
    from pipeline.spec import Participants

    spec = SPEC.model_copy(update={"participants": Participants(delegations=["Argentina", "Brazil", "Canada", "Peru"])})
    for u, language in zip(meeting, languages):
        u.language = language
    return attribute(meeting, spec)


def test_a_turn_nothing_names_leans_to_the_one_delegation_that_speaks_its_language():
    """Held-out Spanish chair (seed 9002): Canada's call garbled ("Sí, adelante."), its statement
    in English the only English of the delegations' (Brazil speaks Portuguese, the rest Spanish):
    the turn is Canada's, flagged, the language its evidence. A Spanish turn nothing names stays
    nobody's: several delegations speak Spanish."""
    meeting = [
        utterance("S0", "Sí, adelante.", 0),
        utterance("S1", "Thank you, Mr. Chair. We believe that cooperation among member states is essential.", 3),
        utterance("S0", "Tiene la palabra la distinguida delegación de Perú.", 12),
        utterance("S2", "Gracias, Presidente. Perú desea formular dos comentarios sobre el informe.", 16),
        utterance("S0", "Sí, adelante.", 25),
        utterance("S3", "Gracias, Presidente. La sociedad civil debe ser consultada en todas las etapas.", 28),
    ]
    attributed = _attributed_in(meeting, ["es", "en", "es", "es", "es", "es"])
    assert attributed[1].attribution == "Canada" and attributed[1].review, attributed[1]
    assert attributed[1].evidence[0].kind == "language:Canada", attributed[1].evidence
    assert attributed[5].attribution is None, attributed[5]


def test_a_short_turn_in_a_language_its_voice_seldom_speaks_is_no_language_evidence():
    """Held-out w9042: the Spanish chair's "Agradezco a la delegación de Brasil." decoded as
    English ("Amele Nation of Brazil."), between two statements; the language said Canada, and
    through the voice the chair's other turns followed. A turn in another language than the one
    its voice speaks most is the ASR's guess: no evidence. Canada in its own voice still is."""
    meeting = [
        utterance("S0", "Tiene la palabra la distinguida delegación de Perú.", 0),
        utterance("S2", "Gracias, Presidente. Perú desea formular dos comentarios sobre el informe.", 4),
        utterance("S0", "Amele Nation of Brazil.", 13),
        utterance("S3", "Obrigado, Senhor Presidente. O Brasil apoia a proposta de criar um grupo de trabalho.", 16),
        utterance("S0", "Sí, adelante.", 25),
        utterance("S1", "Thank you, Mr. Chair. We believe that cooperation among member states is essential.", 28),
    ]
    attributed = _attributed_in(meeting, ["es", "es", "en", "pt", "es", "en"])
    assert not any(e.kind.startswith("language:") for e in attributed[2].evidence), attributed[2]
    assert attributed[2].attribution != "Canada", attributed[2]
    assert attributed[5].attribution == "Canada" and attributed[5].evidence[0].kind == "language:Canada", attributed[5]


def test_a_delegation_in_the_chairs_voice_between_calls_heard_garbled():
    """Held-out w9042 (Spanish chair): Uruguay's two statements diarized into the chair's voice,
    the calls garbled ("el siguiente amor es la mule nación de", "Invito a la mera nación de mi
    guay a tomar la palabra"), and Paraguay naming itself with its verb misheard ("Paraguay polla
    esta iniciativa") after the chair's garbled thanks for Uruguay: Paraguay's statement was
    Uruguay's, unflagged, and both of Uruguay's nobody's. A name closing the chair's turn calls
    the next speaker when that one opens by thanking the chair, whatever the voice; an invitation
    to take the floor calls someone; and thanks for a name go past a turn that names itself
    otherwise."""
    meeting = [
        utterance("S0", "Escuchamos ahora a la distinguida delegación de Argentina.", 0),
        utterance("S1", "Gracias. Argentina agradece el informe y apoya la propuesta del grupo de trabajo.", 4),
        utterance("S0", "Muchas gracias, Argentina, el siguiente amor es la mule nación de Chile.", 12),
        utterance("S0", "Muchas gracias, señor Presidente. Es necesario mejorar la recolección de datos para medir "
                        "los resultados. Hablan esto a la mistima delegación de Chile.", 18),
        utterance("S2", "Gracias. Perú polla esta iniciativa, solicitamos a la Secretaría un calendario y un "
                        "presupuesto para la próxima etapa.", 30),
        utterance("S0", "Invito a la mera nación de mi guay a tomar la palabra.", 40),
        utterance("S0", "Gracias, Presidente. La sociedad civil debe ser consultada en todas las etapas de este "
                        "proceso.", 45),
        utterance("S0", "Gracias, la delegación de Chile. No habiendo otros asuntos, se levanta la sesión.", 53),
    ]
    attributed = attribute(meeting, SPEC)
    got = [(u.attribution, u.review) for u in attributed]
    assert got[1][0] == "Argentina" and got[4][0] == "Peru", got
    assert [a for a, _ in got[3:4] + got[6:7]] == ["Chile", "Chile"], [(u.attribution, u.review, u.text) for u in attributed]


def _canada_and_peru_named(third: str):
    """A spec of Canada, Peru and ``third`` (no officials, no blocks), and a meeting's opening in
    which the chair calls and thanks Canada and Peru by name, and each speaks in a voice of its own."""
    spec = SPEC.model_copy(deep=True)
    spec.participants.delegations, spec.participants.officials = ["Canada", "Peru", third], []
    for item in spec.order_of_business.items:
        item.blocks = []
    return spec, [
        utterance("S0", "I give the floor to the distinguished delegation of Canada.", 0),
        utterance("S1", "Thank you, Chair. Canada urges member states to accede to the convention.", 4),
        utterance("S0", "Thank you, Canada. Peru, you have the floor.", 12),
        utterance("S2", "Thank you, Chair. We support the protocol and its follow-up mechanism.", 16),
    ]


def test_the_one_delegation_never_named_leans_on_the_turns_called_unheard():
    """Held-out w9043: Barbados's name was never heard ("Let's hear from the delegation on Marma
    Inos.", "I am invited and I must take the floor."); both its statements were nobody's. With
    every other delegation named, a turn called by a name not made out leans to the one left,
    flagged wherever that label goes (a guess from a closed roster); with two left, to neither."""
    spec, meeting = _canada_and_peru_named("Chile")
    meeting += [
        utterance("S0", "Thanks, Peru. I am invited and I must take the floor.", 24),
        utterance("S3", "Gracias, señor Presidente. La sociedad civil debe ser consultada en todas las etapas.", 29),
        utterance("S0", "Thank you. The meeting is adjourned.", 38),
    ]
    meeting[5].language = "es"
    called = attribute(meeting, spec)
    assert (called[5].attribution, called[5].review) == ("Chile", True), called[5]
    spec.participants.delegations.append("Mexico")
    two_left = attribute(meeting, spec)
    assert two_left[5].attribution is None and two_left[5].review, two_left[5]
    # held-out w9212: the chair's own next words, in its voice, after a call not made out ("I'm
    # the FUMI SHIRA from the US" for "A continuación, Informe sobre ..."), are nobody's guess
    spec.participants.delegations.remove("Mexico")
    meeting[5] = utterance("S0", "Je suis la fumi shira du rapport du comité.", 29)
    meeting[5].language = "fr"  # in another language than its voice's: the voice says less
    chairs = attribute(meeting, spec)
    assert chairs[5].attribution != "Chile", chairs[5]


def test_the_one_delegation_never_named_leans_on_the_one_voice_never_named():
    """Held-out w9072: Brazil's Portuguese, in a voice of its own, was heard as English, and the
    chair's calls to it as "¡Amelante, por favor!" and "le voy a dar un abracio": nothing named
    Brazil, nothing named that voice, and both statements went to Canada (the only English
    speaker), flagged. The one name never heard and the one recurring voice never named lean to
    each other, flagged; a voice heard once (held-out w9071: a piece of a named member's voice)
    does not count; with a second recurring voice nothing names, to neither."""
    spec, meeting = _canada_and_peru_named("Brazil")
    meeting += [
        utterance("S0", "Thanks, Peru. Le voy a dar un abracio.", 24),
        utterance("S3", "Muita ombro e o radio, residenche, solicita-mos a secreta de a unha calenda.", 29),
        utterance("S4", "Don't see that I must kill that dog, that I saw in realness today.", 36),
        utterance("S3", "Don't blame, don't have the calendar of the secretariat for the region.", 42),
        utterance("S0", "Thank you. The meeting is adjourned.", 50),
    ]
    guessed = attribute(meeting, spec)
    assert [(u.attribution, u.review) for u in (guessed[5], guessed[7])] == [("Brazil", True)] * 2, guessed[5:8]
    assert guessed[6].attribution != "Brazil", guessed[6]
    meeting[7] = utterance("S4", "Don't blame, don't have the calendar of the secretariat for the region.", 42)
    meeting.insert(6, utterance("S3", "Muita ombro e o radio, residenche, a unha calenda de la region.", 34))
    two_voices = attribute(meeting, spec)
    assert "Brazil" not in {u.attribution for u in two_voices}, [(u.speaker, u.attribution) for u in two_voices]


def test_thanks_past_a_speaker_who_named_itself_reach_the_turn_before_them_too():
    """Held-out w9132 (Chile and Mexico in one voice): Chile spoke, Guatemala was called and said
    "Guatemala welcomes the report ...", the chair's "I'll now give the floor to Chile." came out
    as "I will now use the floor to choose.", and after Chile's second statement "Thank you very
    much, the delegation of Chile" went past Guatemala's turn to Chile's first only. Guatemala
    naming itself in between means no witness answered in Chile's slot: the floor came back to
    Chile, and the thanks reach the statement right before them too."""
    meeting = [
        utterance("S0", "Next on my list is Chile.", 0),
        utterance("S1", "Chile supports the report and the proposal of the Secretariat.", 3),
        utterance("S0", "Now the distinguished delegation of Guatemala is copied.", 12),
        utterance("S2", "Guatemala welcomes the report. My government has adopted a national strategy.", 15),
        utterance("S0", "I will now use the floor to choose.", 25),
        utterance("S1", "We reiterate our commitment to the inter-American system and to its programs.", 28),
        utterance("S0", "Thank you very much, the delegation of Chile. Peru, you have the floor.", 38),
    ]
    attributed = attribute(meeting, SPEC)
    assert any(e.kind == "previous:Chile" for e in attributed[5].evidence), attributed[5].evidence
    assert attributed[3].attribution == "Guatemala"


def test_thanks_right_after_the_call_of_the_same_name_are_that_speakers_opening():
    """Held-out w9042 (Spanish chair): Argentina's "Gracias. Argentina agradece el informe" came
    out in the chair's voice, right after the chair called Argentina, as "Gracias, Argentina a la
    de ser", the rest of the sentence in another voice. Nobody is thanked for a statement not yet
    made: the thanks are Argentina opening, and the floor given reaches the sentence it goes on
    with, in the other voice. Thanks after a correction of the same name stay the chair's."""
    chair_part = "Pasamos al punto dos. Escuchamos ahora a la distinguida delegación de Argentina."
    opened = utterance("S0", chair_part + " Gracias, Argentina a la de ser", 0)
    meeting = [
        opened,
        utterance("S1", "informe, apoyamos la propuesta de crear un grupo de trabajo y reiteramos nuestro "
                        "compromiso con el sistema interamericano.", opened.end + 0.2),
        utterance("S0", "Muchas gracias. Tiene la palabra la delegación de Chile.", opened.end + 8),
        utterance("S2", "Gracias, señor Presidente. Chile apoya el informe y la propuesta de la Secretaría.", opened.end + 12),
    ]
    got = [(u.attribution, u.text[:30]) for u in attribute(meeting, SPEC)]
    assert [a for a, _ in got] == ["Chair", "Argentina", "Argentina", "Chair", "Chile"], got


def test_thanks_for_the_name_just_called_open_that_speakers_statement_in_any_voice():
    """Held-out w9111 (Spanish chair): "Gracias, Argentina. Ofrezco la palabra a Ecuador." and then
    Ecuador's "Gracias. Ecuador agradece el informe. ..." heard as "Gracias, Ecuador a través del
    informe, ...", in Ecuador's own voice. The thanks to Ecuador ruled Ecuador out of the turn
    (nobody thanks themselves) and its 26 s went to the chair: the rule that reads such thanks as
    the speaker naming itself looked only at a voice merged with the chair's, and only when the
    call was the turn's last cue as listed (the thanks to Argentina came after it). Nobody is
    thanked for a statement not yet made, whoever's voice it is in."""
    meeting = [
        utterance("S0", "Muchas gracias. Tiene la palabra la delegación de Argentina.", 0),
        utterance("S1", "Gracias, Presidente. Argentina apoya el informe y la propuesta de la Secretaría.", 4),
        utterance("S0", "Gracias, Argentina. Ofrezco la palabra a Chile.", 14),
        utterance("S2", "Gracias, Chile a través del informe, solicitamos a la Secretaría un calendario y un "
                        "presupuesto para la próxima etapa.", 18),
        utterance("S0", "Le ofrezco la palabra a la delegación de Perú.", 30),
        utterance("S3", "Gracias, Presidente. Perú apoya esta iniciativa y el grupo de trabajo.", 34),
    ]
    got = [(u.attribution, u.text[:30]) for u in attribute(meeting, SPEC)]
    assert [a for a, _ in got] == ["Chair", "Argentina", "Chair", "Chile", "Chair", "Peru"], got


def test_thanks_for_a_delegation_are_thanks_to_it():
    """Held-out w9112 (merged voices): "Thank you, the distinguished delegation of Mexico." heard
    as "Thank you for the distinguished delegation of Mexico." was read as a bare name called
    (the words after "for" are what one is thanked for), and Mexico's statement before it went to
    Chile, who shares Mexico's voice. Nobody is thanked for a delegation: "for" there is "to"."""
    from pipeline.text.cues import PREVIOUS, find_cues
    from pipeline.text.roster import build_roster

    entries = build_roster(SPEC)
    cues = find_cues("Thank you for the distinguished delegation of Mexico.", entries)
    assert [(c.direction, c.label) for c in cues] == [(PREVIOUS, "Mexico")]
    cues = find_cues("Thank you for your statement, Mexico.", entries)
    assert (PREVIOUS, "Mexico") not in [(c.direction, c.label) for c in cues]


def test_a_longer_thanks_closing_a_statement_in_the_chairs_voice_is_cut_from_it():
    """Held-out w9053 (merged voices): "Thanks, the delegation of Mexico, Jamaica for asking for the
    floor." (the chair thanking Mexico and giving Jamaica the floor, in one sentence of 11 words)
    closed Mexico's turn in the voice Mexico shares with the chair, and was read as Mexico's."""
    meeting = [
        utterance("S0", "I give the floor to the distinguished delegation of Mexico.", 0),
        utterance("S0", "Thank you, Chair. Mexico supports the report and the work plan of the secretariat. "
                        "Thanks, the delegation of Mexico, Canada for asking for the floor.", 5),
        utterance("S1", "Thank you, Chair. Canada welcomes the report and the proposed timetable.", 20),
    ]
    got = [(u.attribution, u.text[:30]) for u in attribute(meeting, SPEC)]
    assert [a for a, _ in got] == ["Chair", "Mexico", "Chair", "Canada"], got


def test_a_few_words_right_before_a_speakers_thanks_to_the_chair_are_the_chairs():
    """Held-out w9073 (merged voices): the chair's "Up next is the distinguished delegation of
    Chile." came out as "... and you are made up | of a next-indistinguish delegation of
    Chile-Lili.", right before Chile's "Thank you very much, Chair", and went on Barbados's label
    as the sentence it finished; "Guatemala, the floor is yours." heard as "What in the world is
    yours?" was run into Guatemala's turn the same way. A few words said right before a
    speaker's thanks to the chair, without a pause, are the chair's, weakly (in w9073 the voice
    and the thanks after it still give Guatemala's to Guatemala); a greeting there is the
    speaker's own."""
    meeting = [
        utterance("S0", "I give the floor to the distinguished delegation of Canada.", 0),
        utterance("S1", "Thank you, Chair. Canada urges member states to accede to the convention.", 4),
        utterance("S0", "What in the world is yours? Thank you, Chair. Peru supports the protocol and its "
                        "follow-up mechanism.", 12),
        utterance("S0", "Thank you, Peru. The meeting is adjourned.", 26),
    ]
    got = [(u.attribution, u.text[:30]) for u in attribute(meeting, SPEC)]
    assert [a for a, _ in got] == ["Chair", "Canada", "Chair", "Peru", "Chair"], got
    meeting[2] = utterance("S2", "Good afternoon. Thank you, Chair. Peru supports the protocol and its follow-up "
                                 "mechanism.", 12)
    got = [(u.attribution, u.text[:30]) for u in attribute(meeting, SPEC)]
    assert [a for a, _ in got] == ["Chair", "Canada", "Peru", "Chair"], got


def test_a_sentence_run_from_one_labels_turn_into_anothers_goes_to_who_says_most_of_it():
    """Held-out w9073: the chair's "Thank you, Barbados. Up next is the distinguished delegation of
    Chile." began inside Barbados's voice and was heard as one sentence, "... ready to share our
    experience. and you are made up" | "of a next-indistinguish delegation of Chile-Lili.": its
    first five words stayed Barbados's, unflagged (1.7 s). The labels decided, such a sentence goes
    whole to the one who says most of it, either way; a pause, a full stop or a comma between
    keeps each (a statement cut off at a comma, the chair going on)."""
    from pipeline.stages.attribute import one_speaker_per_sentence

    def turns(first: str, second: str, gap: float = 0.1):
        a = utterance("S1", first, 0.0)
        b = utterance("S0", second, a.end + gap)
        a.attribution, b.attribution = "Barbados", "Chair"
        return [a, b]

    said = turns("We are ready to share our experience. and you are made up",
                 "of a next-indistinguish delegation of Chile-Lili.")
    one_speaker_per_sentence(said)
    assert said[0].text == "We are ready to share our experience."
    assert said[1].text == "and you are made up of a next-indistinguish delegation of Chile-Lili."
    assert said[1].start == said[1].words[0].start and said[0].end == said[0].words[-1].end

    said = turns("We are ready to share our experience and the training we", "offer. Thank you. Chile, please.")
    one_speaker_per_sentence(said)
    assert said[0].text.endswith("the training we offer.") and said[1].text == "Thank you. Chile, please."

    for said in (turns("We are ready to share our experience. and you are made up",
                       "of a next-indistinguish delegation of Chile.", gap=1.0),
                 turns("We call for training mechanisms for judges. Police and prosecutors, we now move",
                       "to the last item, the closing remarks."),
                 turns("We are ready to share our experience.", "and a next-indistinguish delegation of Chile.")):
        before = [t.text for t in said]
        one_speaker_per_sentence(said)
        assert [t.text for t in said] == before


def test_a_name_heard_again_in_a_call_is_evidence_for_the_turn_called():
    """"I now give the floor to Paul Sutter." named no one; relisten heard "Brazil" there against
    the roster (:func:`pipeline.stages.relisten.hear_names`). The turn it calls, which names
    nobody, takes Brazil on that evidence, as weak as a bare name's; without it, the turn is not
    Brazil's."""
    meeting = [utterance("S0", "Thank you, Canada. I now give the floor to Paul Sutter.", 0),
               utterance("S1", "Good afternoon. We support this initiative and the protocol before us.", 5)]
    call = meeting[0].words[-2]
    heard = [{"start": call.start, "end": meeting[0].end, "speaker": "S0", "label": "Brazil",
              "was": "Paul Sutter.", "as": "Brazil", "probability": 0.9}]
    attributed = attribute([utterance(u.speaker, u.text, u.start) for u in meeting], SPEC, heard=heard)
    assert attributed[1].attribution == "Brazil", attributed[1]
    assert any(e.kind == "heard:Brazil" and e.weight == 0.45 for e in attributed[1].evidence), attributed[1].evidence
    unheard = attribute([utterance(u.speaker, u.text, u.start) for u in meeting], SPEC)
    assert unheard[1].attribution != "Brazil"


def test_a_name_heard_again_in_an_introduction_is_evidence_for_its_own_turn():
    """Held-out w9201: "Afternoon, I'm not Melinsky." named no one; relisten heard Mr. Zielinski
    there (``"direction": "self"``). The evidence is for the turn that says it, not the next."""
    meeting = [utterance("S0", "Thank you, Canada. Please.", 0),
               utterance("S1", "Good afternoon, I'm Paul Sutter. We support this initiative and the protocol.", 5),
               utterance("S2", "Thank you. The text deserves the support of every member state here.", 12)]
    name = meeting[1].words[3]
    heard = [{"start": name.start, "end": meeting[1].words[4].end, "speaker": "S1", "label": "Brazil",
              "was": "Paul Sutter.", "as": "Brazil", "probability": 0.9, "direction": "self"}]
    attributed = attribute([utterance(u.speaker, u.text, u.start) for u in meeting], SPEC, heard=heard)
    assert attributed[1].attribution == "Brazil", attributed[1]
    assert any(e.kind == "heard:Brazil" for e in attributed[1].evidence), attributed[1].evidence
    assert not any(e.kind == "heard:Brazil" for e in attributed[2].evidence), attributed[2].evidence


def _at(attributed, text: str):
    """The attributed utterance that holds ``text``."""
    return next(u for u in attributed if text in u.text)


def test_the_answer_after_a_call_in_the_callers_voice_is_the_one_called():
    """Held-out w9171: "Up next is Mr. Abara." and the minister's answer in one utterance of the
    chair's voice. The chair handed the floor on, so the voice says nothing of the answer: the
    call names it, whatever the chair's other turns in that voice are."""
    meeting = _canada_asks() + [
        utterance("S0", "Thank you, Canada. Up next is Ms. Treppel. The evaluation will be published before the "
                        "end of the year, with its figures.", 15),
        utterance("S0", "Peru, you have the floor.", 35),
        utterance("S3", "Peru supports the proposal and asks for a timetable.", 40),
    ]
    attributed = attribute(meeting, SPEC)
    assert _at(attributed, "The evaluation will be").attribution == "Alison Treppel"
    assert _at(attributed, "Up next is").attribution == "Chair"


def test_a_statement_the_chair_thanks_someone_right_after_in_one_breath_is_not_the_chairs():
    """Held-out w9171: the minister's answer, then the chair's "Thank you very much, Mr. Hussain.
    Over to ...", diarized as one utterance of the chair's voice. A chair thanks a speaker once
    they have spoken, not after speaking itself: the answer is not the chair's."""
    meeting = _canada_asks() + [
        utterance("S0", "The evaluation will be published before the end of the year, with its figures. "
                        "Thank you, Canada. Peru, you have the floor.", 15),
        utterance("S3", "Peru supports the proposal and asks for a timetable.", 35),
        utterance("S0", "Thank you, Peru. The meeting is adjourned.", 45),
    ]
    attributed = attribute(meeting, SPEC)
    assert _at(attributed, "The evaluation will be").attribution != "Chair"
    assert _at(attributed, "Thank you, Canada.").attribution == "Chair"


def test_thanks_for_the_question_after_one_open_another_speakers_answer():
    """Held-out w9191: a member's question and the official's answer diarized as one utterance of
    the member's voice. Whoever thanks for the question is not who asked it: the answer is cut
    from the question and is not the member's. Said in the middle of an answer, after a
    statement rather than a question, the same words change nobody."""
    meeting = [
        utterance("S0", "Canada, you have the floor.", 0),
        utterance("S1", "Thank you, Chair. When will the secretariat publish the evaluation of the program? "
                        "Thank you for the question. The evaluation will be published before the end of the year.", 5),
        utterance("S0", "Thank you, Canada. Ms. Treppel, please.", 30),
        utterance("S2", "The figures will be in the annex of the report. Thank you for the question. The "
                        "secretariat trained officials from twelve member states.", 35),
        utterance("S0", "Peru, you have the floor.", 55),
        utterance("S3", "Peru supports the proposal and asks for a timetable.", 60),
    ]
    attributed = attribute(meeting, SPEC)
    assert _at(attributed, "When will the secretariat").attribution == "Canada"
    answer = _at(attributed, "Thank you for the question. The evaluation")
    assert answer.text.startswith("Thank you for the question.") and answer.attribution != "Canada", answer
    whole = _at(attributed, "The figures will be in the annex")
    assert "twelve member states" in whole.text and whole.attribution == "Alison Treppel", whole
    # held-out w9191: the question need not close the member's words ("... last spring? I would
    # like to follow up on the question of housing for veterans. | Thank you for the question.")
    meeting[1] = utterance("S1", "Thank you, Chair. When will the secretariat publish the evaluation of the program? "
                                 "I would like to follow up on the question of training. Thank you for the question. "
                                 "The evaluation will be published before the end of the year.", 5)
    attributed = attribute(meeting, SPEC)
    answer = _at(attributed, "Thank you for the question. The evaluation")
    assert answer.text.startswith("Thank you for the question.") and answer.attribution != "Canada", answer


@pytest.mark.parametrize("text, asking", [
    ("Will the department publish the evaluation that was completed last spring?", True),
    # held-out w9191: questions the ASR did not mark
    ("Thank you very much, care. What share of the funding can actually be spent in rural communities, "
     "the numbers in your report do not match.", True),
    ("Minister, how many new inspectors will be hired under this plan, and when, I will small businesses.", True),
    ("Thank you for the question. The department has hired one hundred inspectors so far.", False),
    ("When the programme started, we had two inspectors in the region.", False),  # a clause, not a question
    ("May the connection improve before we can measure results.", False),
])
def test_a_turn_asks_by_its_question_mark_or_its_shape(text, asking):
    from pipeline.stages.attribute import asks

    assert asks(utterance("S1", text, 0)) is asking


def test_a_labels_habit_of_asking_or_answering_is_learnt_from_the_turns_named_clearly():
    """Held-out w9201: a misheard call ("Let's log on to Eleanor Barrett." for "Let's hear from
    Minister Abara.") gave three of the minister's answers to a member who only ever asked. What a
    label does in the turns its name is clear for (asks, or not) is evidence for the others: a
    member's question leans to those who ask, an answer to those who answer. Fewer than three
    clear turns teach nothing; the chair's habit is never learnt; where nobody asks, nothing."""
    import numpy as np

    from pipeline.stages.attribute import ACT_CAP, act_habits

    labels = ["Chair", "Canada", "Peru"]
    texts = ["Why was the programme delayed?", "How many inspectors were hired?", "Will the report be published?",
             "The targets were adjusted.", "We are working with the provinces.", "The funding is committed.",
             "Is it agreed?", "Is it agreed?", "Is it agreed?",
             "When will it be published?", "The evaluation comes out in summer."]
    turns = [utterance("S1", text, 10.0 * k) for k, text in enumerate(texts)]
    said = np.zeros((len(turns), len(labels)))
    for t, column in enumerate([1, 1, 1, 2, 2, 2, 0, 0, 0]):
        said[t, column] = 1.0  # named clearly: a call, a thanks
    habits = act_habits(turns, said, labels)
    asking, answering = habits[9], habits[10]
    assert asking[1] > 0 > asking[2] and answering[2] > 0 > answering[1]
    assert not habits[:, 0].any()  # the chair asks the meeting: no habit
    assert np.abs(habits).max() <= ACT_CAP

    said[5, 2] = 0.0  # Peru named clearly twice only: no habit yet
    assert not act_habits(turns, said, labels)[:, 2].any()
    statements = [utterance("S1", "We support the proposal.", 10.0 * k) for k in range(11)]
    said[5, 2] = 1.0
    assert not act_habits(statements, said, labels).any()  # nobody asks: a round of statements


def test_an_answer_in_a_voice_shared_with_one_who_asks_goes_to_the_one_who_answers():
    """One voice holds Canada's questions and Peru's answers (diarization merged them); each named
    clearly three times. A turn in that voice the chair only says "Go ahead." to, that answers,
    is Peru's, not Canada's, though Canada's name was heard once more in that voice."""
    meeting = []
    for k in range(3):
        meeting += [utterance("S0", "Canada, you have the floor.", 100.0 * k),
                    utterance("S1", "Thank you, Chair. Why was the programme delayed by two years?", 100.0 * k + 5),
                    utterance("S0", "Peru, you have the floor.", 100.0 * k + 20),
                    utterance("S1", "Thank you, Chair. The targets were adjusted after consultations with industry.", 100.0 * k + 25)]
    meeting += [utterance("S0", "Canada, you have the floor.", 300),
                utterance("S1", "Thank you, Chair. Will the department publish the evaluation before the summer?", 305),
                utterance("S0", "Go ahead.", 320),
                utterance("S1", "We are working with the provinces to reduce the backlog, and the numbers are improving.", 325)]
    attributed = attribute(meeting, SPEC)
    assert _at(attributed, "We are working").attribution == "Peru"
    assert _at(attributed, "Will the department").attribution == "Canada"
