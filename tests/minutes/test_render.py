"""The draft's formats: Markdown, HTML (escaped, linked to the recording), JSON, Word, SRT, VTT."""

from __future__ import annotations

import io
import json
import re

import pytest

from conftest import SAMPLE, Recorder
from meetings import utterance

from pipeline.minutes import render
from pipeline.stages.align import align
from pipeline.stages.attribute import attribute
from pipeline.stages.draft import draft
from pipeline.spec import load_spec

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def meeting():
    spec = load_spec(SAMPLE / "meeting.yaml")
    spec.meeting.body = f"Committee {HOSTILE}"
    said = [
        utterance("S0", "I call to order this meeting. The first item is the adoption of the order of business. It is adopted.", 0),
        utterance("S0", "We now move to item three. Canada, you have the floor.", 20),
        utterance("S2", f"Thank you, Chair. Canada urges member states to accede to the Convention {HOSTILE}.", 30),
        utterance("S0", "Thank you, Canada. We now move to the last item, closing remarks. "
                        "Cooperation among states is essential for our region.", 60),
    ]
    utterances = align(attribute(said, spec), spec)
    return spec, utterances, draft(utterances, spec)


def test_html_escapes_everything_and_links_each_point_to_its_moment():
    _, _, minutes = meeting()
    page = render.html(minutes, "audio.wav")
    assert "<script>" not in page and "<img" not in page
    assert "&lt;script&gt;" in page
    assert re.search(r'<a class="t" href="audio.wav#t=30"[^>]*>\[00:00:30\]</a>', page)
    assert page.count("<h2>") == 4


def test_markdown_and_json_carry_the_same_structure():
    _, _, minutes = meeting()
    text = render.markdown(minutes)
    data = json.loads(render.as_json(minutes))
    assert [f"## {i['number']}. {i['title']}" for i in data["items"]] == re.findall(r"^## .+$", text, re.M)
    block = data["items"][2]["blocks"][0]
    assert block["delegations"] == ["Canada"]
    assert block["points"][0]["speaker"] == "Canada" and block["points"][0]["start"] == 30.0
    assert data["items"][0]["decision"] == "adopted"
    assert data["items"][3]["closing_points"][0]["text"].startswith("Cooperation among states was essential")


def test_word_document_has_the_items_bullets_and_link():
    from docx import Document

    _, _, minutes = meeting()
    doc = Document(io.BytesIO(render.docx_bytes(minutes)))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading 2")]
    assert headings == [f"{i.number}. {i.title}" for i in minutes.items]
    bullets = [p.text for p in doc.paragraphs if p.style.name == "List Bullet"]
    assert bullets and bullets[0].startswith("The delegation of Canada urged") and bullets[0].endswith("[00:00:30]")
    assert any(p.text == "meeting.mp3" for p in doc.paragraphs)


def test_subtitles():
    _, utterances, _ = meeting()
    srt = render.srt(utterances)
    assert srt.startswith("1\n00:00:00,000 --> ")
    assert "\nCanada: Thank you, Chair." in srt
    vtt = render.vtt(utterances)
    assert vtt.startswith("WEBVTT\n\n00:00:00.000 --> ")
    assert "<v Canada>Thank you, Chair." in vtt and "<script>" not in vtt


RTL = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: "Canada\u202eadanac" displays as something else
FORMULA = "=cmd|' /C calc'!A0"


def hostile_meeting():
    """Names, titles and transcript text from outside, with markup, a bidi override, control
    characters, a spreadsheet formula and a subtitle timing in them."""
    spec = load_spec(SAMPLE / "meeting.yaml")
    spec.meeting.body = f"Committee {HOSTILE} [click](javascript:alert(1)) `code` {RTL}evil\x07\x1b[31m"
    spec.order_of_business.items[2].title = f"Legal framework{RTL}\x00 <b>bold</b>"
    said = [
        utterance("S0", "I call to order this meeting. The first item is the adoption of the order of business. It is adopted.", 0),
        utterance("S0", "We now move to item three. Canada, you have the floor.", 20),
        utterance("S2", f"Thank you, Chair. Canada urges member states to accede to {RTL}the\x0b Convention "
                        f"[here](http://evil) now.\n\n99\n00:00:01,000 --> 00:00:02,000\nforged cue", 30),
        utterance("S0", "Thank you, Canada. We now move to the last item, closing remarks.", 60),
    ]
    utterances = align(attribute(said, spec), spec)
    utterances[1].attribution = FORMULA
    return utterances, draft(utterances, spec)


UNSEEN = [RTL, "\x00", "\x07", "\x0b", "\x1b"]


def test_hostile_content_is_inert_in_every_format():
    from docx import Document

    utterances, minutes = hostile_meeting()
    page = render.html(minutes, "audio.wav")
    assert "<script>" not in page and "<b>" not in page and "&lt;b&gt;" in page
    text = render.markdown(minutes)
    assert "<script>" not in text and "\\<script\\>" in text
    assert "[click](javascript" not in text and "\\[click\\](javascript" in text
    assert "[here](http://evil)" not in text and "\\`code\\`" in text
    data = render.as_json(minutes)
    document = Document(io.BytesIO(render.docx_bytes(minutes)))  # python-docx refuses control characters
    words = "\n".join(p.text for p in document.paragraphs)
    assert "Legal framework <b>bold</b>" in words
    srt, vtt = render.srt(utterances), render.vtt(utterances)
    for output in (page, text, data, words, srt, vtt):
        assert not any(c in output for c in UNSEEN), [c for c in UNSEEN if c in output]
    # a cue's text stays on its line: no forged cue, and a formula label is quoted for spreadsheets
    assert srt.count(" --> ") == len(utterances) and vtt.count(" --> ") == len(utterances)
    assert f"\n'{FORMULA}: " in srt and "\n=" not in srt
    assert "forged cue" in srt and "\nforged cue" not in srt


def test_the_webhook_carries_no_control_characters():
    from pipeline.service.notify import notify

    with Recorder() as hook:
        assert notify(f"{hook.url}/hook",
                      {"event": "draft-ready", "meeting": f"CP/{RTL}1\x07", "items": [f"a\x1bb"]})
    received = [body for _, _, body in hook.requests]
    body = json.loads(received[0])
    assert body == {"event": "draft-ready", "meeting": "CP/1", "items": ["ab"]}


