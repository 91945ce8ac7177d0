"""The chair's floor cues on hand-made sentences: who is given the floor, thanked, named, corrected."""

from __future__ import annotations

import pytest
from meetings import ENTRIES, SPEC, words

from pipeline.text.cues import NEXT, PREVIOUS, SELF, VOCATIVE_WEIGHT, find_cues, manages_the_floor, thanks_unnamed
from pipeline.text.roster import build_roster


@pytest.mark.parametrize("text, expected", [
    ("I give the floor to the distinguished delegation of Canada.", (NEXT, "Canada")),
    ("Thank you. Brazil, you have the floor.", (NEXT, "Brazil")),
    ("I recognize the delegation of the United States.", (NEXT, "United States")),
    ("Thank you, Peru.", (PREVIOUS, "Peru")),
    ("Tiene la palabra la delegación de México.", (NEXT, "Mexico")),
    ("Je donne la parole à la délégation du Canada.", (NEXT, "Canada")),
    ("Tem a palavra a delegação do Brasil.", (NEXT, "Brazil")),
    ("Gracias, Perú.", (PREVIOUS, "Peru")),
    ("Thank you, Chair. Chile would like to stress the point.", (SELF, "Chile")),
    ("I give the floor to Ms. Allyson Trappell.", (NEXT, "Alison Treppel")),  # as ASR spelled it
    ("I give the floor to the Executive Secretary of CICTE.", (NEXT, "Alison Treppel")),
])
def test_cues(text, expected):
    spec = SPEC.model_copy(deep=True)
    spec.participants.delegations += ["Mexico"]
    cues = find_cues(text, build_roster(spec))
    assert expected in {(c.direction, c.label) for c in cues}, cues


def test_no_cue_in_substance():
    assert find_cues("Cybercrime has become one of the main tools of organized crime.", ENTRIES) == []


@pytest.mark.parametrize("text, expected", [
    ("My apologies, that was the delegation of Mexico.", "Mexico"),
    ("Thank you. Sorry, it was the distinguished delegation of Chile.", "Chile"),
    ("Perdón, era la delegación de México.", "Mexico"),
    ("My apologies. That was the delegation of Mexico.", "Mexico"),  # ASR cut the sentence there
    ("Excusez-moi, c'était la délégation du Mexique.", "Mexico"),
    ("Desculpem, foi a delegação do México.", "Mexico"),
])
def test_corrections_name_the_previous_speaker(text, expected):
    spec = SPEC.model_copy(deep=True)
    spec.participants.delegations += ["Mexico"]
    cues = find_cues(text, build_roster(spec))
    assert any(c.direction == PREVIOUS and c.label == expected and c.weight > 1 for c in cues), cues


@pytest.mark.parametrize("text", ["Perdón, la reunión es importante para todos.",
                                  "Excuse me, it was a long report. Thank you."])
def test_courtesy_is_not_a_correction(text):
    assert not [c for c in find_cues(text, ENTRIES) if c.correction], find_cues(text, ENTRIES)


@pytest.mark.parametrize("text, expected", [
    ("We'll now go to the delegation of Canada.", (NEXT, "Canada")),
    ("And over to Brazil.", (NEXT, "Brazil")),
    ("The next question goes to Ms. Treppel.", (NEXT, "Alison Treppel")),
    ("Next on my list is Peru.", (NEXT, "Peru")),
    ("The next speaker is the distinguished representative of Chile.", (NEXT, "Chile")),
    ("I thank Canada. Let's hear from the delegation of Brazil.", (NEXT, "Brazil")),
    ("I thank Canada. Let's hear from the delegation of Brazil.", (PREVIOUS, "Canada")),
    ("Muchas gracias, Canadá. A continuación, México.", (NEXT, "Mexico")),
    ("El siguiente orador es la delegación de Guatemala.", (NEXT, "Guatemala")),
    ("Passo a palavra à delegação do Brasil.", (NEXT, "Brazil")),
    ("La parole est à la délégation du Canada.", (NEXT, "Canada")),
    ("Perú, usted tiene la palabra.", (NEXT, "Peru")),
    ("Thank you, Chile, the delegation of Peru, you're on the floor.", (NEXT, "Peru")),
    ("Brazil, you are on the floor.", (NEXT, "Brazil")),
    ("Adelante, la distinguida delegación de Chile, con la que cerramos la lista de oradores.", (NEXT, "Chile")),
    ("Gracias, Canadá, adelante, Perú.", (NEXT, "Peru")),
])
def test_the_many_ways_of_giving_the_floor(text, expected):
    assert expected in [(c.direction, c.label) for c in find_cues(text, ENTRIES)], find_cues(text, ENTRIES)


@pytest.mark.parametrize("text", [
    "Canada, please wait a moment.",
    "Mexico, please bear with us.",
    "We now move to item two, the adoption of the order of business.",
    "Muchas gracias, Canadá. Adelante, por favor.",
])
def test_requests_and_announcements_give_no_floor(text):
    assert not [c for c in find_cues(text, ENTRIES) if c.direction == NEXT], find_cues(text, ENTRIES)


