"""Reported speech without a language model: pick substantive sentences, put them in the third person.

Only words the speaker said are used; the transformation is grammatical (pronouns, tense), never
a paraphrase, so a point in the minutes can always be read against its source utterance.
"""

from __future__ import annotations

import re

from pipeline.text.cues import INTRODUCING
from pipeline.text.roster import split_sentences

COURTESY = re.compile(
    r"^(?:thank\s+you|thanks|good\s+(?:morning|afternoon|evening)|gracias|buenos\s+dias|merci|"
    r"bonjour|obrigad[oa]|bom\s+dia)\b[^.!?]*[.!?]?$|"
    r"^(?:i|we)\s+(?:thank|would\s+like\s+to\s+thank)\b[^.!?]*(?:chair|panel\w*|presenter\w*)[^.!?]*[.!?]?$",
    re.IGNORECASE,
)
# A sentence opening with thanks, in the four languages: it thanks whom it names.
THANKS_OPENING = re.compile(r"^(?:thank\s+you|thanks|(?:muchas\s+)?gracias|(?:muito\s+)?obrigad[oa]|merci)\b")
# A speaker introducing themselves in a turn's opening ("Thank you, Chair. I'm Anne Umarov.", heard
# "I'm an young man off."): how the floor is taken, whatever the name became, never a point.
INTRODUCTION = re.compile(r"^" + INTRODUCING + r"\s+(?:[^\s.!?,;:]+\s*){1,4}[.!?]?$", re.IGNORECASE)
OPENING_SENTENCES = 2  # a courtesy, then the introduction

# Thanking for the question: how a witness, or whoever was asked, opens an answer ("Thank you for
# the question. The department has hired ..."), never how the one who asked goes on.
ANSWERING = re.compile(r"^(?:thank\s+you|thanks)(?:\s+(?:very|so)\s+much)?\s+for\s+(?:the|your|this|that)\s+questions?\b|"
                       r"^(?:muchas\s+)?gracias\s+(?:por|por\s+la|por\s+su|por\s+esta)\s+preguntas?\b|"
                       r"^(?:muito\s+)?obrigad[oa]\s+(?:pela|por\s+sua|pela\s+sua|por\s+esta)\s+perguntas?\b|"
                       r"^merci\s+(?:pour|de)\s+(?:la|votre|cette)\s+questions?\b", re.IGNORECASE)

# Words of substance in the four languages (stems): what a point says, not how a meeting is run.
SUBSTANCE = re.compile(
    r"\b(?:urge|support|call|propose|stress|believe|need|must|should|importance|important|"
    r"recommend|encourage|welcome|concern|request|ask|suggest|commit|cooperation|capacity|"
    r"convention|protocol|framework|training|strengthen|challenge|road\s*map|priorit|essential|"
    # es / pt / fr
    r"apoy|apoi|propon|propo[sn]|importan|necesari|necess[aá]ri|n[ée]cessaire|debe|deve|doit|esencial|"
    r"essencial|essentiel|cooperaci[oó]n|coopera[cç][aã]o|coop[ée]ration|fortalec|renforc|recomiend|"
    r"recomend|recommand|preocup|pr[ée]occup|solicit|compromis|engagement|prioridad|prioridade|appui|"
    r"consider|estim)\w*",
    re.IGNORECASE,
)