@pytest.mark.parametrize("question, objection, decided", [
    ("We now move to the adoption of the order of business. Is it agreed? Is it agreed?", False, "adopted"),
    ("Pasamos a la adopción del orden del día. Si no hay onjeciones, que la colaboramos.", False, "adopted"),
    # held-out Spanish chair (seed 9012): "Si no hay objeciones, queda aprobado." with its noun misheard
    ("Pasamos al punto uno del orden del día. Si no hay congestiones, que la programo.", False, "adopted"),
    ("Passons à l'adoption de l'ordre du jour. S'il n'y a pas d'objection, il en est ainsi.", False, "adopted"),
    ("We now move to the adoption of the order of business. Is it agreed?", True, "considered"),
    ("We now move to the adoption of the order of business.", False, "considered"),
    # held-out w9071: "Is it agreed? It is agreed." heard as nothing like it; nobody else spoke
    ("Item one, adoption of the order of business. In the debris, in the debris.", False, "adopted"),
    ("Item one, adoption of the order of business. In the debris, in the debris.", True, "considered"),
])
def test_the_order_of_business_put_to_the_meeting_without_objection_is_adopted(question, objection, decided):
    """The chair asked and nobody objected (ASR lost "It is agreed", or made the question
    unreadable): adopted, as the reference minutes record; a delegation speaking after the
    question, or nothing said but the announcement, leaves it considered."""
    spec = load_spec(SAMPLE / "meeting.yaml")
    said = [utterance("S0", "I call to order this meeting. " + question, 0)]
    if objection:
        said.append(utterance("S2", "Thank you, Chair. Canada would like to add an item on cybercrime.", 10))
    said.append(utterance("S0", "We now move to item two. I give the floor to Ms. Alison Treppel.", 20))
    minutes = draft(align(attribute(said, spec), spec), spec)
    assert minutes.items[0].decision == decided, [(u.attribution, u.item, u.text) for u in align(attribute(said, spec), spec)]


@pytest.mark.parametrize("text, decided", [
    ("Is it a breed? It is a breed.", True),      # held-out committee: "Is it agreed? It is agreed."
    ("Is it a grid? It is a grid.", True),
    ("If it unread, it is unread.", True),       # held-out w9061: "Is it agreed? It is agreed."
    ("If it's a breed, it is a breed.", True),   # held-out w9122: "Is it agreed? It is agreed."
    ("If it is ready, it is ready.", False),
    ("It's a breed, it is a breed.", False),      # no question asked
    ("It is all decided.", True),                 # "It is so decided", its "so" misheard
    ("It is not decided.", False),
    ("It is yet to be decided.", False),
    ("Is it clear what it is?", False),
    ("It is a breed of its own.", False),
    ("Así que la decidimos.", True),             # held-out Spanish chair (seed 9012): "Así queda decidido."
    ("Así que decidimos apoyar la propuesta.", False),  # a delegation's account, not a decision
    ("Así que me ha decidido.", True),           # held-out w9092: "Así queda decidido."
    ("It is a decision.", True),                 # held-out w9073: "It is so decided."
    ("It is a decision for the Council to take.", False),
])
def test_a_decision_is_heard_by_its_shape_when_its_words_are_misheard(text, decided):
    from pipeline.text.decisions import decides

    assert decides(text) is decided


@pytest.mark.parametrize("text, recorded", [
    # held-out w9053: "The Committee takes note of the report ..." with "note" lost
    ("Thank you, Mexico. The Committee takes out on the report and on the comments of delegations.",
     "The Committee took note of the item “Dialogue”."),
    ("La Comisión toma not del informe y de los comentarios.", "The Committee took note of the item “Dialogue”."),
    # held-out w9052: "La Comisión toma nota del informe ..."
    ("Gracias, Ecuador. La Comisión Toma no también informe ni en los comentarios.",
     "The Committee took note of the item “Dialogue”."),
    ("The Committee takes the floor plan into account.", None),
    ("Our committee took part in the drafting of the report.", None),
])
def test_taking_note_is_heard_by_its_frame_when_the_word_is_lost(text, recorded):
    from pipeline.stages.draft import decision

    assert decision(text, "Dialogue") == recorded


@pytest.mark.parametrize("text, asks", [
    ("Is it a raid? Is it a raid?", True),  # held-out w9133: "Is it agreed? It is agreed."
    ("Are there any objections?", True),
    ("¿Hay alguna objeción?", True),
    ("Há alguma objeção?", True),
    ("Y a-t-il des objections ?", True),
    ("We have no objections to the proposal.", False),  # a delegate's words too
    ("No tenemos ninguna objeción.", False),
    ("If there is no funding, the programme will fail.", False),
])
def test_a_question_only_a_chair_puts_is_a_chairs_act(text, asks):
    from pipeline.text.cues import chair_acts

    assert bool(chair_acts(text)) is asks


def test_a_question_put_to_the_meeting_in_a_voice_of_its_own_is_the_chairs():
    """Held-out w9133: "Is it agreed? It is agreed." heard as "Is it a raid? Is it a raid?" and
    diarized apart from the chair's voice was nobody's, so the order of business was not recorded
    as adopted. Putting a question to the meeting is what a chair does."""
    spec = load_spec(SAMPLE / "meeting.yaml")
    title = spec.order_of_business.items[1].title
    said = [utterance("S0", "I call to order this meeting. Item one, the adoption of the order of business.", 0),
            utterance("S5", "Is it a raid? Is it a raid?", 8),
            utterance("S0", f"We now move to item two, {title}. Canada, you have the floor.", 12),
            utterance("S1", "Thank you, Chair. Canada supports the report and its recommendations.", 20)]
    attributed = attribute(said, spec)
    assert attributed[1].attribution == "Chair", attributed[1]
    assert draft(align(attributed, spec), spec).items[0].decision == "adopted"


def test_asked_and_answered_records_the_decision_under_its_item():
    spec = load_spec(SAMPLE / "meeting.yaml")
    title = spec.order_of_business.items[1].title = "Report of the Inter-American Drug Abuse Control Commission"
    said = [utterance("S0", "I call to order this meeting. We now move to item one, the adoption of the order of "
                            "business. Is it a breed? It is a breed.", 0),
            utterance("S0", f"We now move to item two, {title}. Is it a grid? It is a grid. "
                            "We now move to item three.", 20)]
    minutes = draft(align(attribute(said, spec), spec), spec)
    assert minutes.items[0].decision == "adopted"
    assert [p.text for p in minutes.items[1].decisions] == ["It was so decided."]