# Ways of giving the floor written from OAS and parliamentary practice, not from the phrasebook
# the composed samples draw from (audio_samples/compose.py): verbs of giving, passing, inviting,
# hearing and starting with someone, adverbs between verb and object, the name before or after
# the words that hand over the floor, in the four languages. Each is a clear cue (an act of the
# chair's, stronger than a bare name's 0.5), not the weak fallback for a name in a short sentence.
@pytest.mark.parametrize("text, expected", [
    ("I'll now give the floor to Chile.", "Chile"),
    ("I am pleased to hand the floor over to Ms. Treppel.", "Alison Treppel"),
    ("The floor now goes to the delegation of Argentina.", "Argentina"),
    ("The delegation of Brazil has the floor.", "Brazil"),
    ("I now call upon the representative of Guatemala.", "Guatemala"),
    ("Next is Peru.", "Peru"),
    ("Up next we have Canada.", "Canada"),
    ("Then the delegation of Guatemala.", "Guatemala"),
    ("Mexico, over to you.", "Mexico"),
    ("Canada, it's your turn.", "Canada"),
    ("We'll start with Argentina.", "Argentina"),
    ("Let's begin with the delegation of Brazil.", "Brazil"),
    ("Ms. Treppel, you have up to ten minutes for your presentation.", "Alison Treppel"),
    ("Chile, you have five minutes.", "Chile"),
    ("Go ahead, Mr. Gershanik.", "Martin Gershanik"),
    ("Mexico, you may proceed.", "Mexico"),
    ("The United States has requested the floor.", "United States"),
    ("Le damos la palabra a la delegación de Perú.", "Peru"),
    ("Cedo ahora la palabra a la delegación de Guatemala.", "Guatemala"),
    ("Le ofrezco la palabra a la distinguida delegación de Chile.", "Chile"),
    ("Invito a la delegación de México a tomar la palabra.", "Mexico"),
    ("Con la palabra, la delegación de Belice.", "Belize"),
    ("Corresponde el turno a la delegación de Chile.", "Chile"),
    ("Seguidamente, la delegación de Guatemala.", "Guatemala"),
    ("Escuchamos ahora a la delegación de Argentina.", "Argentina"),
    ("Pasamos a la delegación de Brasil.", "Brazil"),
    ("La delegación de México tiene la palabra.", "Mexico"),
    ("Passo agora a palavra à delegação do Chile.", "Chile"),
    ("Com a palavra, a delegação do Brasil.", "Brazil"),
    ("Convido a delegação do Peru a fazer uso da palavra.", "Peru"),
    ("A delegação do Canadá tem a palavra.", "Canada"),
    ("Je donne maintenant la parole à la délégation du Mexique.", "Mexico"),
    ("Je passe maintenant la parole au Canada.", "Canada"),
    ("J'invite la délégation du Chili à prendre la parole.", "Chile"),
    ("La délégation du Pérou a la parole.", "Peru"),
    ("C'est au tour de la délégation du Brésil.", "Brazil"),
    ("Vous avez la parole, Madame Treppel.", "Alison Treppel"),
    # the noun misheard (held-out w9032: "orador" heard as "amor"), a delegation or title said
    ("El siguiente amor es la delegación de Perú.", "Peru"),
    ("The next beaker is the distinguished delegation of Canada.", "Canada"),
    ("The next peaker is Ms. Treppel.", "Alison Treppel"),
    # held-out w9121: "el turno a la distinguida" garbled between the verb and the delegation
    ("Gracias, Perú. corresponde tu en la la distinguda delegación de Brasil.", "Brazil"),
])
def test_a_class_of_phrasings_gives_the_floor(text, expected):
    cues = [c for c in find_cues(text, ENTRIES) if c.direction == NEXT and c.label == expected]
    assert cues and max(c.weight for c in cues) >= 0.5 and any(c.act for c in cues), find_cues(text, ENTRIES)


@pytest.mark.parametrize("text", [
    "We'll start with the report of Canada on its national strategy.",  # the name a few words on
    "Next is the question of funding for Peru and the Caribbean states.",
    "I will continue with the presentation of Ms. Treppel's office and its programmes.",
    "Then Canada will host the meeting next year, and we will all be there to see it.",
    "Pasamos al siguiente punto del orden del día, el informe de Perú.",
    "Le damos la bienvenida a la delegación de Perú y a todos los presentes en la sala hoy.",
    "Gracias, Canadá, adelante, Perú.",  # the name before "adelante" is the thanks'
    "The next step is a regional programme that Canada and Peru will fund together next year.",
    "El siguiente paso es que la secretaría presente el informe de Perú a los Estados miembros.",
    "Corresponde a la delegación de México presentar el informe sobre el programa.",  # the name does not close it
])
def test_the_same_words_introducing_something_else_give_no_floor(text):
    calls = {c.label for c in find_cues(text, ENTRIES) if c.direction == NEXT and c.act}
    assert calls <= ({"Peru"} if "adelante" in text else set()), find_cues(text, ENTRIES)