# Present -> past for reporting verbs and auxiliaries (backshift of reported speech).
BACKSHIFT = {
    "is": "was", "are": "were", "am": "was", "has": "had", "have": "had", "will": "would",
    "can": "could", "shall": "should", "may": "might", "do": "did", "does": "did",
    "remains": "remained", "believes": "believed", "urges": "urged", "supports": "supported",
    "calls": "called", "proposes": "proposed", "stresses": "stressed", "welcomes": "welcomed",
    "encourages": "encouraged", "considers": "considered", "recognizes": "recognized",
    "reiterates": "reiterated", "wishes": "wished", "thanks": "thanked", "believe": "believed",
    "urge": "urged", "support": "supported", "call": "called", "propose": "proposed",
    "stress": "stressed", "welcome": "welcomed", "encourage": "encouraged", "consider": "considered",
    "recognize": "recognized", "reiterate": "reiterated", "wish": "wished", "need": "needed",
    "needs": "needed", "want": "wanted", "wants": "wanted", "agree": "agreed", "agrees": "agreed",
    "ask": "asked", "asks": "asked", "request": "requested", "requests": "requested", "hope": "hoped",
    "hopes": "hoped", "note": "noted", "notes": "noted", "share": "shared", "shares": "shared",
    "look": "looked", "looks": "looked", "expect": "expected", "expects": "expected",
    "think": "thought", "thinks": "thought", "feel": "felt", "feels": "felt", "know": "knew",
    "understand": "understood", "understands": "understood", "reaffirm": "reaffirmed",
    "reaffirms": "reaffirmed", "join": "joined", "joins": "joined", "emphasize": "emphasized",
    "emphasizes": "emphasized", "acknowledge": "acknowledged", "acknowledges": "acknowledged",
    "appreciate": "appreciated", "appreciates": "appreciated", "commend": "commended",
    "commends": "commended", "express": "expressed", "expresses": "expressed",
}
PRONOUNS_GROUP = {  # a delegation speaks as "we"
    "we": "it", "our": "its", "ours": "its", "us": "it", "ourselves": "itself",
    "my delegation": "the delegation", "my country": "its country", "my government": "its government",
    "i": "it", "my": "its", "me": "it",
}
PRONOUNS_PERSON = {  # an official or presenter speaks as "I" (and for an institution as "we")
    "we": "they", "our": "their", "ours": "theirs", "us": "them", "i": "the speaker",
    "my": "their", "me": "them",
}


FUNCTION_WORDS = {"the", "this", "that", "these", "those", "it", "there", "a", "an", "in", "on", "for",
                  "they", "its", "their", "mutual", "all", "most", "many", "some", "every", "each",
                  "if", "when", "while", "as", "since", "although", "without", "with", "by", "to"}


def timestamp(seconds: float) -> str:
    """HH:MM:SS, as the minutes stamp each point."""
    seconds = int(seconds)
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def join_names(names: list[str]) -> str:
    """"A, B, and C" as the reference writes lists."""
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + ", and " + names[-1]


def sentences(text: str) -> list[str]:
    return split_sentences(text)


def sentence_span(utterance, sentence: str) -> tuple[float, float] | None:
    """When ``sentence`` (one of :func:`sentences` of the utterance's text) was said: from its
    first word's start to its last word's end, found by the words' places in the text. None if
    the text is not its words' (nothing to time it by)."""
    full = "".join(w.word for w in utterance.words)
    lead = len(full) - len(full.lstrip())
    if full.strip() != utterance.text or not sentence:
        return None
    at = utterance.text.find(sentence)
    if at < 0:
        return None
    inside, cursor = [], -lead
    for word in utterance.words:
        begin, cursor = cursor, cursor + len(word.word)
        if cursor > at and begin < at + len(sentence) and word.word.strip():
            inside.append(word)
    return (inside[0].start, inside[-1].end) if inside else None


# A decoding loop: Whisper, not hearing what was said, writes one phrase over and over ("make you
# happy, to make you happy, to make you happy" for the chair's "Agradezco a Canadá. Seguidamente,
# ...", "what are intended or what are intended or what are intended"). A run this many words long
# of a phrase of up to LOOP_PHRASE words, this many times over, is no one's point: "very, very,
# very" (3 words) and "step by step by step" (5) are speech.
LOOP_PHRASE = 6
LOOP_WORDS = 6
LOOP_TIMES = 2.5


def loops(sentence: str) -> bool:
    """Whether a sentence holds a decoding loop (:data:`LOOP_WORDS`, :data:`LOOP_TIMES`)."""
    words = [w for w in (w.strip(",.;:!?¿¡\"'").lower() for w in sentence.split()) if w]
    for n in range(1, LOOP_PHRASE + 1):
        run = 0  # words in a row equal to the one n words before
        for i in range(n, len(words)):
            run = run + 1 if words[i] == words[i - n] else 0
            if run + n >= LOOP_WORDS and (run + n) / n >= LOOP_TIMES:
                return True
    return False