@pytest.mark.parametrize("closing, decided", [
    ("Thanks, the delegation of Mexico. It is so beside it.", True),  # held-out w9132: "It is so decided."
    ("It is so beside it. Mexico, you have the floor again.", False),  # not the chair's last words on it
    ("Thanks, Mexico. It is so important that we hear every delegation.", False),
])
def test_it_is_so_closing_an_item_is_its_decision_whatever_the_last_word(closing, decided):
    spec = load_spec(SAMPLE / "meeting.yaml")
    title = spec.order_of_business.items[1].title = "Report of the Inter-American Drug Abuse Control Commission"
    said = [utterance("S0", f"We now move to item two, {title}. Mexico, you have the floor.", 0),
            utterance("S1", "Thank you, Chair. Mexico supports the report and its recommendations.", 5),
            utterance("S0", closing, 15), utterance("S0", "We now move to item three.", 20)]
    minutes = draft(align(attribute(said, spec), spec), spec)
    assert [p.text for p in minutes.items[1].decisions] == (["It was so decided."] if decided else [])


def test_a_decision_relisten_heard_again_is_recorded_where_the_chair_said_it():
    """Held-out w9102: the chair's "Así queda decidido." came out "Así que le seguimos.", which
    no pattern reads; relisten heard it again as the formula (``decisions`` in
    ``utterances.json``). The draft records it as the item's decision and reports it as no
    point; the same words unheard, or heard in a delegate's turn, decide nothing. Heard under
    the order of business after a delegation spoke, it adopts it."""
    spec = load_spec(SAMPLE / "meeting.yaml")
    title = spec.order_of_business.items[1].title = "Report of the Inter-American Drug Abuse Control Commission"
    garbled = "Anita Brunelle, that's all of you."

    def minutes_of(said, heard_at):
        utterances = align(attribute(said, spec), spec)
        heard = [{"start": u.start, "end": u.end, "speaker": u.speaker, "was": garbled, "as": "It is so decided.",
                  "logodds": 9.2} for u in utterances if u.start in heard_at]
        return draft(utterances, spec, decided=heard)

    said = [utterance("S0", f"We now move to item two, {title}. Mexico, you have the floor.", 0),
            utterance("S1", "Thank you, Chair. Mexico supports the report and its recommendations.", 5),
            utterance("S0", f"Thanks, Mexico. {garbled}", 15), utterance("S0", "We now move to item three.", 20)]
    chair = said[2].start
    minutes = minutes_of(said, {chair})
    item = minutes.items[1]
    assert [p.text for p in item.decisions] == ["It was so decided."] and item.decisions[0].start == chair
    assert not any("brunelle" in p.text.lower() for p in item.remarks + item.points + item.closing_points)
    assert minutes_of(said, set()).items[1].decisions == []
    said[1] = utterance("S1", f"Thank you, Chair. Mexico supports the report. {garbled}", 5)
    assert minutes_of(said, {said[1].start}).items[1].decisions == []  # a delegate's words decide nothing
    said = [utterance("S0", "I call to order this meeting. The first item is the adoption of the order of business.", 0),
            utterance("S2", "Thank you, Chair. Canada would like to add an item on cybercrime.", 10),
            utterance("S0", garbled, 16),
            utterance("S0", "We now move to item two. I give the floor to Ms. Alison Treppel.", 20)]
    assert minutes_of(said, set()).items[0].decision == "considered"
    assert minutes_of(said, {said[2].start}).items[0].decision == "adopted"


def test_the_meetings_last_words_are_its_adjournment_not_a_point():
    """ASR garbled "Seeing no other business, the meeting is adjourned. Thank you all.": the
    chair's last sentence of the meeting is its adjournment by position, never a point."""
    spec = load_spec(SAMPLE / "meeting.yaml")
    said = [
        utterance("S0", "I call to order this meeting. The first item is the adoption of the order of business. It is adopted.", 0),
        utterance("S0", "We now move to the last item, closing remarks. Cooperation among states is essential for our region. "
                        "See you all of the people of the meeting, imagine, thank you all.", 20),
    ]
    minutes = draft(align(attribute(said, spec), spec), spec)
    texts = [p.text for item in minutes.items for p in item.remarks + item.closing_points + item.points]
    assert any("Cooperation among states was essential" in t for t in texts), texts
    assert not any("see you all" in t.lower() for t in texts), texts


def _labelled(said: list, labels, item: int | None = None) -> list:
    """``said``, each utterance attributed to its label in ``labels`` and put in ``item``."""
    for u, label in zip(said, labels):
        u.attribution, u.item = label, item
    return said


def _canada_speaks_on_item_two():
    """A meeting's opening: the order of business adopted, Canada given the floor on item two and speaking."""
    return [
        utterance("S0", "I call to order this meeting. The first item is the adoption of the order of business. It is adopted.", 0),
        utterance("S0", "We now move to item two. Canada, you have the floor.", 20),
        utterance("S2", "Thank you, Chair. Canada urges member states to accede to the Convention.", 30),
    ]


def test_the_time_the_chair_gives_a_speaker_is_no_point():
    """Held-out w9061: "Thank you, Mr. Dhaliwal. Mr. Rasmussen, you have five minutes." heard as
    "Thank you, Mr. Mayor, Mr. Mayor, mustn't you for five minutes.", reported as the chair's
    remark ("must" is a word of substance). Time given to a speaker runs the meeting, in any of
    the four languages. Held-out w9201: "Pierre Nakamura, you have five minutes." heard as "you
    were welcome, you were welcome for in minutes." ("welcome" a word of substance, the number
    lost): a chair's sentence closing on minutes gives time whatever else ASR heard."""
    spec = load_spec(SAMPLE / "meeting.yaml")
    said = [
        *_canada_speaks_on_item_two(),
        utterance("S0", "Thank you, Canada. Mr. Mayor, mustn't you for five minutes on this matter. "
                        "You were welcome, you were welcome for in minutes.", 40),
        utterance("S3", "Thank you, Chair. Peru supports the proposal and its follow-up mechanism.", 50),
        utterance("S0", "Gracias, Perú. Debemos avanzar, Chile, tiene tres minutos para su intervención.", 60),
        utterance("S4", "Gracias, Presidente. Chile apoya la propuesta de la Secretaría.", 70),
    ]
    minutes = draft(align(attribute(said, spec), spec), spec)
    remarks = [p.text for item in minutes.items for p in item.remarks]
    assert not any("minute" in t.lower() or "minuto" in t.lower() for t in remarks), remarks