@pytest.mark.parametrize("text, runs_the_meeting", [
    ("Please.", True), ("Go ahead, please.", True), ("Yes, please go ahead.", True), ("Sí, adelante.", True),
    ("Please, we must act on this report.", False), ("Go ahead with the plan, we say.", False),
])
def test_the_floor_given_to_no_name_runs_the_meeting(text, runs_the_meeting):
    """"Please." alone is the chair inviting the speaker it has just recognised: no point of the minutes."""
    assert manages_the_floor(text, ENTRIES) is runs_the_meeting


@pytest.mark.parametrize("text, runs_the_meeting", [
    ("Ms., one moment please, we have a speakers' list.", True),
    ("In this one moment, Grace, we have a stake at least.", True),  # the same, as ASR heard it
    ("Minister, please wait a moment; I will come back to you.", True),
    ("Un momento, por favor, tenemos una lista de oradores.", True),
    ("At the moment the department has no plan for the bridges.", False),
    ("At one moment in the year the estimates are reviewed.", False),
])
def test_holding_the_floor_runs_the_meeting(text, runs_the_meeting):
    """Asking a speaker to wait gives no floor, and is no point of the minutes either."""
    assert manages_the_floor(text, ENTRIES) is runs_the_meeting
    assert not [c for c in find_cues(text, ENTRIES) if c.direction == NEXT and c.label]


@pytest.mark.parametrize("text, runs_the_meeting", [
    ("MS, I also have asked for the floor plays.", True),  # "Ms. Olsen has asked for the floor. Please."
    ("Can I ever not ask for the floor?", True),  # "Ken Ivanova has asked for the floor."
    ("La delegación de Chile pidió la palabra.", True),
    ("Canada supports the floor plan for the new building.", False),
    # held-out w9043: "I now invite Barbados to take the floor." was drafted as "The Chair was
    # invited and the speaker must take the floor."
    ("I am invited and I must take the floor.", True),
    ("Invito a la mera nación de mi guay a tomar la palabra.", True),
    # held-out w9031: "Seeing no other business, the meeting is adjourned." misheard, drafted as
    # the chair's statement
    ("Seeding no other reasonous, the meeting in the Jones.", True),
    ("No habiendo otros asuntos, se levanta la sesión.", True),
    ("There is no other way forward for the region.", False),
    ("We ask the Secretariat to present a timeline and a budget.", False),
])
def test_saying_who_asked_for_the_floor_runs_the_meeting(text, runs_the_meeting):
    """Held-out w9041: the chair's "Ms. Olsen has asked for the floor", its name lost, was drafted
    as "The Chair stated that MS, the speaker also had asked for the floor plays."."""
    assert manages_the_floor(text, ENTRIES) is runs_the_meeting


@pytest.mark.parametrize("text, expected", [
    ("John Aldous, I'm Alison Treppel.", ("self", "Alison Treppel")),  # a garbled greeting before it
    ("Thank you. I'm grateful to Ms. Treppel for that.", None),  # names someone else
    ("Good afternoon. I'm Allyson Treppel.", ("self", "Alison Treppel")),  # a given name misspelt
    ("Good afternoon. I'm Ms. Treppel.", ("self", "Alison Treppel")),
    # another given name with the surname: once someone else's ("I'm Larry Larsen" for "I'm Ravi
    # Rasmussen", taken for Rosa Larsen), six times in 24 meetings the entry's own ("I'm Ramy
    # Rasmussen"): a weak self-naming, and nobody addressed
    ("Good afternoon. I'm Larry Treppel.", ("self", "Alison Treppel")),
    # held-out w9191: "I'm Rosa Thibault." heard as "I, Rosa Thibault, why would ..."
    ("I, Alison Treppel, why would the targets be lowered?", ("self", "Alison Treppel")),
    ("Thank you, Chair. I, Alison Treppel, why would the targets be lowered?", ("self", "Alison Treppel")),
    ("I thank Alison Treppel for the report.", None),  # no comma after "I": someone else named
])
def test_a_speaker_naming_themselves(text, expected):
    selves = {(c.direction, c.label) for c in find_cues(text, ENTRIES) if c.direction == SELF}
    assert selves == ({expected} if expected else set()), find_cues(text, ENTRIES)
    if "Larry" in text:  # ... but weakly: all six such introductions measured were the entry's own
        assert [c.weight for c in find_cues(text, ENTRIES) if c.label == "Alison Treppel"] == [VOCATIVE_WEIGHT]