def key_sentences(text: str, limit: int = 2, skip=None) -> list[str]:
    """The most substantive sentences of an intervention, in the order they were said.

    ``skip(sentence)`` drops more (the draft passes its test for procedure: giving the floor,
    announcing items), on top of courtesies and fragments.
    """
    candidates = [(i, s) for i, s in enumerate(sentences(text))
                  if not COURTESY.match(s) and len(s.split()) >= 5 and not (skip and skip(s)) and not loops(s)
                  and not (i < OPENING_SENTENCES and INTRODUCTION.match(s) and not SUBSTANCE.search(s))]
    ranked = sorted(candidates, key=lambda p: (-len(SUBSTANCE.findall(p[1])), -len(p[1].split())))
    chosen = sorted(ranked[:limit])
    return [s for _, s in chosen]


def _swap(words: str, table: dict[str, str]) -> str:
    pattern = re.compile(r"\b(" + "|".join(sorted(map(re.escape, table), key=len, reverse=True)) + r")\b",
                         re.IGNORECASE)
    return pattern.sub(lambda m: table[m.group(0).lower()], words)


CONTRACTIONS = {
    "i'm": "I am", "we're": "we are", "it's": "it is", "that's": "that is", "there's": "there is",
    "don't": "do not", "doesn't": "does not", "didn't": "did not", "can't": "cannot", "won't": "will not",
    "isn't": "is not", "aren't": "are not", "wasn't": "was not", "weren't": "were not", "haven't": "have not",
    "hasn't": "has not", "we've": "we have", "i've": "I have", "we'll": "we will", "i'll": "I will",
    "we'd": "we would", "i'd": "I would", "let's": "let us", "they're": "they are", "you're": "you are",
}
# "Mr. Chair," and its kin addressed to the presiding officer: not part of what is reported.
_CHAIR = r"(?:(?:mr|mister|madam|madame|dear|distinguished)\.?\s+)?(?:chair(?:man|woman|person)?|president[ea]?)"
ADDRESS = (re.compile(r"^\s*" + _CHAIR + r"\s*,\s*", re.IGNORECASE),  # "Mr. Chair, we support ..."
           re.compile(r"\s*,\s*" + _CHAIR + r"\s*,\s*", re.IGNORECASE),  # "We support, Mr. Chair, the ..."
           re.compile(r"\s*,\s*" + _CHAIR + r"\s*(?=[.!?;]|$)", re.IGNORECASE))  # "... the protocol, Chair."


def spoken_clean(sentence: str) -> str:
    """A sentence as the minutes may report it: contractions spelt out ("we're" would become
    "it're"), addresses to the chair dropped."""
    sentence = re.sub(r"[’`]", "'", sentence)
    sentence = re.sub(r"\b(" + "|".join(map(re.escape, CONTRACTIONS)) + r")\b",
                      lambda m: _cased(CONTRACTIONS[m.group(1).lower()], m.group(1)), sentence, flags=re.IGNORECASE)
    for pattern, by in zip(ADDRESS, ("", " ", "")):
        sentence = pattern.sub(by, sentence).strip()
    sentence = re.sub(r"\s+([,.;!?])", r"\1", re.sub(r"\s{2,}", " ", sentence))
    return sentence[:1].upper() + sentence[1:] if sentence else sentence


def _cased(expansion: str, original: str) -> str:
    return expansion[:1].upper() + expansion[1:] if original[:1].isupper() else expansion