@pytest.mark.parametrize("title", ["Aprovação da pauta", "Adoption de l'ordre du jour", "Approval of the agenda"])
def test_an_adoption_item_titled_in_any_language_records_its_adoption(title):
    """The draft and the alignment read "the adoption of the order of business" by one test
    (:func:`pipeline.text.agenda.adopts_the_order_of_business`): the draft's own English and
    Spanish pattern left a Portuguese or French title's adoption unrecorded, where align closed it."""
    spec = load_spec(SAMPLE / "meeting.yaml")
    spec.order_of_business.items[0].title = title
    said = _canada_speaks_on_item_two()
    minutes = draft(align(attribute(said, spec), spec), spec)
    assert minutes.items[0].decision == "adopted"


def test_the_chairs_words_after_the_last_other_speaker_close_the_meeting():
    """Held-out w9061 and w9071, and the merged-voices sample: "Seeing no other business, the
    meeting is adjourned." heard as "Seeking all of the business. The meeting is enjoyed.", "see
    you know on the business, the meeting in a joint", reported as the chair's remark on the last
    item. After the meeting's last other speaker the chair closes it: nothing of that without
    substance is a point; in an item of closing remarks the chair's words are its content."""
    from pipeline.spec import Item

    spec = load_spec(SAMPLE / "meeting.yaml")
    spec.order_of_business.items[-1] = Item(title="Other business")
    said = [
        *_canada_speaks_on_item_two(),
        utterance("S0", "Thank you, Canada. We now move to item four, other business. Seeking all of the business "
                        "at this time. The meeting is enjoyed. Thank you all.", 60),
    ]
    minutes = draft(align(attribute(said, spec), spec), spec)
    texts = [p.text for item in minutes.items for p in item.remarks + item.closing_points + item.points]
    assert any("Canada urged" in t for t in texts), texts
    assert not any("seeking" in t.lower() for t in texts), texts
    said.append(utterance("S2", "Canada would like to raise one more matter on the budget.", 70))
    minutes = draft(align(attribute(said, spec), spec), spec)
    texts = [p.text for item in minutes.items for p in item.remarks]
    assert any("seeking" in t.lower() for t in texts), texts  # someone spoke after it: not the close


def test_what_several_delegations_said_alike_is_one_point():
    from pipeline.stages.draft import Point, merge_alike

    spec = load_spec(SAMPLE / "meeting.yaml")
    points = [
        Point("The delegation of Peru supported the negotiation of the second protocol.", "Peru", 10, 12, "p1000-0"),
        Point("The delegation of Canada called for more training of prosecutors.", "Canada", 20, 22, "p2000-0"),
        Point("The delegation of the United States supported the negotiation of the second protocol.",
              "United States", 30, 32, "p3000-0"),
        Point("The delegation of Brazil supported the negotiation of the second protocol and a new fund for "
              "training.", "Brazil", 40, 42, "p4000-0"),
    ]
    merged = merge_alike(points, spec)
    assert [p.text for p in merged] == [
        "The delegations of the United States and Peru supported the negotiation of the second protocol.",
        "The delegation of Canada called for more training of prosecutors.",
        "The delegation of Brazil supported the negotiation of the second protocol and a new fund for training.",
    ]
    assert merged[0].also == [{"speaker": "United States", "start": 30, "end": 32, "id": "p3000-0"}]


def test_a_language_model_point_is_checked_against_what_was_said():
    from pipeline.minutes.llm import support

    said = "Thank you, Chair. Our country has trained 2,000 officials and we support the Budapest Convention."
    faithful = "The delegation of Peru stated that its country had trained 2,000 officials and supported the Budapest Convention."
    share, missing = support(faithful, said, ["Peru"])
    assert share == 1.0 and not missing
    invented = "The delegation of Peru pledged 5 million dollars to Interpol for the Budapest Convention."
    share, missing = support(invented, said, ["Peru"])
    assert share < 0.75 and {"5", "million", "interpol"} <= set(missing)


def test_the_chairs_requests_are_recorded_as_requests():
    spec = load_spec(SAMPLE / "meeting.yaml")
    said = [
        utterance("S0", "I call to order this meeting. The first item is the adoption of the order of business. It is adopted.", 0),
        utterance("S0", "We now move to item two. I give the floor to Ms. Alison Treppel.", 20),
        utterance("S1", "Thank you, Chair. The secretariat trained two thousand officials this year in the region.", 30),
        utterance("S0", "Thank you. I would ask the Secretariat to present that information at a future meeting.", 45),
        utterance("S0", "I invite the delegation of Peru to take the floor.", 55),  # gives the floor: no request
        utterance("S3", "Thank you, Chair. Peru supports the proposal and asks for a timetable.", 60),
    ]
    minutes = draft(align(attribute(said, spec), spec), spec)
    item = minutes.items[1]
    assert [p.text for p in item.requests] == [
        "The Vice Chair of the CSH requested the Secretariat to present that information at a future meeting."]
    assert all("requested" not in p.text for p in item.remarks)
    assert "requested the Secretariat to present that information at a future meeting. [00:00:4" in render.markdown(minutes)


def test_the_orders_of_the_lists_are_the_specs_to_choose():
    spec = load_spec(SAMPLE / "meeting.yaml")
    _, utterances, minutes = meeting()
    assert minutes.quorum[:3] == ["Argentina", "Belize", "Brazil"] and minutes.quorum[-1] == "United States"
    spec.minutes.quorum_order = "spanish"  # Estados Unidos under E, Perú after México
    spec.minutes.speakers_order = "spoken"
    minutes = draft(utterances, spec)
    assert minutes.quorum.index("United States") < minutes.quorum.index("Guatemala")