@pytest.mark.parametrize("text, expected", [
    # held-out s9023: "Colombia welcomes the report" with its verb misheard, after "Thank you very
    # much, Chair" heard as "here", was the chair thanking Colombia; w9042: "Paraguay apoya"
    ("Thank you very much, here. Brazil will come as the report.", (SELF, "Brazil")),
    ("Gracias. Perú polla esta iniciativa, solicitamos a la Secretaría un calendario.", (SELF, "Peru")),
    ("Peru, tiene esa parada.", (NEXT, "Peru")),  # a comma after the name: a vocative
    ("Thank you. Brazil and Peru agree on the text.", None),  # a list names nobody
    ("Thank you, Emis. Peru, you have the floor.", (NEXT, "Peru")),
    ("Thanks. Peru is next on the list.", (NEXT, "Peru")),
    ("Thanks. Peru's proposal deserves support.", None),  # a possessive is not the one speaking
    # held-out w9102: "Uruguay agradece el informe" heard as "Uruguay a la LSS informe": after the
    # speaker's own thanks to the chair, "a" is what is left of a verb; elsewhere it may be the
    # "a" of "Canada a la parole"
    ("Muchas gracias, señor presidente. Peru a la LSS informe, consideramos que la cooperación es esencial.",
     (SELF, "Peru")),
    ("Peru a la LSS informe, consideramos que la cooperación es esencial.", None),
    # held-out w9192: "Gracias. Uruguay desea formular dos comentarios." run into one sentence
    ("Gracias, Peru me se afomó a los comentarios, proponemos incluir en el proyecto una referencia.", (SELF, "Peru")),
    ("Gracias, Peru, proponemos incluir en el proyecto una referencia.", (PREVIOUS, "Peru")),  # a pause after it
    ("Thank you Peru for your support of the proposal on training.", (PREVIOUS, "Peru")),
    ("Gracias Peru le doy la palabra a Brasil.", (NEXT, "Brazil")),  # the floor given: the chair thanks
])
def test_a_delegation_naming_itself_by_a_verb_not_heard(text, expected):
    cues = [(c.direction, c.label) for c in find_cues(text, ENTRIES) if c.label != "Chair"]
    assert cues[:1] == ([expected] if expected else []), cues
    if expected and expected[0] == SELF:
        assert not [c for c in cues if c[0] != SELF], cues  # nobody thanked or called


@pytest.mark.parametrize("text, expected", [
    ("La distinguida regación de Perú tiene esa parada.", "Peru"),  # "tiene usted la palabra", misheard
    ("And so for Peru, the floor is yours.", "Peru"),
    ("Now, Mr. Treppel.", "Alison Treppel"),
    # held-out w9142: "I recognize the distinguished delegation of Chile.", the verb garbled; the
    # words that say whose the name is do not count in a sentence of no substance
    ("Or we could noise the distinguished delegation of Chile.", "Chile"),
    ("We agree with the proposal of the distinguished delegation of Chile.", None),  # a statement's
])
def test_a_bare_name_in_a_short_sentence_is_a_weak_floor_cue(text, expected):
    """The chair calling someone in words no pattern knows (or the ASR garbled): a weak cue, and
    not one that makes its speaker the chair."""
    cues = [c for c in find_cues(text, ENTRIES) if c.direction == NEXT]
    assert [(c.label, c.weight, c.act) for c in cues] == ([(expected, 0.5, False)] if expected else []), cues


@pytest.mark.parametrize("text, thanked, weight", [
    # held-out merged voices (seed 9033): longer than a vocative
    ("The distinguished delegation of Peru, the floor is yours.", None, 0.5),
    ("We agree with Canada, Peru, the floor is yours.", None, 0.5),
    # ... but a clause that only thanks someone before the name is ASR's comma for a full stop
    # (held-out w9112: "I thank Guatemala. Chile, the floor is yours."): a clear call
    ("I thank Canada, Peru, the floor is yours.", "Canada", 0.9),
    ("Thank you very much, the distinguished delegation of Canada, Peru, please.", "Canada", 0.9),
    ("Thank you, Chair, Peru, the floor is yours.", "Chair", 0.5),  # a speaker thanking the chair
])
def test_the_floor_is_yours_is_a_weak_floor_cue_in_any_sentence_but_after_thanks(text, thanked, weight):
    """"X, the floor is yours" gives the floor as weakly as a bare name (a member's statement
    diarized into the chair's voice may follow it), however long the sentence, unless all before
    it is a clause thanking someone else: then it is as clear as "Peru, the floor is yours."."""
    cues = find_cues(text, ENTRIES)
    assert [(c.label, c.weight, c.act) for c in cues if c.direction == NEXT] == [("Peru", weight, weight > 0.5)], cues
    assert [c.label for c in cues if c.direction == PREVIOUS] == ([thanked] if thanked else []), cues


@pytest.mark.parametrize("text", [
    "Canada and Peru agree with the proposal.",  # two names: nobody is given the floor
    "Peru, please wait a moment.",
    "We thank the secretariat for this excellent and detailed report on Peru.",  # long: substance
])
def test_names_that_give_no_floor(text):
    assert not [c for c in find_cues(text, ENTRIES) if c.direction == NEXT], find_cues(text, ENTRIES)


@pytest.mark.parametrize("word, delegation", [
    ("allegation", True), ("delegacion", True), ("embassador", True),
    ("relation", False), ("declaration", False), ("legislation", False), ("elevation", False),
])
def test_a_misheard_delegation_keeps_its_consonants(word, delegation):
    """A correction whose name was lost still counts when it says "delegation", however misheard:
    the same consonant frame, not a fuzzy score that also took "relation" and "declaration"."""
    from pipeline.text.cues import _speaks_of_a_delegation

    assert _speaks_of_a_delegation(f"that was an {word} of parent-wide") is delegation