def third_person(sentence: str, subject: str, names: list[str], group: bool = True) -> str:
    """``sentence`` as reported speech with ``subject`` ("The delegation of Canada") as its subject.

    "Canada urges ..." -> "The delegation of Canada urged ..."; "We support ..." -> "The
    delegation of Canada supported ..."; anything else -> "The delegation of Canada stated that ...".
    """
    asked = question(sentence, subject, group)
    if asked is not None:
        return asked
    body = spoken_clean(sentence).rstrip(".!?;")
    lead = re.match(r"^(?:the\s+)?(?:delegation\s+of\s+)?(?P<name>" +
                    "|".join(map(re.escape, names)) + r")\s+(?P<rest>.+)$", body, re.IGNORECASE) if names else None
    # A person speaking as "we" speaks for an institution: "X were working" would be wrong, so
    # only "I" takes the person as the subject ("they were working" is reported below).
    opening = r"^(?:we|i|my delegation|our delegation|our country)\s+" if group else r"^i\s+"
    first = re.match(opening + r"(?P<rest>.+)$", body, re.IGNORECASE)
    table = PRONOUNS_GROUP if group else PRONOUNS_PERSON
    if lead or first:
        rest = (lead or first).group("rest")
        adverb = re.match(r"^(also|therefore|strongly|fully|firmly|further|again|once again)\s+(.+)$",
                          rest, re.IGNORECASE)
        if adverb:
            rest = adverb.group(2)
        verb, _, tail = rest.partition(" ")
        if adverb:
            tail = f"{tail}"
            verb = f"{adverb.group(1).lower()} {BACKSHIFT.get(verb.lower(), verb)}"
        verb = BACKSHIFT.get(verb.lower(), verb)
        if group and verb == "were":
            verb = "was"  # "we are" of a delegation: "the delegation ... was"
        if verb == "would" and tail.lower().startswith("like to "):
            verb, tail = "wished", "to " + tail[8:]
        tail = _third(tail, table)
        return f"{subject} {verb} {tail}".strip() + "."
    said = reported(body, group)
    if not _proper_opening(said, names):
        said = said[0].lower() + said[1:]
    return f"{subject} stated that {said}"


WH = {"what", "why", "how", "when", "where", "which", "who", "whom", "whose"}
ADVERBIAL_WH = {"why", "how", "when", "where"}  # never the subject: the auxiliary after them is inverted
AUXILIARIES = {"is", "are", "was", "were", "has", "have", "had", "will", "would", "can", "could", "shall",
               "should", "may", "might", "must"}
MODALS = {"will", "would", "can", "could", "shall", "should", "may", "might", "must"}
PRONOUN_SUBJECTS = {"it", "they", "we", "he", "she", "i", "there", "this", "that"}
DETERMINERS = {"the", "this", "that", "these", "those", "our", "its", "their", "a", "an", "my", "his", "her",
               "any", "some", "all", "every", "each", "no", "such"}
IRREGULAR_PARTICIPLES = {"been", "done", "made", "spent", "taken", "given", "seen", "held", "met", "known",
                         "shown", "built", "paid", "sent", "set", "put", "cut", "kept", "led", "left", "lost",
                         "found", "heard", "told", "brought", "bought", "thought", "begun", "written", "chosen"}
VOCATIVE = re.compile(r"^(?:(?:deputy\s+)?minister|madam\s+chair|chair|sir|madam|(?:mr|ms|mrs|dr)\.?\s+\w+)\s*,\s*",
                      re.IGNORECASE)


TELL_US = re.compile(r"^(?:can|could|would|will)\s+you\s+(?:please\s+)?(?:tell|explain\s+to|inform|update)\s+"
                     r"(?:the\s+committee|us|the\s+members)\s+(?:on\s+)?(?P<wh>why|how|what|when|where|whether|if|who|which)"
                     r"\s+(?P<rest>.+)$", re.IGNORECASE)


def _verbish(word: str) -> bool:
    """A word that can only be the verb after a question's subject: a participle or "be"/"have"."""
    return (word in IRREGULAR_PARTICIPLES or word in ("be", "have", "being") or
            (len(word) > 4 and word.endswith(("ed", "ing"))))


def _subject_end(lw: list[str], start: int, modal: bool) -> int | None:
    """Where the subject that an inverted auxiliary precedes ends (``lw[start:end]``), or None
    when it cannot be told without a parser (then the question is quoted)."""
    if start >= len(lw):
        return None
    if lw[start] in PRONOUN_SUBJECTS:
        return start + 1
    verb = next((i for i in range(start + 1, min(len(lw), start + 7)) if _verbish(lw[i])), None)
    if verb is not None:
        return verb
    if modal and lw[start] in DETERMINERS and start + 2 <= len(lw):
        return start + 2  # "will the department publish ...": a determiner and its noun
    if modal or len(lw) - start > 4:  # a long rest with no verb in it is not a subject to move
        return None
    return len(lw)  # "what is the timeline": all of it