def test_minutes_a_rapporteur_signs_floor_management_out_decisions_in_order_kept():
    """What a rapporteur would otherwise fix by hand: the chair's floor-giving (also garbled:
    "thank get on Canada, the next speaker...", short and next to a new speaker) is no point;
    the decisions said are written in the reference's form, at the end of their item; an
    official's presentation comes before the chair's thanks for it; one delegation is "the
    delegation of"; "Mr. Chair" and contractions do not leak into reported speech."""
    spec = load_spec(SAMPLE / "meeting.yaml")
    items = spec.order_of_business.items
    said = [
        utterance("S0", "I call to order this meeting. We now move to item one, the adoption of the order of business. "
                        "Is it agreed? It is agreed.", 0),
        utterance("S0", f"We now move to item two, {items[1].title}. I give the floor to Ms. Alison Treppel.", 20),
        utterance("S1", "Thank you, Mr. Chair. The secretariat trained officials from twelve member states this year.", 30),
        utterance("S0", "Thank you. Training of prosecutors is essential for our region. The Committee takes note of the "
                        "presentation. Thank get on Canada, the next speaker.", 45),
        utterance("S2", "Thank you, Chair. We're convinced, Mr. Chair, that member states must accede to the convention.", 60),
        utterance("S0", "Thank you. It is so decided.", 75),
    ]
    minutes = draft(align(attribute(said, spec), spec), spec)
    item = minutes.items[1]
    texts = [p.text for p in item.remarks + item.points]
    assert not [t for t in texts if re.search(r"floor|next speaker|thank get", t, re.I)], texts
    assert minutes.items[0].decision == "adopted"
    assert [p.text for p in item.decisions] == ["The Committee took note of the presentation.", "It was so decided."]
    assert item.remarks[0].speaker == "Alison Treppel" and item.remarks[0].start < item.remarks[-1].start
    text = render.markdown(minutes)
    assert "The delegation of Canada referred to the item." in text
    assert "The delegation of Canada was convinced that member states must accede to the convention." in text
    assert text.index("It was so decided.") > text.index("The delegation of Canada was convinced")
    assert "Mr. Chair" not in "".join(texts)


def test_a_committee_of_members_gets_no_empty_quorum():
    spec = load_spec(SAMPLE / "meeting.yaml")
    spec.participants.delegations = []
    said = [utterance("S0", "I call to order this meeting. We now move to item one. It is adopted.", 0)]
    text = render.markdown(draft(align(attribute(said, spec), spec), spec))
    assert "representatives of ." not in text and "quorum" not in text


def test_a_statement_in_spanish_is_reported_in_its_english_rendering():
    """English minutes of a Spanish statement: the point is its English rendering (Whisper's
    translate task, here given), in the third person, with what was said kept and flagged; a
    rendering in doubt is not used and the statement is quoted as said."""
    from pipeline.artifacts import Rendering, Translation
    from pipeline.text.report import sentence_span

    spec = load_spec(SAMPLE / "meeting.yaml")
    said = [
        utterance("S0", "We now move to item three. Canada, you have the floor.", 0),
        utterance("S2", f"Gracias, Presidente. Apoyamos la propuesta de crear un grupo de trabajo {HOSTILE}. "
                        "Los recursos son limitados y debemos fijar prioridades claras.", 10),
    ]
    said[1].language = "es"
    utterances = align(attribute(said, spec), spec)
    statement = next(u for u in utterances if u.language == "es")
    first, second = [s for s in statement.text.split(". ") if s.startswith(("Apoyamos", "Los"))]
    renderings = [Rendering(*sentence_span(statement, first + "."), "es", first + ".",
                            f"We support the proposal to create a working group {HOSTILE}.", -0.5),
                  Rendering(*sentence_span(statement, second), "es", second,
                            "I am not afraid, I am not afraid, I am not afraid.", -0.4, doubt="loops")]
    minutes = draft(utterances, spec, translation=Translation(model="base", sentences=renderings))
    points = [p for item in minutes.items for block in item.blocks for p in block.points]
    english = next(p for p in points if p.translated_from)
    assert english.text.startswith("The delegation of Canada supported the proposal to create a working group")
    assert english.original.startswith("The delegation of Canada") and "apoyamos la propuesta" in english.original
    assert "translated from Spanish" in english.flag and "Apoyamos la propuesta" in english.flag
    quoted = [p for p in points if not p.translated_from]
    assert quoted and "los recursos son limitados" in quoted[0].text and not quoted[0].flag
    page = render.html(minutes, "audio.wav")
    assert "<script>" not in page and "translated from Spanish" in page
    assert json.loads(render.as_json(minutes))["items"][2]["blocks"][0]["points"][0]["original"] == english.original


def test_renderings_in_doubt():
    from pipeline.artifacts import Rendering
    from pipeline.stages.translate import doubt

    def rendering(english: str, logprob: float = -0.5) -> Rendering:
        return Rendering(0.0, 3.0, "es", "Apoyamos la propuesta de crear un grupo de trabajo.", english, logprob)

    assert doubt(rendering("We support the proposal to create a working group.")) == ""
    assert doubt(rendering("I am not afraid, I am not afraid, I am not afraid.")) == "loops"
    assert doubt(rendering("Apoyamos la propuesta de crear un grupo.")) == "not English"
    assert doubt(rendering("The Soviet Union should be a consultant.", -1.05)).startswith("doubtful")
    assert doubt(rendering("Yes.")) == "empty"


def test_what_asr_garbled_in_the_floor_protocol_stays_out_and_decisions_are_heard_by_sound():
    """From the merged-voices and committee samples: "It is agreed" heard as "It is a great" (and
    "It is so decided" as "It is a grid") is a decision by its sound, "It is a great honour" is
    not; a member's garbled introduction ("I'm an young man off.") is no point; the first
    sentence of an item, its announcement garbled ("Where you know the presence of the
    business."), is no point either."""
    from pipeline.text.decisions import sounds_decided

    assert sounds_decided("It is a great, it is a great,") and sounds_decided("It is a grid.")
    assert sounds_decided("Así se acuerda.") and sounds_decided("So decided.")
    assert not sounds_decided("It is a great honour to be here.") and not sounds_decided("It is great.")

    spec = load_spec(SAMPLE / "meeting.yaml")
    items = spec.order_of_business.items
    items[-1].title = "Other business"
    said = [
        utterance("S0", "I call to order this meeting. We now move to item one, the adoption of the order of business. "
                        "It is a great, it is a great,", 0),
        utterance("S0", f"We now move to item two, {items[1].title}. I give the floor to Ms. Alison Treppel.", 20),
        utterance("S1", "Thank you, Mr. Chair. I'm an young man off. The secretariat trained officials from "
                        "twelve member states this year.", 30),
        utterance("S0", "Thank you. The Committee takes note of the presentation. We now move to item three. "
                        "Canada, you have the floor.", 45),
        utterance("S2", "Thank you, Chair. Canada urges member states to accede to the Convention.", 60),
        utterance("S0", "Thank you, Canada.", 70),
        utterance("S0", "Where you know the presence of the business. Any other business? Seeing none, cooperation "
                        "among states is essential for our region.", 75),
    ]
    utterances = align(attribute(said, spec), spec)
    minutes = draft(utterances, spec)
    assert minutes.items[0].decision == "adopted"
    assert [u.item for u in utterances][-1] == 4
    texts = [p.text for item in minutes.items for p in item.remarks + item.closing_points + item.points]
    assert any("trained officials" in t for t in texts), texts
    assert not [t for t in texts if re.search(r"young man|presence", t, re.I)], texts