@pytest.mark.parametrize("text, expected", [
    ("Agradezco a Brasil. Tiene la palabra la distinguida delegación de peor.", "Peru"),  # "de Perú"
    ("Tiene la palabra nene nación de peor.", "Peru"),  # "delegación" misheard too: the slot is "de X"
    ("Passo a palavra à delegação do Chili.", "Chile"),
    ("Peor, tiene la palabra.", None),  # no "de" before it: a short name must be heard exactly
    ("Tiene la palabra la delegación de Canadá, por favor.", "Canada"),
    ("Tiene la palabra la delegación de pera.", "Peru"),  # the same consonants: taken, by design
    ("Tiene la palabra la delegación de paz.", None),  # "pz" is not "pr"
])
def test_a_short_name_in_a_delegations_slot_keeps_its_consonants(text, expected):
    """"de peor" is "de Perú" when the chair gives the floor to a delegation: a short name after
    "delegation of" / "delegación de" matches by its whole consonant skeleton; elsewhere only as
    heard (found on a session chaired in Spanish, where Peru's name was never heard right)."""
    given = [c.label for c in find_cues(text, ENTRIES) if c.direction == NEXT and c.act]
    assert given == ([expected] if expected else []), find_cues(text, ENTRIES)


@pytest.mark.parametrize("text, thanked", [
    ("Thanks, Emis. Treppel, the next question goes to Canada.", "Alison Treppel"),  # "Thanks, Ms. Treppel."
    ("Thank you, Emis. Canada, you have the floor.", None),       # Canada is given the floor, not thanked
    ("Thank you very much, sir. Canada supports this initiative.", None),  # whole thanks; Canada speaks
    ("Thank you, sir. Peru is a country of the region.", None),
    ("Thank you. Peru, the next question goes to Canada.", None),  # nothing cut short
])
def test_thanks_whose_name_asr_put_in_the_next_sentence(text, thanked):
    found = {c.label for c in find_cues(text, ENTRIES) if c.direction == PREVIOUS and c.label != "Chair"}
    assert found == ({thanked} if thanked else set()), find_cues(text, ENTRIES)


def test_nobody_is_thanked_and_called_in_one_breath():
    """"Thanks, Ms. Ivanova. Mr. Barrett, please." heard as one sentence, Ivanova garbled: the
    thanks' window reaches Barrett, who is being called, not thanked."""
    cues = [(c.direction, c.label) for c in find_cues("Thanks, Inez Oibalova, Mr. Treppel, please.", ENTRIES)]
    assert (NEXT, "Alison Treppel") in cues and (PREVIOUS, "Alison Treppel") not in cues, cues
    cues = [(c.direction, c.label) for c in find_cues("Thank you, Chile, the delegation of Peru, you're on the floor.", ENTRIES)]
    assert (PREVIOUS, "Chile") in cues and (NEXT, "Peru") in cues, cues


@pytest.mark.parametrize("text, cue", [
    ("I thank Ms. Treppel, please.", (PREVIOUS, "Alison Treppel")),  # "I thank Ms. Treppel. Please."
    ("Thanks, Ms. Treppel, go ahead, please.", (PREVIOUS, "Alison Treppel")),
    ("Gracias, Argentina, adelante, por favor.", (PREVIOUS, "Argentina")),
    ("Thank you, Canada, you have the floor.", (NEXT, "Canada")),  # a clear call is a call
    ("Thanks, Inez Oibalova, Mr. Treppel, please.", (NEXT, "Alison Treppel")),  # reached over a name
])
def test_a_name_right_after_the_thanks_is_thanked_though_please_follows(text, cue):
    """A bare "please" after it calls someone unnamed (a held-out hearing: "I thank Mr. Mendes.
    Please." gave Mr. Mendes the floor, and Ms. Hussain's question was read as his)."""
    found = [(c.direction, c.label) for c in find_cues(text, ENTRIES) if c.label != "Chair"]
    assert found == [cue], find_cues(text, ENTRIES)


@pytest.mark.parametrize("text, thanked", [
    ("Muchas gracias, Canama, Amerante, Guatemala.", None),  # Canadá thanked, misheard; Guatemala called
    ("Muchas gracias, señor, Guatemala.", "Guatemala"),  # a clause of courtesy is passed over
    ("Thank you, Ms., Treppel.", "Alison Treppel"),
])
def test_the_thanked_name_is_in_the_first_clause(text, thanked):
    found = [c.label for c in find_cues(text, ENTRIES) if c.direction == PREVIOUS]
    assert found == ([thanked] if thanked else []), find_cues(text, ENTRIES)


@pytest.mark.parametrize("text, chairs", [
    ("Muchas gracias, Camarra. ¡Avemente!", True),  # the chair thanks Canadá, misheard, and calls
    ("Thank you very much, care. What share of the", False),  # a member, her question cut short
    ("Thank you for the question.", False),  # a witness
    ("Thank you, sir.", False),
])
def test_short_thanks_to_a_name_not_made_out_are_the_chairs(text, chairs):
    assert thanks_unnamed(text, find_cues(text, ENTRIES)) is chairs