def question(sentence: str, subject: str, group: bool = True) -> str | None:
    """A question as the minutes report it: "Why were the targets lowered?" -> "X asked why the
    targets had been lowered"; "Has the department assessed ...?" -> "X asked whether the department
    had assessed ..."; a question this cannot turn around without a parser (do-support, "you") is
    quoted as said. None for a sentence that is not a question."""
    if not sentence.rstrip().endswith("?"):
        return None
    body = VOCATIVE.sub("", spoken_clean(sentence)).rstrip("?!. ")
    words = body.split()
    if not words:
        return None
    table = PRONOUNS_GROUP if group else PRONOUNS_PERSON
    request = TELL_US.match(body)  # "Can you tell the committee why ..." asks why ...
    if request:
        said = _third(request.group("rest"), table)
        return f"{subject} asked {request.group('wh').lower()} {said[0].lower() + said[1:]}."
    lw = [w.lower().strip(",;:") for w in words]
    clause = None
    if lw[0] in WH:
        k = next((i for i, w in enumerate(lw) if i > 0 and w in AUXILIARIES), None)
        if k is not None and "you" not in lw[k + 1:k + 2]:
            inverted = lw[0] in ADVERBIAL_WH and k == 1 or (k + 1 < len(lw) and (
                lw[k + 1] in DETERMINERS or lw[k + 1] in PRONOUN_SUBJECTS))
            if not inverted:
                clause = words  # the wh-phrase is the subject: "how many inspectors will be hired"
            else:
                end = _subject_end(lw, k + 1, lw[k] in MODALS)
                if end is not None:
                    clause = words[:k] + words[k + 1:end] + [lw[k]] + words[end:]
        lead = ""
    elif lw[0] in AUXILIARIES and len(lw) > 2 and lw[1] != "you":
        end = _subject_end(lw, 1, lw[0] in MODALS)
        if end is not None:
            clause = words[1:end] + [lw[0]] + words[end:]
        lead = "whether "
    if clause is None:
        return f"{subject} asked: \u201c{body}?\u201d"
    said = _third(" ".join(clause), table)
    if not _proper_opening(said, []):
        said = said[0].lower() + said[1:]
    return f"{subject} asked {lead}{said}."


def _proper_opening(said: str, names: list[str]) -> bool:
    """Whether ``said`` opens with a name that keeps its capital after "stated that": a member
    state ("United States", "Mexico's"), the speaker's own name, an acronym, "I". Anything else
    was capitalised only for opening the sentence ("Small states need ...", "Mi gobierno ...")."""
    from pipeline.text.roster import member_state

    words = said.split()
    first = words[0].strip(",;:\"'").removesuffix("'s")
    if first.lower() in FUNCTION_WORDS:
        return False
    if first == "I" or (first.isupper() and len(first) > 1) or not first[:1].isupper():
        return True
    if any(name.split()[0].lower() == first.lower() for name in names):
        return True
    return any(member_state(" ".join(words[:n]).strip(",;:.").removesuffix("'s")) for n in range(1, 5))


def reported(sentence: str, group: bool = True) -> str:
    """``sentence`` backshifted with pronouns in the third person, as a numbered point reads."""
    body = spoken_clean(sentence).rstrip(".!?;")
    said = _third(body, PRONOUNS_GROUP if group else PRONOUNS_PERSON)
    return said[0].upper() + said[1:] + "."


def _third(text: str, table: dict[str, str]) -> str:
    """Backshifted, pronouns in the third person; a delegation ("it") takes a singular verb."""
    text = _swap(_backshift(text), table)
    return re.sub(r"\bit were\b", "it was", text) if table is PRONOUNS_GROUP else text


def _backshift(text: str) -> str:
    """Auxiliaries anywhere, and any verb of :data:`BACKSHIFT` right after "we" or "I"."""
    aux = {k: v for k, v in BACKSHIFT.items() if k in ("is", "are", "am", "has", "have", "will", "can", "shall")}
    text = re.sub(r"\b(we|i)\s+(\w+)\b", lambda m: f"{m.group(1)} {BACKSHIFT.get(m.group(2).lower(), m.group(2))}",
                  text, flags=re.IGNORECASE)
    return _swap(text, aux)