def test_a_garbled_line_between_two_that_run_the_meeting_runs_it_too():
    """Held-out committee: "Thanks, Mr. Carrier. Mr., please wait a moment; I will come back to
    you." came out as "... Mr. Pleased with a moment. I will come back to you.": the short line
    between the thanks and the promise is floor management, not the chair's remark."""
    spec = load_spec(SAMPLE / "meeting.yaml")
    items = spec.order_of_business.items
    said = [
        utterance("S0", "I call to order this meeting. We now move to item one, the adoption of the order of business. "
                        "It is adopted.", 0),
        utterance("S0", f"We now move to item two, {items[1].title}. Canada, you have the floor.", 20),
        utterance("S2", "Thank you, Chair. Canada urges member states to accede to the Convention.", 30),
        utterance("S0", "Thanks, Canada. Mr. Pleased with a moment. I will come back to you. Peru, you have the floor.", 40),
        utterance("S3", "Thank you, Chair. Peru supports the proposal and asks for a timetable.", 50),
        utterance("S0", "We now move to item three.", 60),
    ]
    minutes = draft(align(attribute(said, spec), spec), spec)
    texts = [p.text for item in minutes.items for p in item.remarks + item.closing_points + item.points + item.requests]
    assert any("accede" in t for t in texts), texts
    assert not [t for t in texts if re.search(r"moment", t, re.I)], texts


def test_a_garbled_line_between_an_items_title_and_a_call_runs_the_meeting():
    """Held-out w9053: "Report of the Inter-American Drug Abuse Control Commission. Out what do
    you want to look? Go ahead!" ("Now Guatemala." misheard, between the item's title said alone
    and the call) was drafted as "The Chair asked: “Out what do you want to look?”". A title said
    alone runs the meeting as a floor cue does, for the line between it and the call."""
    from pipeline.stages.draft import floor_edges
    from pipeline.text.cues import manages_the_floor
    from pipeline.text.roster import build_roster

    spec = load_spec(SAMPLE / "meeting.yaml")
    title = spec.order_of_business.items[1].title = "Report of the Inter-American Drug Abuse Control Commission"
    said = [
        utterance("S0", "We now move to item two.", 12),
        utterance("S0", f"{title}. Out what do you want to look? Go ahead!", 20),
        utterance("S0", f"{title}. We are grateful to the Commission for this very good work. Go ahead!", 30),
        utterance("S2", "Thank you, Chair. Canada urges member states to accede to the Convention.", 40),
    ]
    for u in said:
        u.attribution = "Chair" if u.speaker == "S0" else "Canada"
    entries = build_roster(spec)
    assert "Out what do you want to look?" in floor_edges(said, 1, entries, spec)
    assert not manages_the_floor(f"{title}.", entries)  # a title is no floor cue: procedural() says it runs the meeting
    assert "We are grateful to the Commission for this very good work." not in floor_edges(said, 2, entries, spec)  # too long


def test_a_chairs_turn_between_two_speakers_with_no_substance_runs_the_meeting():
    """Held-out w9212: "¡Muchasinas! ¡Rame, la sión, la fecina! ¡Ame, la gente! ¡Oh, Samo!" for
    "Muchas gracias, la delegación de Argentina. Adelante, por favor." between Argentina and
    Canada: its middle sentences were drafted as the chair's remarks. With no word of substance
    anywhere, a chair's turn between two other speakers thanks one and calls the next; one with
    substance keeps it."""
    from pipeline.stages.draft import floor_edges
    from pipeline.text.report import sentences
    from pipeline.text.roster import build_roster

    spec = load_spec(SAMPLE / "meeting.yaml")
    said = [
        utterance("S2", "Thank you, Chair. Canada urges member states to accede to the Convention.", 10),
        utterance("S0", "¡Muchasinas! ¡Rame, la sión, la fecina! ¡Ame, la gente! ¡Oh, Samo!", 20),
        utterance("S3", "Peru supports the proposal of the Secretariat.", 30),
        utterance("S0", "¡Muchasinas! We must strengthen cooperation on cybercrime now. ¡Oh, Samo!", 40),
        utterance("S2", "Canada agrees with the proposal of the Secretariat.", 50),
    ]
    _labelled(said, ("Canada", "Chair", "Peru", "Chair", "Canada"), item=2)
    entries = build_roster(spec)
    assert floor_edges(said, 1, entries, spec) == set(sentences(said[1].text))
    assert "We must strengthen cooperation on cybercrime now." not in floor_edges(said, 3, entries, spec)


def test_a_misheard_delegation_word_is_no_substance():
    """Held-out w9062: "La delegación de Paraguay tiene la palabra." came out as "La debedación de
    Paraguay, tiene ni cedra para Laura.", and "debedación" holds the stem "debe" (must): the
    chair's floor-giving was drafted as a point. The word that heads a name the roster knows is the
    name's noun; the same stem anywhere else still makes the sentence one of substance."""
    from pipeline.stages.draft import substantive
    from pipeline.text.roster import build_roster

    entries = build_roster(load_spec(SAMPLE.parent / "cp-cajp-spanish-chair" / "meeting.yaml"))
    assert not substantive("La debedación de Paraguay, tiene ni cedra para Laura.", entries)
    assert substantive("La delegación de Paraguay debe apoyar esta iniciativa.", entries)
    assert substantive("El debate de Paraguay es importante.", entries)  # "importante" is substance
    assert substantive("La debedación de la sociedad civil.", entries)  # no name after it


@pytest.mark.parametrize("sentence, substance", [
    ("I call you for blockade.", False),        # held-out w9133: "I call upon Rob Gallant."
    ("I call them all embass, a power.", False),  # held-out w9133: "I call upon Ms. Abara."
    ("We call on member states to accede to the Convention.", True),
    ("We call for more funding to reach the regions.", True),
])
def test_calling_someone_is_no_substance_calling_on_them_to_act_is(sentence, substance):
    from pipeline.stages.draft import substantive
    from pipeline.text.roster import build_roster

    assert substantive(sentence, build_roster(load_spec(SAMPLE / "meeting.yaml"))) is substance