@pytest.mark.parametrize("text, cues", [
    # "I thank" as the ASR hears it (four times in the held-out committees), in a short sentence.
    ("I think Alison Treppel, Ms. Vasquez, please.", [(PREVIOUS, "Alison Treppel")]),
    ("I think Canada is right about the budget of the next two years.", []),
    # A name after the thanks' clause is called, the call's words garbled (held-out w9041).
    ("Thank you, Ms. Treppel, Mr. Gershanik, for falling beyond.", [(PREVIOUS, "Alison Treppel"), (NEXT, "Martin Gershanik")]),
    ("Thank you, Ms. Treppel, Mr. Gershanik and Canada.", [(PREVIOUS, "Alison Treppel")]),
    ("Thanks, MS, Treppel, MS, Gershanik, Neil May, plus Aid.", [(PREVIOUS, "Alison Treppel"), (NEXT, "Martin Gershanik")]),
    ("Thank you, Ms. Treppel, for your comments on the report of Mr. Gershanik.", [(PREVIOUS, "Alison Treppel")]),
    # The floor's noun before the name, its verb garbled (held-out w9062).
    ("¡Muchas gracias, la distinguida delegación de Perú! ofrezca la palabra la Acederación de Chile.",
     [(NEXT, "Chile"), (PREVIOUS, "Peru")]),
    ("Gracias por darme la palabra. Canadá apoya el informe.", [(SELF, "Canada")]),
    # The words saying "the floor" do not make a sentence too long to be a vocative (w9041).
    ("I know you might miss, Gershanik to take the floor.", [(NEXT, "Martin Gershanik")]),
])
def test_chairs_courtesies_and_calls_as_the_asr_garbles_them(text, cues):
    found = [(c.direction, c.label) for c in find_cues(text, ENTRIES) if c.label != "Chair"]
    assert found == cues, find_cues(text, ENTRIES)


def test_one_call_matched_by_two_patterns_is_one_cue():
    """Held-out w9061: "I'll give the floor to Umarov." matched "give the floor to X" and "floor to
    X": two cues (1.0 and 0.9) for one call outweighed the next speaker's "I'm Jasraj Epp" (1.0).
    A sentence says each name's call once; two sentences still count twice."""
    once = [c for c in find_cues("I'll give the floor to Canada.", ENTRIES) if c.direction == NEXT]
    assert [(c.label, c.weight) for c in once] == [("Canada", 1.0)]
    twice = [c for c in find_cues("Canada, you have the floor. I give the floor to Canada.", ENTRIES)
             if c.direction == NEXT]
    assert len(twice) == 2


def test_a_surname_right_after_another_is_the_name_called():
    """Held-out w9071: "Next on my list is Ravi Kapoor." heard as "... Mendes Kapoor.": the
    floor went to Ms. Mendes, a member too. One surname right after another is the person
    called, the first word their given name misheard; either surname alone names its own."""
    from pipeline.spec import Person

    spec = SPEC.model_copy(deep=True)
    spec.participants.officials += [Person(name="Ravi Kapoor", title="Member"), Person(name="Jasraj Mendes", title="Member")]
    entries = build_roster(spec)
    called = lambda text: {c.label for c in find_cues(text, entries) if c.direction == NEXT}
    assert called("Next on my list is Mendes Kapoor.") == {"Ravi Kapoor"}
    assert called("Next on my list is Ravi Kapoor.") == {"Ravi Kapoor"}
    assert called("Next on my list is Ms. Mendes.") == {"Jasraj Mendes"}


def test_thanks_after_an_interjection_and_a_misses_title_name_the_one_before():
    """Committee sample, transcribed again: "I thank Ms. Zielinski." heard as "Oh, thank you,
    Miss, Zielinski.": not taken for thanks (the interjection before them), the short sentence
    read as a bare name called Ms. Zielinski to speak again, and Mr. Mendes's statement after
    it went to her. "Miss" is a title like "Ms."."""
    thanked = lambda text: {(c.direction, c.label) for c in find_cues(text, ENTRIES)}
    assert thanked("Oh, thank you, Miss, Canada.") == {(PREVIOUS, "Canada")}
    assert thanked("Well, thank you, Canada. I give the floor to Peru.") == {(PREVIOUS, "Canada"), (NEXT, "Peru")}
    assert (PREVIOUS, "Canada") not in thanked("Oh, Canada, you have the floor.")


def _members(*names: str):
    from pipeline.spec import Person

    spec = SPEC.model_copy(deep=True)
    spec.participants.officials += [Person(name=name, title="Member") for name in names]
    return build_roster(spec)


def test_a_short_surname_after_a_title_may_be_one_letter_off():
    """Held-out w9061: "Mr. Abara" was heard as "Mr. Amara" eight times out of nine (decoding is
    primed with the roster, where Amara is another member's given name), and the minister's
    answers went to whoever asked. After a title a surname comes: one letter off, its first letter
    kept, it names the one surname that near; two as near, or anywhere without a title, nobody."""
    entries = _members("Helen Abara", "Amara Achebe", "Marc Olsen")
    called = lambda text, roster=entries: {c.label for c in find_cues(text, roster) if c.direction == NEXT}
    assert called("The next is Mr. Amara.") == {"Helen Abara"}
    assert called("Mr. Amara, you may proceed.") == {"Helen Abara"}
    assert called("I'll hand the floor to Mr. Amara.") == {"Helen Abara"}
    assert called("Over to Amara.") == set()  # no title: a short name is heard exactly
    assert called("Over to Mr. Ebara.") == set()  # the first letter lost
    assert called("Over to Mr. Amara.", _members("Helen Abara", "Ted Amata")) == set()  # two as near


