"""How chairs state decisions and put items to the meeting, in the four languages, by their
words and by their sound when ASR misheard them; the draft records them in the reference
minutes' form.
"""

from __future__ import annotations

import re

from pipeline.text.roster import fold, skeleton

# "It is so adopted", as ASR also hears it ("so an opted", "so adapted").
ADOPTED = re.compile(r"\b(?:adopted|adapted|an?\s+opted)\b|\baprobad[oa]\b|\baprovad[oa]\b|\badopt[ée]e?\b",
                     re.IGNORECASE)
# The chair putting the order of business to the meeting ("Is it agreed?", "Si no hay
# objeciones ..."): with no delegation speaking on the item after it, the committee adopted it by
# consensus, as the reference minutes record, even when ASR lost the "It is agreed" that followed
# ("Is it agreed? Is it agreed?"). Spanish and Portuguese "objeciones" allow a misheard onset
# ("onjeciones"); matched on folded text. The chair's conditional "if there is no ..." puts the
# item by its shape, whatever ASR made of the noun ("Si no hay congestiones, que la programo."
# for "Si no hay objeciones, queda aprobado."): "si no hay", "se não houver", "s'il n'y a pas".
PUT_TO_THE_MEETING = re.compile(
    r"\bsi\s+no\s+hay\b|\bse\s+nao\s+houver\b|\bs\s*'?\s*il\s+n\s*'?\s*y\s+a\s+pas\b|\bif\s+there\s+(?:are|is)\s+no\b|"
    r"\bis\s+it\s+agreed\b|\b(?:are\s+there\s+|is\s+there\s+|if\s+there\s+(?:are|is)\s+)?(?:any|no)\s+objections?\b|"
    r"\bdoes\s+the\s+(?:committee|council|commission)\s+agree\b|\bno\s+hay\s+\w{0,3}[bj]eci|\balguna\s+objeci|"
    r"\bpas\s+d\s*'?\s*objections?\b|\bdes\s+objections\b|\bnao\s+houver\s+\w{0,3}[bj]ec|\balguma\s+objec")
# Decisions as chairs state them in the four languages (matched on folded text: no accents).
NOTED = re.compile(r"\b(?:takes?|took|taking)\s+(?:due\s+)?note\b(?:\s+of\s+(?P<what>[a-z' \-]+))?|"
                   r"\btoma(?:mos)?\s+(?:debida\s+)?nota\b|\bprend(?:s|re|ons)?\s+(?:bonne\s+)?note\b|"
                   r"\btoma(?:mos)?\s+conhecimento\b|\bregistra(?:mos)?\s+(?:a\s+)?(?:sua\s+)?nota\b")
# ... and by its frame when ASR lost "note" ("The Committee takes out on the report" for "takes note
# of the report", "La Comisión toma no también informe" for "toma nota del informe"): the body
# taking, at most two words, then (of or on) the report, presentation or comments.
NOTED_BY_FRAME = re.compile(
    r"\b(?:committee|council|commission|comision|comite|comissao|conseil)\s+(?:takes|took|toma|tomo|prend)\s+"
    r"(?:[a-z']+\s+){0,2}?(?:(?:of|on|del?|du|do|da)\s+)?(?:the\s+|el\s+|la\s+|le\s+|o\s+|a\s+)?"
    r"(?:report|informe|rapport|relatorio|presentation|presentacion|apresentacao|comments|comentarios)\b")
# "It is so decided" with its "so" misheard ("It is all decided"): one word between, unless it
# negates.
DECIDED = re.compile(r"\bit\s+is\s+(?:(?!not\b|never\b|yet\b)[a-z']+\s+)?(?:decided|agreed|ordered|approved)\b|"
                     r"\b(?:is|are)\s+(?:so\s+)?(?:adopted|approved)\b|\bse\s+aprueba\b|\bqueda\s+(?:asi\s+)?"
                     r"(?:aprobad[oa]|decidido|acordado)\b|\basi\s+(?:se\s+)?(?:acuerda|queda\s+decidido)\b|"
                     r"\b(?:es|son)\s+aprobad[oa]s?\b|\b(?:est|sont)\s+adoptee?s?\b|\bil\s+en\s+est\s+ainsi\s+decide\b|"
                     r"\b(?:e|fica|foi)\s+aprovad[oa]\b|\bassim\s+(?:fica\s+)?decidido\b|"
                     # "Así queda decidido." heard as "Así que la decidimos." or "Así que me ha
                     # decidido.": "así" and a form of "decidir" closing the clause, "queda" heard
                     # as three words at most between
                     r"\b(?:asi|assim)\s+(?:[a-z]+\s+){0,3}decid(?:ido|ida|imos|e)\s*(?:[.;!]|$)|"
                     # "It is so decided." heard as "It is a decision.": the noun closing the clause
                     r"\bit\s+is\s+(?:so\s+|a\s+)?decision\s*(?:[.;!]|$)")

# The same decisions as a whole clause sounds ("It is a great, it is a great," for "Is it
# agreed? It is agreed."): compared by :func:`sound_key`, exactly, so no cut-off is needed.
DECISION_CLAUSES = ("it is agreed", "it is so agreed", "it is so decided", "it is so adopted", "it is adopted",
                    "so decided", "so agreed", "asi se acuerda", "asi se decide", "queda aprobado", "se aprueba",
                    "il en est ainsi decide", "c'est adopte", "assim fica decidido", "fica aprovado")