def test_an_items_opening_up_to_its_first_floor_is_no_remark():
    """Held-out w9061: the announcement of item 2, its number lost and its title misheard ("I
    don't know. Questions? Tell me this to all the main estimates. Ken McKinnon, you've had five
    minutes."), was drafted as "The Chair stated that tell them this to all the main
    estimates.": what the chair says opening an item, up to the floor given in it, runs the
    meeting, and a word of an item's title ("estimates", whose letters hold the stem "estim") is
    no substance. The order of business nobody spoke to, the meeting gone on to the next item,
    was adopted however ASR heard the question ("In the debris, in the debris.")."""
    from pipeline.stages.draft import floor_edges, substantive
    from pipeline.text.roster import build_roster

    spec = load_spec(SAMPLE / "meeting.yaml")
    items = spec.order_of_business.items
    entries = build_roster(spec)
    titles = [item.title for item in items]
    said = [
        utterance("S0", f"We now move to item one, {items[0].title}. In the debris, in the debris.", 0),
        utterance("S0", "I don't know. Questions? Tell me about the report. Canada, you have the floor. "
                        "We must hear every delegation.", 10),
        utterance("S2", "Thank you, Chair. Canada urges member states to accede to the Convention.", 30),
    ]
    for u, item in zip(said, (1, 2, 2)):
        u.attribution, u.item = ("Chair" if u.speaker == "S0" else "Canada"), item
    edges = floor_edges(said, 1, entries, spec)
    assert {"I don't know.", "Questions?", "Tell me about the report.", "Canada, you have the floor."} <= edges
    assert "We must hear every delegation." not in edges  # after the floor, and substantive
    titled = spec.model_copy(deep=True)
    titled.order_of_business.items[1].title = "Questions to the Minister on the main estimates"
    assert not substantive("Tell me this to all the main estimates.", entries, [i.title for i in titled.order_of_business.items])
    assert substantive("The figures in the estimates must be published.", entries, titles)
    minutes = draft(said, spec)
    assert minutes.items[0].decision == "adopted"
    assert not [p for item in minutes.items for p in item.remarks if "debris" in p.text or "report" in p.text]


def test_the_question_put_to_the_meeting_is_heard_by_sound():
    """From the merged-voices sample: "Is it agreed? Is it agreed?" came out of ASR as "Is it a
    grade? Is it a grade?" (``isitakrt`` either way); with nobody speaking after it, the order of
    business was adopted. "It is a great honour" puts nothing to the meeting."""
    from pipeline.text.decisions import puts_to_the_meeting

    assert puts_to_the_meeting("Is it a grade? Is it a grade?") and puts_to_the_meeting("Is it agreed?")
    assert puts_to_the_meeting("Si no hay objeciones, así se acuerda.")
    assert not puts_to_the_meeting("It is a great honour to be here.") and not puts_to_the_meeting("Is it great?")

    spec = load_spec(SAMPLE / "meeting.yaml")
    said = [
        utterance("S0", "Let us turn to the next item, an option on the order of business. Is it a grade? Is it a grade?", 0),
        utterance("S0", f"We now move to item two, {spec.order_of_business.items[1].title}.", 20),
    ]
    minutes = draft(align(attribute(said, spec), spec), spec)
    assert minutes.items[0].decision == "adopted"


def test_a_short_edge_sentence_naming_the_speaker_beside_it_runs_the_meeting():
    """Held-out w9071: "Now Ms. Olsen. Go ahead." heard as "Now I'm asked, Olsen, your head.",
    right before Ms. Olsen answered, was drafted as the chair's remark ("asked" holds the stem
    "ask"). A short sentence at the edge of the chair's turn naming the speaker beyond that edge
    calls or thanks them, whatever else ASR made of it; a long one, or one naming someone else,
    is read for substance as before."""
    from pipeline.stages.draft import floor_edges
    from pipeline.text.roster import build_roster

    spec = load_spec(SAMPLE / "meeting.yaml")
    entries = build_roster(spec)
    said = [
        utterance("S2", "Thank you, Chair. Canada urges member states to accede to the Convention.", 0),
        utterance("S0", "Thank you, Canada, we must ask. Now I'm asked, Peru, your head.", 10),
        utterance("S3", "Thank you, Chair. Peru supports the proposal and its follow-up mechanism.", 20),
        utterance("S0", "We must ask for support. Chile urges the working group to meet before the Assembly.", 30),
        utterance("S4", "Gracias, Presidente. Chile apoya la propuesta de la Secretaría.", 40),
    ]
    _labelled(said, ("Canada", "Chair", "Peru", "Chair", "Chile"))
    assert floor_edges(said, 1, entries, spec) == {"Thank you, Canada, we must ask.", "Now I'm asked, Peru, your head."}
    assert floor_edges(said, 3, entries, spec) == set()  # names nobody beside it; names Chile, but too long


def test_an_items_opening_with_no_floor_in_it_is_no_remark_to_its_end():
    """Held-out w9091: "Let us turn to the next item, Questions to the Minister on the main
    estimates." heard as "Let's all come to the next item. Questions to the ladies come to the next
    unit.", the call after it in another voice: the garbled title was drafted as the chair's
    remark, the item's opening counted only to its first sentence when no floor is given in it.
    It runs to the turn's end; what has substance in it is still a remark."""
    from pipeline.stages.draft import floor_edges
    from pipeline.text.roster import build_roster

    spec = load_spec(SAMPLE / "meeting.yaml")
    spec.order_of_business.items[1].title = "Questions to the Minister on the main estimates"
    entries = build_roster(spec)
    said = [
        utterance("S0", "Is it agreed? It is agreed.", 0),
        utterance("S0", "Let's all come to the next item. Questions to the ladies come to the next unit. "
                        "We must strengthen cooperation on cybercrime.", 10),
        utterance("S1", "Canada, you have the floor.", 20),
        utterance("S2", "Thank you, Chair. Canada urges member states to accede to the Convention.", 30),
    ]
    for u, item in zip(said, (1, 2, 2, 2)):
        u.attribution, u.item = ("Canada" if u.speaker == "S2" else "Chair"), item
    edges = floor_edges(said, 1, entries, spec)
    assert {"Let's all come to the next item.", "Questions to the ladies come to the next unit."} <= edges
    assert "We must strengthen cooperation on cybercrime." not in edges


