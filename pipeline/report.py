"""Reported speech without a language model: pick substantive sentences, put them in the third person.

Only words the speaker said are used; the transformation is grammatical (pronouns, tense), never
a paraphrase, so a point in the minutes can always be read against its source utterance.
"""

from __future__ import annotations

import re

from pipeline.roster import split_sentences

COURTESY = re.compile(
    r"^(?:thank\s+you|thanks|good\s+(?:morning|afternoon|evening)|gracias|buenos\s+dias|merci|"
    r"bonjour|obrigad[oa]|bom\s+dia)\b[^.!?]*[.!?]?$|"
    r"^(?:i|we)\s+(?:thank|would\s+like\s+to\s+thank)\b[^.!?]*(?:chair|panel\w*|presenter\w*)[^.!?]*[.!?]?$",
    re.IGNORECASE,
)
SUBSTANCE = re.compile(
    r"\b(?:urge|support|call|propose|stress|believe|need|must|should|importance|important|"
    r"recommend|encourage|welcome|concern|request|ask|suggest|commit|cooperation|capacity|"
    r"convention|protocol|framework|training|strengthen|challenge|road\s*map|priorit|essential)\w*",
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


def sentences(text: str) -> list[str]:
    return split_sentences(text)


def key_sentences(text: str, limit: int = 2, skip=None) -> list[str]:
    """The most substantive sentences of an intervention, in the order they were said.

    ``skip(sentence)`` drops more (the draft passes its test for procedure: giving the floor,
    announcing items), on top of courtesies and fragments.
    """
    candidates = [(i, s) for i, s in enumerate(sentences(text))
                  if not COURTESY.match(s) and len(s.split()) >= 5 and not (skip and skip(s))]
    ranked = sorted(candidates, key=lambda p: (-len(SUBSTANCE.findall(p[1])), -len(p[1].split())))
    chosen = sorted(ranked[:limit])
    return [s for _, s in chosen]


def _swap(words: str, table: dict[str, str]) -> str:
    pattern = re.compile(r"\b(" + "|".join(sorted(map(re.escape, table), key=len, reverse=True)) + r")\b",
                         re.IGNORECASE)
    return pattern.sub(lambda m: table[m.group(0).lower()], words)


def third_person(sentence: str, subject: str, names: list[str], group: bool = True) -> str:
    """``sentence`` as reported speech with ``subject`` ("The delegation of Canada") as its subject.

    "Canada urges ..." -> "The delegation of Canada urged ..."; "We support ..." -> "The
    delegation of Canada supported ..."; anything else -> "The delegation of Canada stated that ...".
    """
    body = sentence.strip().rstrip(".!?;")
    lead = re.match(r"^(?:the\s+)?(?:delegation\s+of\s+)?(?P<name>" +
                    "|".join(map(re.escape, names)) + r")\s+(?P<rest>.+)$", body, re.IGNORECASE) if names else None
    first = re.match(r"^(?:we|i|my delegation|our delegation|our country)\s+(?P<rest>.+)$", body, re.IGNORECASE)
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
        if verb == "would" and tail.lower().startswith("like to "):
            verb, tail = "wished", "to " + tail[8:]
        tail = _swap(_backshift(tail), table)
        return f"{subject} {verb} {tail}".strip() + "."
    said = reported(body, group)
    opener = said.split()[0]
    if opener.lower() in FUNCTION_WORDS:
        said = said[0].lower() + said[1:]
    return f"{subject} stated that {said}"


def reported(sentence: str, group: bool = True) -> str:
    """``sentence`` backshifted with pronouns in the third person, as a numbered point reads."""
    body = sentence.strip().rstrip(".!?;")
    said = _swap(_backshift(body), PRONOUNS_GROUP if group else PRONOUNS_PERSON)
    return said[0].upper() + said[1:] + "."


def _backshift(text: str) -> str:
    aux = {k: v for k, v in BACKSHIFT.items() if k in ("is", "are", "am", "has", "have", "will", "can", "shall")}
    return _swap(text, aux)