# The formulas that close an item, as written text in each language, for relisten to hear again
# where ASR garbled them beyond the patterns above (:func:`pipeline.stages.relisten.hear_decisions`:
# "Así que le seguimos." for "Así queda decidido.", "Anita Brunelle, Anita Brunelle." for "Is it
# agreed? It is agreed.").
DECISION_FORMULAS = {
    "en": ("It is so decided.", "It is agreed.", "It is so agreed.", "Is it agreed? It is agreed.",
           "It is so adopted.", "It is adopted."),
    "es": ("Así queda decidido.", "Así se acuerda.", "Así se decide.", "Queda aprobado.", "Se aprueba.",
           "Si no hay objeciones, queda aprobado."),
    "pt": ("Assim fica decidido.", "Fica aprovado.", "É aprovado.", "Se não houver objeções, fica aprovado."),
    "fr": ("Il en est ainsi décidé.", "C'est adopté.", "S'il n'y a pas d'objection, c'est adopté."),
}
VOICING = str.maketrans("dbgvz", "tpkfs")  # ASR slips most between voiced and voiceless pairs


def sound_key(text: str) -> str:
    """A clause's consonant frame (:func:`pipeline.text.roster.skeleton`) with word breaks and
    voicing ignored: "it is a great" and "it is agreed" are both ``itisakrt``."""
    return skeleton(text).replace(" ", "").translate(VOICING)


DECISION_KEYS = {sound_key(c) for c in DECISION_CLAUSES}


def _a_clause_sounds_as(text: str, keys: set[str]) -> bool:
    """Whether a clause of ``text`` has one of the sounds ``keys`` (:func:`sound_key`)."""
    return any(sound_key(clause) in keys for clause in re.split(r"[,;:.!?¿¡]", text) if clause.strip())


def sounds_decided(sentence: str) -> bool:
    """Whether a clause of ``sentence`` is, by its sound, a decision of :data:`DECISION_CLAUSES`."""
    return _a_clause_sounds_as(sentence, DECISION_KEYS)


# "Is it agreed? It is agreed." by its shape, whatever ASR made of the word ("Is it a breed? It
# is a breed.", "If it unread, it is unread.", "If it's a breed, it is a breed."): the chair asks
# "is it W" and answers "it is W" with the same words.
ASKED_AND_ANSWERED = re.compile(r"\bi[sf]\s+it(?:'?s)?\s+(?P<w>[a-z']+(?:\s+[a-z']+){0,2}?)\s+it\s+is\s+(?P=w)\b")


# "It is so decided." with its last word misheard beyond the sound's reach ("It is so beside
# it."): the clause "it is so" and one or two words, as the chair's last words on an item, is the
# formula that closes it (:func:`pipeline.stages.draft.build_minutes`). Anywhere else "it is so
# W" may be an adjective's ("It is so important.").
SO_FORMULA = re.compile(r"^it\s+is\s+so\s+[a-z']+(?:\s+[a-z']+)?$")


def closes_as_decided(sentence: str) -> bool:
    """Whether ``sentence``, said last by the chair on an item, is "It is so ..." (:data:`SO_FORMULA`)."""
    return SO_FORMULA.match(fold(sentence).strip(" .!;,")) is not None


def decides(text: str) -> bool:
    """Whether ``text`` states that something is decided: by its words (:data:`DECIDED`), its
    sound (:func:`sounds_decided`) or the shape of asking and answering (:data:`ASKED_AND_ANSWERED`)."""
    folded = fold(text)
    return bool(DECIDED.search(folded) or ASKED_AND_ANSWERED.search(folded)) or sounds_decided(text)


# The question by its sound ("Is it a grade?" for "Is it agreed?"), as :data:`DECISION_CLAUSES`.
PUT_KEYS = {sound_key(c) for c in ("is it agreed", "is that agreed", "does the committee agree")}


# "Is it agreed? It is agreed." with its answer heard as the question again, whatever ASR made of
# the word ("Is it a breed? Is it a breed?"): the chair asking the same "is it W" twice.
ASKED_TWICE = re.compile(r"\bis\s+it\s+(?P<w>[a-z']+(?:\s+[a-z']+){0,2}?)\s+is\s+it\s+(?P=w)\b")


# The question only a presiding officer asks the meeting, by its words, its sound or its shape
# asked twice: what a delegate says of objections ("we have no objections to the proposal") or
# conditions ("if there is no funding ...") is left out. Every phrase here is also one of
# :data:`PUT_TO_THE_MEETING`'s.
ASKS_THE_MEETING = re.compile(r"\bis\s+it\s+agreed\b|\bdoes\s+the\s+(?:committee|council|commission)\s+agree\b|"
                              r"\bare\s+there\s+any\s+objections?\b|\bhay\s+alguna\s+objecion\b|"
                              r"\bha\s+alguma\s+objecao\b|\by\s+a\s*-?\s*t\s*-?\s*il\s+des\s+objections\b")


def asks_the_meeting(text: str) -> bool:
    """Whether ``text`` puts a question only a chair puts (:data:`ASKS_THE_MEETING`,
    :data:`ASKED_TWICE`, a clause sounding as :data:`PUT_KEYS`): a chair's act ("Is it a raid? Is
    it a raid?" for "Is it agreed? It is agreed.", diarized as a voice of its own)."""
    folded = fold(text)
    return bool(ASKS_THE_MEETING.search(folded) or ASKED_TWICE.search(folded)) or _a_clause_sounds_as(text, PUT_KEYS)


def puts_to_the_meeting(text: str) -> bool:
    """Whether ``text`` puts the item to the meeting: by its words (:data:`PUT_TO_THE_MEETING`,
    which also a delegate may say), or as only a chair puts it (:func:`asks_the_meeting`: its
    shape, :data:`ASKED_TWICE`, or a clause's sound, :data:`PUT_KEYS`)."""
    return bool(PUT_TO_THE_MEETING.search(fold(text))) or asks_the_meeting(text)