def test_a_decoding_loop_is_no_point():
    """The Spanish-chair sample: "tribe leaders have no fear of what are intended or what are
    intended or what are intended to speak, ..." and held-out w9102's "make you happy, to make
    you happy, to make you happy, to make you happy" (for the chair's call to Peru) were drafted
    as points: Whisper writes one phrase over and over where it does not hear what was said.
    Words repeated for emphasis ("very, very, very") are speech."""
    from pipeline.text.report import loops

    assert loops("make you happy, to make you happy, to make you happy, to make you happy")
    assert loops("Tribe leaders have no fear of what are intended or what are intended or what are intended to speak.")
    assert loops("So that you can follow that on my lap, lap, lap, lap, lap, lap.")
    assert not loops("This is very, very, very important for us.")
    assert not loops("We move step by step by step.")
    assert not loops("We support the proposal, we support the timetable, and we support the budget.")

    spec = load_spec(SAMPLE / "meeting.yaml")
    said = [
        utterance("S0", "We now move to item three. Canada, you have the floor.", 0),
        utterance("S2", "Thank you, Chair. Canada urges member states to accede to the Convention. "
                        "The states have no fear of what are intended or what are intended or what are intended.", 10),
    ]
    minutes = draft(align(attribute(said, spec), spec), spec)
    texts = [p.text for item in minutes.items
             for p in item.points + item.remarks + item.closing_points + [p for b in item.blocks for p in b.points]]
    assert any("accede" in t for t in texts), texts
    assert not [t for t in texts if "intended" in t], texts


def test_an_item_by_a_misheard_number_then_its_title_is_no_point():
    """Held-out w9102: "Tenemos a consideración el punto 2, Informe sobre el Programa
    Interamericano de Facilitadores Judiciales." heard as "Tenemos la transición de punto 4,
    informe sobre el programa indéamericano de facilidades judiciales." was drafted as the chair's
    remark: no verb of announcing was heard and there is no item 4. The title after the item's
    number says which item is announced (:func:`pipeline.text.agenda.titled_item`); a number
    with no title after it announces nothing."""
    from pipeline.stages.draft import procedural

    spec = load_spec(SAMPLE.parent / "cp-cajp-spanish-chair" / "meeting.yaml")
    garbled = spec.order_of_business.items[1].title.lower().replace("interamericano", "indéamericano")
    assert procedural(f"Tenemos la transición de punto 4, {garbled}.", spec)
    assert not procedural("Sobre el punto 4, Chile propone un calendario y un presupuesto para la próxima etapa.", spec)


def test_the_chairs_words_left_in_a_members_turn_are_no_point():
    """Held-out w9171 and w9102: where attribution cut a voice merged with the chair's at the wrong
    sentence, the chair's calls were drafted as a member's points: "The Minister ... stated that
    the floor would tomorrow also" ("The floor goes to Marc Olsen."), "... stated that anx, Mr.
    Sidhu, Blahead, Anne Rasmussen" ("Thanks, Mr. Sidhu. Go ahead, Anne Rasmussen."), "The
    delegation of Ecuador stated that ¡Invídate que falta tomar la parada" (then Ecuador's own
    "Muchas gracias, señor presidente"). Whoever a turn is attributed to, a sentence with nothing
    of substance that speaks of the floor, that is names and titles only, a short thanks, or that
    comes before the speaker's opening thanks to the chair runs the meeting; a statement naming others, or
    thanks closing a statement, stay."""
    from pipeline.stages.draft import stray_floor
    from pipeline.text.roster import build_roster

    spec = load_spec(SAMPLE / "meeting.yaml")
    entries = build_roster(spec)
    said = [
        utterance("S2", "Canada urges member states to accede to the Convention. The floor will tomorrow also.", 0),
        utterance("S2", "Anx, Mr. Peru, Blahead, Chile. We fully agree with Chile and with Peru on this.", 10),
        utterance("S3", "¡Invídate que falta tomar la parada!", 20),
        utterance("S3", "Muchas gracias, señor presidente, Chile apoya la propuesta de la Secretaría.", 23),
        utterance("S4", "Mexico has heard the statements of all delegations today. Thank you, Chair.", 30),
        utterance("S5", "Como decía antes. Gracias, Presidente. Perú apoya la propuesta de la Secretaría.", 40),
    ]
    _labelled(said, ("Canada", "Canada", "Chile", "Chile", "Mexico", "Peru"), item=2)
    assert stray_floor(said, 0, entries, spec) == {"The floor will tomorrow also."}
    assert stray_floor(said, 1, entries, spec) == {"Anx, Mr. Peru, Blahead, Chile."}
    assert stray_floor(said, 2, entries, spec) == {"¡Invídate que falta tomar la parada!"}
    assert stray_floor(said, 3, entries, spec) == set()
    assert stray_floor(said, 4, entries, spec) == {"Thank you, Chair."}  # what the thanks close stays
    assert stray_floor(said, 5, entries, spec) == {"Como decía antes.", "Gracias, Presidente."}
    # Held-out w9181: the chair's "Thank you very much, Ms. Dhaliwal." closing a witness's answer
    # (a title's full stop in it); a long sentence opening with thanks is a statement.
    thanked = [utterance("S2", "We are working with the provinces to reduce the backlog. "
                               "thank you very much, MS. Nearly would.", 50),
               utterance("S3", "Thank you, Mr. Chair, while the targets of the plan were lowered the backlog grew.", 60)]
    _labelled(thanked, ("Canada", "Peru"), item=2)
    assert stray_floor(thanked, 0, entries, spec) == {"thank you very much, MS. Nearly would."}
    assert stray_floor(thanked, 1, entries, spec) == set()
    # Held-out w9211: the chair's call and the member's introduction in one sentence ("no, Dr.
    # Morrison, Laura Ferd, Good afternoon, I'm Piotr Morrison,"); an introduction with substance stays
    introduced = [utterance("S2", "Now, Mr. Peru, Laura Ferd, Good afternoon, I'm the delegate of Peru. "
                                  "Peru supports the proposal of the Secretariat.", 70),
                  utterance("S3", "I'm the delegate of Chile and we support the proposal of the Secretariat.", 80),
                  # held-out w9181: an introduction the sentence goes on after opens a point
                  utterance("S4", "Good afternoon, I'm the delegate of Mexico, I would like to follow up on the "
                                  "question of housing.", 90)]
    _labelled(introduced, ("Peru", "Chile", "Mexico"), item=2)
    assert stray_floor(introduced, 0, entries, spec) == {"Now, Mr. Peru, Laura Ferd, Good afternoon, I'm the delegate of Peru."}
    assert stray_floor(introduced, 1, entries, spec) == set()
    assert stray_floor(introduced, 2, entries, spec) == set()

    minutes = draft(said, spec)
    texts = [p.text for item in minutes.items for p in item.points + item.remarks + item.closing_points]
    assert not [t for t in texts if "floor" in t or "Blahead" in t or "parada" in t], texts
    assert [t for t in texts if "agree" in t] and [t for t in texts if "accede" in t], texts