def test_a_name_given_the_floor_in_the_sentence_does_not_introduce_itself():
    """Held-out w9061: "Now Mr. Abara. Go ahead." heard as "I'm Mr. Amara, your turn.": the chair's
    line read as the minister introducing herself. "Your turn" gives the floor, "it's" or not,
    and a name the sentence gives the floor to is addressed, not introducing itself."""
    entries = _members("Helen Abara", "Marc Olsen")
    cues = {(c.direction, c.label) for c in find_cues("I'm Mr. Amara, your turn.", entries)}
    assert cues == {(NEXT, "Helen Abara")}
    assert (SELF, "Marc Olsen") in {(c.direction, c.label) for c in find_cues("Thank you, Chair. I'm Marc Olsen.", entries)}


def test_a_call_to_a_name_not_made_out_counts_once_per_sentence():
    """Held-out w9061: "I am off-hand the floor to Mr. Lermussen." (Mr. Rasmussen) matched two
    patterns ("hand the floor to", "floor to"), each a weak vote for the one member nothing named;
    twice they outweighed "I'm Ramy Rasmussen" in the turn called. As for a name made out, one
    call in a sentence is one cue."""
    from pipeline.text.cues import cues_to_the_unnamed

    entries = _members("Ravi Rasmussen", "Jasraj Nakamura")
    unnamed = [e for e in entries if e.label == "Jasraj Nakamura"]
    cues = cues_to_the_unnamed("I'll hand the floor to Mr. Lakamora.", entries, unnamed)
    assert [(c.direction, c.label) for c in cues] == [(NEXT, "Jasraj Nakamura")]


def test_a_short_name_with_an_echo_hyphenated_to_it_closing_the_thanks():
    """Held-out w9073: the chair's "I thank Chile." at the end of Chile's statement, in the voice
    diarization gave them both, was heard as "I thank Chile-Lili.": no name, so no cut, and the
    chair's thanks stayed Chile's. A short name must be heard exactly, but a hyphen may join an
    echo to it where it closes the span; "the Chile-based experts" names nobody."""
    named = lambda text: {(c.direction, c.label) for c in find_cues(text, ENTRIES)}
    assert named("I thank Chile-Lili.") == {(PREVIOUS, "Chile")}
    assert named("Chile-Lili, you have the floor.") == {(NEXT, "Chile")}
    assert named("I thank the Chile-based experts for their work on this.") == set()


@pytest.mark.parametrize("text, label", [
    ("Le voy a dar la palabra a la delegación de México.", "Mexico"),
    ("Vamos a ceder ahora la palabra a Perú.", "Peru"),
    ("Vou passar a palavra ao Brasil.", "Brazil"),
    ("Je vais donner la parole au Canada.", "Canada"),
])
def test_the_verbs_of_giving_in_the_futures_periphrasis_are_clear_calls(text, label):
    """"Voy a dar la palabra", "vou passar a palavra", "je vais donner la parole": the infinitive
    gives the floor as the present does, a clear call (only the floor's noun before the name had
    caught them, as weakly as a garbled verb)."""
    spec = SPEC.model_copy(deep=True)
    spec.participants.delegations += ["Mexico", "Brazil"]
    cues = [c for c in find_cues(text, build_roster(spec)) if c.direction == NEXT]
    assert [(c.label, c.weight) for c in cues] == [(label, 1.0)], cues


def test_a_sentence_that_is_only_a_name_and_please_is_a_clear_call():
    """Held-out w9083 (merged voices): "I thank Chile. Mexico, please." heard as "I thank you, Lee.
    Mexico, please.": "X, please" weighs a bare name's 0.5, less than the voice Mexico shares
    with Chile, and Mexico's statement went to Chile. A sentence that is a name and the call and
    nothing more is as clear as "Mexico, you have the floor"; inside a longer sentence it stays weak."""
    spec = SPEC.model_copy(deep=True)
    spec.participants.delegations += ["Mexico"]
    entries = build_roster(spec)
    weights = lambda text: [(c.label, c.weight) for c in find_cues(text, entries) if c.direction == NEXT]
    assert weights("I thank you, Lee. Mexico, please.") == [("Mexico", 0.9)]
    assert weights("Thank you. Mexico, go ahead.") == [("Mexico", 0.9)]
    assert weights("We thank Mexico, please note the date.") == [("Mexico", 0.5)]


def test_a_sentence_that_is_only_a_name_and_the_floor_is_yours_is_a_clear_call():
    """Held-out w9073: the chair's "Jamaica, the floor is yours.", a turn of its own in the voice
    the chair shares with Guatemala, was nobody's: "the floor is yours" is a bare name's weak cue
    and no chair's act (a member's statement may follow it in the chair's voice). Said alone,
    name and call and nothing more, it is as clear as "Jamaica, you have the floor", and the
    chair's act; inside a longer sentence it stays weak."""
    spec = SPEC.model_copy(deep=True)
    spec.participants.delegations += ["Jamaica"]
    entries = build_roster(spec)
    called = lambda text: [(c.label, c.weight, c.act) for c in find_cues(text, entries) if c.direction == NEXT]
    assert called("Jamaica, the floor is yours.") == [("Jamaica", 0.9, True)]
    assert called("I thank Peru. Jamaica, the floor is yours.") == [("Jamaica", 0.9, True)]
    assert called("And so for Jamaica, the floor is yours.") == [("Jamaica", 0.5, False)]


def test_thanks_that_reach_the_speakers_own_name_thank_nobody():
    """Held-out w9061: "Thank you very much, Chair. I'm Gordon Dhaliwal." heard as "Thank you very
    much, I'm Gordon Dhaliwal.": the thanks' window passed over "I'm" to the member's own name and
    thanked him for the chair's call before; his statement went to the chair. A name the sentence
    introduces as the speaker's is not thanked."""
    entries = _members("Gordon Dhaliwal", "Helen Abara")
    cues = lambda text: {(c.direction, c.label) for c in find_cues(text, entries)}
    assert cues("Thank you very much, I'm Gordon Dhaliwal. The numbers do not match.") == {(SELF, "Gordon Dhaliwal")}
    assert cues("Thank you very much, Ms. Abara. I'm Gordon Dhaliwal.") == {(PREVIOUS, "Helen Abara"),
                                                                            (SELF, "Gordon Dhaliwal")}


def test_i_think_a_name_then_a_pause_is_thanks_in_a_long_sentence():
    """Held-out w9081: "I thank Ms. Yazzie. The next question goes to Mr. Umarov." heard as one
    sentence, "I think Emma Yazzie, the next question don't reveal you wrong.": "I think" counted
    as thanks only in a sentence as short as a vocative's, so nothing named Ms. Yazzie's turn. A
    name and a clause break right after "I think" is thanks at any length; an opinion is not."""
    entries = _members("Tom Yazzie", "Julie Zielinski")
    cues = lambda text: {(c.direction, c.label) for c in find_cues(text, entries)}
    assert cues("I think Emma Yazzie, the next question don't reveal you wrong.") == {(PREVIOUS, "Tom Yazzie")}
    assert cues("I think MS, Julie Zielinski, let's hear from the minister on that.") == {(PREVIOUS, "Julie Zielinski")}
    assert cues("I think Yazzie is right about the budget and the figures, Chair.") == set()


def test_a_title_is_no_sound_of_a_name():
    """Held-out w9061: "I invite Ms. Achebe to take the floor." heard as "I invite Mr. Egg to take
    the floor." was read as Mr. Nakamura, nothing else naming him: the title's consonants ``mr``
    are two of ``nkmr``'s, a ratio of 60. A consonant frame needs three consonants on both sides
    to say anything; the name itself heard ("Mr. Nakamra") still counts."""
    from pipeline.text.cues import cues_to_the_unnamed

    entries = _members("Jasraj Nakamura", "Ravi Rasmussen")
    unnamed = [e for e in entries if e.label == "Jasraj Nakamura"]
    assert cues_to_the_unnamed("I invite Mr. Egg to take the floor.", entries, unnamed) == []
    assert [c.label for c in find_cues("I invite Mr. Nakamra to take the floor.", entries)] == ["Jasraj Nakamura"]


@pytest.mark.parametrize("text, calls", [
    ("Surprised to take the floor.", True),  # held-out w9091: "I now invite Mr. Lapointe to take the floor."
    ("Know you might be stuck, you must take the floor.", True),  # "... Mr. Thibault to take the floor."
    ("I would like to take the floor.", False),  # a member asking
    ("Canada wishes to take the floor.", False),
    ("Mexico asked to take the floor.", False),
])
def test_to_take_the_floor_closing_a_sentence_is_a_call(text, calls):
    """Held-out w9091: the chair's "I now invite Mr. X to take the floor." came out twice with the
    invitation garbled, and the member's statement after it, in the chair's voice, stayed one turn
    with the call and went to the minister before. "To take the floor" closing a sentence is
    someone invited, but after a verb of wishing or asking; "you must take the floor" as "you may"."""
    from pipeline.text.cues import calls_unheard, manages_the_floor

    assert calls_unheard(text, ENTRIES) is calls
    assert manages_the_floor(text, ENTRIES)  # asking for the floor runs the meeting too: never a point


def test_a_name_closing_a_short_clause_after_the_thanks_is_called():
    """Held-out w9091: "Thank you, Mr. Petrov. Next, Ravi Tremblay." heard as "Thank you, Mr.
    Petrov, Leah Skiabla-Rabi Tremblay.", Mr. Tremblay's statement after it in the chair's voice:
    the name called closes the clause after the thanks instead of opening it. In a clause no
    longer than a name, it is called, weakly; in a longer one it is not."""
    entries = _members("Leah Petrov", "Ravi Tremblay")
    cues = lambda text: {(c.direction, c.label) for c in find_cues(text, entries)}
    assert cues("Thank you, Mr. Petrov, Leah Skiabla-Rabi Tremblay.") == {(PREVIOUS, "Leah Petrov"), (NEXT, "Ravi Tremblay")}
    assert cues("Thank you, Mr. Petrov, for the answer you gave Mr. Tremblay.") == {(PREVIOUS, "Leah Petrov")}
