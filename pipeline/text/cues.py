"""What is said that names a speaker: the chair giving the floor, thanking, speakers naming themselves.

A cue is a phrase in one utterance that names a roster entry and says which utterance it is about:
the *next* speaker (the floor is given), the *previous* one (thanks), or *this* one (self-naming).
Matching is on folded text (lower case, no accents) and fuzzy, because ASR mishears names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from pipeline.text.decisions import asks_the_meeting
from pipeline.text.roster import Entry, fold, skeleton, split_sentences

NEXT, PREVIOUS, SELF = "next", "previous", "self"
MAX_SKIP = 4  # words of courtesy that may stand before a name
SKIP_PENALTY = 1.0
CORRECTION_WEIGHT = 2.0  # a correction outweighs the floor wrongly given before it
PHONETIC_WEIGHT = 0.9  # a phonetic match counts a little less than a spelled one
CLEAR_CALL = 0.9  # the weight of a pattern that only ever gives the floor ("X, you have the floor")
RECOGNISABLE = 60.0  # a name's (or a word of it) score below which nothing of it is recognisable

_HONORIFIC = r"(?:the\s+)?(?:distinguished\s+|honou?rable\s+|esteemed\s+)?"
_DELEGATION_NOUN = r"(?:delegation|representative|ambassador|representation)"
_DELEGATION_OF = _DELEGATION_NOUN + r"\s+(?:of\s+)?(?:the\s+)?"  # "delegation of the", said before a name
_DELEGATION = r"(?:" + _DELEGATION_OF + r")?"
_FOR_A_DELEGATION = r"(?:for\s+(?=" + _HONORIFIC + _DELEGATION_NOUN + r"\b))?"
_LA_DELEGACION = r"(?:la\s+)?(?:distinguida\s+)?(?:delegacion|representacion)\s+(?:de\s+|del\s+)?"
_LA = r"(?:" + _LA_DELEGACION + r")?"

# Adverbs a chair puts between the verb of giving and its object ("I'll now give the floor to",
# "damos ahora la palabra a", "passo agora a palavra", "je donne maintenant la parole à").
_NOW = r"(?:(?:now|then|next|also|again|ahora|entonces|nuevamente|seguidamente|a\s+continuacion|agora|entao|" \
       r"a\s+seguir|em\s+seguida|maintenant|a\s+present|ensuite|donc)\s+)*"
_PT = r"(?:(?:ao|aos|a|as)\s+)?(?:(?:distinta|ilustre)\s+)?(?:delegacao\s+)?(?:do\s+|da\s+|de\s+|dos\s+)?"
_FR = r"(?:(?:a|au|aux)\s+)?(?:la\s+)?(?:(?:distinguee\s+)?delegation\s+)?(?:de\s+|du\s+|des\s+)?(?:l')?"
_BEFORE = r"(?P<before>[a-z .'\-]{2,50}?)\s*,?\s+"

# The floor cue is a class of phrasings, not one committee's sentences: verbs of giving, passing,
# offering, recognising, inviting, calling, hearing and starting with someone, in the four
# languages, with the adverbs chairs put between; the name before words that hand over the
# floor ("Canada, you have the floor", "Peru, you have five minutes"); "next is", "up next", "it
# is the turn of". "X, the floor is yours" stays as weak as a bare name's cue, and no chair's act,
# however long the sentence (as a clear one it cut a member's turn from a chair's voice).
# (regex, direction, weight): weight 1.0 or CLEAR_CALL for what only ever gives the floor, less
# for what may also introduce a name. Named group "after" is text following the cue that holds
# the name; "before" is text preceding it.
AT_ONCE_SKIP = 1  # a title ("Ms."): "we'll start with the report of Canada" calls nobody
_NAME_AT_ONCE: set[re.Pattern] = set()
# Patterns whose words a statement uses too ("we will start with a pilot", "invitamos a los
# Estados miembros"): they give the floor only with a name heard, so without one they neither
# run the meeting (:func:`manages_the_floor`) nor call someone unheard (:func:`calls_unheard`).
_NEEDS_A_NAME: set[re.Pattern] = set()
# Patterns whose cue is as weak as a bare name's and not a chair's act: the floor given in words
# a member's statement diarized into the chair's voice may follow at once.
_WEAK: set[re.Pattern] = set()
VOCATIVE_WEIGHT = 0.5  # as weak as "X, please": the name alone, whatever was said around it


def _at_once(regex: str) -> re.Pattern:
    """A pattern of words that also introduce other things than a speaker ("we'll start with",
    "next is", "you have five minutes"): the name must stand right by them, not a few words on."""
    pattern = _needs_a_name(regex)
    _NAME_AT_ONCE.add(pattern)
    return pattern


def _weak(regex: str) -> re.Pattern:
    """A pattern whose cue weighs what a bare name's does and is no chair's act (:data:`_WEAK`)."""
    pattern = re.compile(regex)
    _WEAK.add(pattern)
    return pattern


def _needs_a_name(regex: str) -> re.Pattern:
    """A pattern that gives the floor only with a name heard (:data:`_NEEDS_A_NAME`)."""
    pattern = re.compile(regex)
    _NEEDS_A_NAME.add(pattern)
    return pattern


PATTERNS: list[tuple[re.Pattern, str, float]] = [
    (re.compile(r"\b(?:give|giving|pass|passing|offer|offering|yield|yielding|cede|ceding|turn|turning|hand|handing)\s+"
                + _NOW + r"the\s+floor\s+" + _NOW + r"(?:over\s+|back\s+)?to\s+" + _HONORIFIC + _DELEGATION
                + r"(?P<after>.{0,60})"), NEXT, 1.0),
    (re.compile(r"\bfloor\s+(?:is\s+)?" + _NOW + r"(?:given\s+|passed\s+|goes\s+|passes\s+|going\s+)?to\s+"
                + _HONORIFIC + _DELEGATION + r"(?P<after>.{0,60})"), NEXT, 0.9),
    (re.compile(r"\b(?:i\s+)?(?:now\s+)?(?:recogni[sz]e|invite|call\s+(?:up)?on)\s+" + _HONORIFIC
                + _DELEGATION + r"(?P<after>.{0,60})"), NEXT, 0.9),
    (re.compile(_BEFORE + r"(?:you\s+have|has|have|you(?:'re|\s+are)\s+on)\s+the\s+floor\b"), NEXT, 1.0),
    # "X, the floor is yours" is as weak as a bare name inside a longer sentence (a member's
    # statement diarized into the chair's voice may follow it); a sentence that is nothing else
    # ("Jamaica, the floor is yours.") is a clear call and a chair's act (:func:`find_cues`).
    (YOURS := _weak(_BEFORE + r"the\s+floor\s+is\s+(?:now\s+)?yours\b"), NEXT, VOCATIVE_WEIGHT),
    # Words that hand the floor to the name before them, and say nothing else: "Mexico, over to
    # you", "Canada, it's your turn", "Peru, you have five minutes", "Mexico, you may proceed",
    # "The United States has asked for the floor".
    (_at_once(_BEFORE + r"(?:over\s+to\s+you|(?:(?:it's|it\s+is)\s+(?:now\s+)?)?your\s+turn|"
                r"you(?:'re|\s+are)\s+(?:up|next)|(?:you\s+have|you've\s+got)\s+(?:up\s+to\s+|about\s+|another\s+|the\s+last\s+)?"
                r"(?:[a-z\-]+\s+){1,4}minutes?|(?:you\s+(?:may|can)\s+(?:now\s+)?|please\s+)(?:proceed|begin|start)|"
                r"(?:has|have|had)\s+(?:asked\s+for|requested)\s+the\s+floor)\b"), NEXT, 0.8),
    # "X, please" / "X, go ahead" gives the floor; "Minister, please wait a moment" does not. A
    # sentence that is nothing else ("Mexico, please.") is a clear call (:func:`find_cues`).
    (PLEASE := re.compile(_BEFORE + r"(?:please|go\s+ahead)\b"
                r"(?!\s+(?:wait|hold|stop|bear|be\s+patient|give\s+us|allow|mute|stay|remain|keep|one\s+moment|"
                r"a\s+moment|just\s+a|for\s+a))"), NEXT, 0.5),
    # ... and the name after them: "Go ahead, Mr. Gershanik", "You have the floor, Canada", "Vous
    # avez la parole, Madame Treppel".
    (_needs_a_name(r"\b(?:(?:please\s+)?go\s+ahead|please\s+proceed|you\s+have\s+the\s+floor|"
                r"vous\s+avez\s+(?:maintenant\s+)?la\s+parole)\s*,?\s+"
                r"(?:please\s+)?(?:madame\s+|monsieur\s+|senora\s+|senor\s+)?" + _HONORIFIC + _DELEGATION
                + r"(?P<after>.{0,60})"), NEXT, 0.8),
    # Other ways chairs give the floor: "we'll now go to Mr. Epp", "over to Canada", "the next
    # question goes to Ms. McKinnon", "next on my list is Peru", "the next speaker is Chile".
    (re.compile(r"\b(?:we(?:'ll|\s+will|\s+shall)?\s+(?:now\s+)?(?:go|turn|move|come|pass)\s+(?:on\s+|over\s+|now\s+)?to|"
                r"let(?:'s|\s+us)\s+(?:now\s+)?(?:go|turn)\s+(?:over\s+)?to|(?:let(?:'s|\s+us)|we(?:'ll|\s+will)?)\s+(?:now\s+)?hear\s+from|(?:and\s+)?over\s+to|(?:i\s+)?(?:now\s+)?turn\s+to)\s+"
                + _HONORIFIC + _DELEGATION + r"(?P<after>.{0,60})"), NEXT, 0.8),
    # "We'll start with Argentina", "let's begin with the delegation of Brazil".
    (_at_once(r"\b(?:we(?:'ll|\s+will|\s+shall)?|let(?:'s|\s+us)|i(?:'ll|\s+will)?)\s+(?:now\s+)?"
                r"(?:start|begin|continue|open|close|end)\s+(?:the\s+(?:round|list)\s+)?with\s+"
                + _HONORIFIC + _DELEGATION + r"(?P<after>.{0,60})"), NEXT, 0.8),
    (re.compile(r"\bnext\s+(?:question\s+(?:goes\s+)?to|(?:on\s+(?:my|the|our)\s+(?:speakers'?\s+)?list|speaker|"
                r"intervention|round)\s+(?:is\s+|will\s+be\s+|goes\s+to\s+|from\s+)?)\s*,?\s*" + _HONORIFIC + _DELEGATION
                + r"(?P<after>.{0,60})"), NEXT, 0.9),
    # "Next is Peru", "Up next we have Canada"; a sentence that is only "Next, Brazil." or "Then the
    # delegation of Guatemala." (short: "then Canada will host the meeting" is a statement's).
    (_at_once(r"\b(?:up\s+)?next\s+(?:is|we\s+have|will\s+be|comes|up\s+is|up)\s+" + _HONORIFIC + _DELEGATION
                + r"(?P<after>.{0,60})"), NEXT, 0.8),
    (_at_once(r"^(?:and\s+)?(?:then|next|up\s+next)\s*,?\s+" + _HONORIFIC + _DELEGATION
                + r"(?P<after>(?:\S+\s+){0,3}\S+?)\.?$"), NEXT, 0.8),
    # ... with its noun misheard ("el siguiente amor es la delegación de Perú"): a delegation or a
    # title must say a speaker follows ("the next step is Mexico's report" calls nobody).
    (_at_once(r"\b(?:(?:el|la)\s+siguiente|the\s+next)\s+(?!(?:orador|oradora|intervencion|speaker|question|"
              r"intervention|round)\b)[a-z]+\s+(?:es|sera|is|will\s+be)\s+(?:(?:la\s+)?(?:distinguida\s+)?"
              r"(?:delegacion|representacion)\s+(?:de\s+|del\s+)|(?:the\s+)?(?:distinguished\s+)?(?:delegation|"
              r"representative)\s+of\s+(?:the\s+)?|(?:mr|ms|mrs|dr|sr|sra|minister|ministra|ministro)\.?\s+)"
              r"(?P<after>.{0,60})"), NEXT, 0.8),
    (re.compile(r"\b(?:(?:el|la)\s+siguiente\s+(?:orador|oradora|intervencion|en\s+la\s+lista)\s+(?:es\s+|sera\s+)?"
                r"(?:de\s+)?|a\s+continuacion\s*,?\s+(?:tiene\s+la\s+palabra\s+)?|^seguidamente\s*,?\s+|"
                r"tiene\s+el\s+uso\s+de\s+la\s+palabra\s+)" + _LA + r"(?P<after>.{0,60})"), NEXT, 0.9),
    # The verbs of giving, here and below, come in the future's periphrasis too ("Vou passar a
    # palavra ao Brasil", "Le voy a dar la palabra a Chile", "Je vais donner la parole au Canada").
    (re.compile(r"\b(?:passo|passamos|dou|damos|concedo|concedemos|ofereco|oferecemos|passar|dar|conceder|oferecer)\s+" + _NOW + r"a\s+palavra\s+"
                + _NOW + _PT + r"(?P<after>.{0,60})"), NEXT, 1.0),
    (re.compile(r"\bla\s+parole\s+est\s+(?:maintenant\s+)?" + _FR + r"(?P<after>.{0,60})"), NEXT, 1.0),
    (re.compile(_BEFORE + r"(?:vous\s+avez\s+la\s+parole|usted\s+tiene\s+la\s+palabra|tiene\s+usted\s+la\s+palabra|"
                r"voce\s+tem\s+a\s+palavra)\b"), NEXT, 1.0),
    # The name before a plain "has the floor" in Spanish, Portuguese and French, closing the
    # sentence: "La delegación de Argentina tiene la palabra", "A delegação do Canadá tem a palavra".
    (re.compile(_BEFORE + r"(?:tiene|tem|a)\s+" + _NOW + r"(?:la\s+palabra|a\s+palavra|la\s+parole)\.?$"), NEXT, 0.9),
    (re.compile(r"\b(?:tiene|tendra)\s+la\s+palabra\s+" + _LA + r"(?P<after>.{0,60})"), NEXT, 1.0),
    # "Adelante, la distinguida delegación de Ecuador": Spanish "go ahead" before the name ("Gracias,
    # Canadá, adelante, Paraguay": a name before it is the thanks').
    (re.compile(r"\badelante\s*,?\s+(?!por\s+favor\b)" + _LA + r"(?P<after>.{0,60})"), NEXT, 0.8),
    (re.compile(r"\b(?:le\s+|les\s+)?(?:ofrezco|ofrecemos|cedo|cedemos|doy|damos|concedo|concedemos|otorgo|otorgamos|"
                r"paso|pasamos|dare|daremos|dar|ceder|ofrecer|conceder|otorgar|pasar)\s+" + _NOW + r"(?:el\s+uso\s+de\s+)?la\s+palabra\s+" + _NOW
                + r"(?:a\s+|al\s+)?" + _LA + r"(?P<after>.{0,60})"), NEXT, 1.0),
    # Inviting, hearing, the turn of, going on with a delegation: "Invito a la delegación de
    # México", "Con la palabra, la delegación de Belice", "Corresponde el turno a Chile",
    # "Escuchamos ahora a Argentina", "Pasamos a la delegación de Brasil" (not "pasamos al punto").
    (_needs_a_name(r"\b(?:(?:le\s+|les\s+)?(?:invito|invitamos)\s+" + _NOW + r"(?:a\s+|al\s+)?|con\s+la\s+palabra\s+|"
                r"(?:corresponde|es|sigue)\s+" + _NOW + r"el\s+turno\s+(?:a\s+|al\s+|de\s+|del\s+)|"
                r"sigue\s+(?:en\s+la\s+lista|en\s+el\s+uso\s+de\s+la\s+palabra)\s+)" + _LA + r"(?P<after>.{0,60})"), NEXT, 0.9),
    # ... with the words between the verb and the delegation garbled ("corresponde tu en la la
    # distinguda delegación de Brasil" for "Corresponde el turno a la distinguida delegación de
    # Brasil"): the turn's verb, at most four words, then the delegation whose name closes the
    # sentence ("Corresponde a la delegación de México presentar el informe" calls nobody).
    (_needs_a_name(r"\b(?:corresponde|sigue)\s+(?:[a-z]+\s+){1,4}?(?:distingu[a-z]*\s+)?(?:delegacion|representacion)\s+"
                   r"(?:de\s+|del\s+)?(?P<after>(?:\S+\s+){0,2}\S+?)\.?$"), NEXT, 0.8),
    (_at_once(r"\b(?:escuchamos|escucharemos|vamos\s+a\s+escuchar|(?:pasamos|vamos)\s+(?:ahora\s+)?(?:a|con)"
                r"(?=\s+la\s+(?:distinguida\s+)?(?:delegacion|representacion)))\s+" + _NOW + r"(?:a\s+|al\s+)?" + _LA
                + r"(?P<after>.{0,60})"), NEXT, 0.8),
    (re.compile(r"\b(?:je\s+|nous\s+)?(?:donne|donnons|passe|passons|cede|cedons|redonne|donner|passer|ceder|redonner)\s+" + _NOW + r"la\s+parole\s+"
                + _NOW + _FR + r"(?P<after>.{0,60})"), NEXT, 1.0),
    (_needs_a_name(r"\b(?:j'invite|j\s+invite|nous\s+invitons|c'est\s+(?:maintenant\s+)?(?:au|le)\s+tour\s+(?:de|du|des)|"
                r"nous\s+passons\s+(?:maintenant\s+)?a(?=\s+la\s+delegation))\s+" + _FR + r"(?P<after>.{0,60})"), NEXT, 0.9),
    (re.compile(r"\btem\s+" + _NOW + r"a\s+palavra\s+" + _PT + r"(?P<after>.{0,60})"), NEXT, 1.0),
    (_needs_a_name(r"\b(?:com\s+a\s+palavra|convido|convidamos)\s+" + _PT + r"(?P<after>.{0,60})"), NEXT, 0.9),
    # The floor's noun before the name, its verb garbled or lost: "¡Ofrezca la palabra la
    # Acederación de Ecuador." (for "Ofrezco la palabra a la delegación de Ecuador"). Every such
    # line in the references is a chair's call. Only when no other pattern called in the sentence.
    (FLOOR_TO := re.compile(r"\b(?:la\s+palabra|a\s+palavra|la\s+parole)\s+(?:a\s+|al\s+|ao\s+|au\s+)?" + _LA
                            + r"(?P<after>.{0,60})"), NEXT, 0.8),
    # "I think Scott Nakamura, Ms. Vasquez, please.": "I thank" as the ASR often hears it, with the
    # name at once, in a sentence as short as a vocative's (a member's "I think Canada is right
    # about the budget" thanks nobody).
    (I_THINK := _at_once(r"^\W*i\s+think\s+" + _HONORIFIC + r"(?P<after>.{0,50})"), PREVIOUS, 0.8),
    # ... after an interjection too ("Oh, thank you, Miss Zielinski."), and with "for" before a
    # delegation ("Thank you for the distinguished delegation of Mexico.", "to" or a comma misheard:
    # nobody is thanked for a delegation).
    (THANKS := re.compile(r"^\W*(?:(?:oh|ah|well|okay|ok|yes|right|bueno|pues|bien|bon|alors|bem)\s*,?\s+)?(?:thank\s+you(?:\s+very\s+much)?|thanks|i\s+thank|gracias|muchas\s+gracias|agradezco\s+a|merci"
                r"(?:\s+beaucoup)?|obrigad[oa])\s*,?\s+" + _FOR_A_DELEGATION + _HONORIFIC + _DELEGATION + _LA
                + r"(?P<after>.{0,50})"), PREVIOUS, 0.8),
]

# A chair correcting who spoke: "My apologies, that was the delegation of Mexico". Names the
# previous speaker with CORRECTION_WEIGHT; matched on the whole utterance, not sentence by
# sentence, because ASR often ends a sentence after "My apologies".
CORRECTIONS: list[re.Pattern] = [
    re.compile(r"\b(?:my\s+apologies|i\s+apologi[sz]e|(?:i\s+am\s+|i'm\s+)?sorry|excuse\s+me|correction)\b"
               r".{0,40}?\b(?:that\s+was|it\s+was|i\s+meant|i\s+should\s+have\s+said|rather)\s+"
               + _HONORIFIC + _DELEGATION + r"(?P<after>.{0,50})"),
    re.compile(r"\b(?:disculpen?|perd[oó]n|me\s+equivoqu[eé]|excus(?:ez|es)[- ]moi|pardon|desculpem?)\b"
               r".{0,40}?\b(?:era|fue|es|c'etait|c'est|foi)\s+(?:la\s+|a\s+)?"
               r"(?:delegacion\s+|delegation\s+|delegacao\s+)?(?:de\s+|del\s+|du\s+|do\s+|da\s+)?"
               r"(?P<after>.{0,50})"),
]

# How a speaker introduces themselves, in the four languages (also read by the draft, on text
# that is not folded: hence "é").
INTRODUCING = (r"(?:i'm|i\s+am|my\s+name\s+is|this\s+is|soy|me\s+llamo|mi\s+nombre\s+es|je\s+suis|"
               r"je\s+m'appelle|sou|meu\s+nome\s+[eé])")
# One title at most between "I'm" and the name ("I'm Dr. Okafor"): "I'm grateful to Ms. Jensen"
# names someone else.
INTRO_SKIP = 1
# A speaker naming themselves: "Canada urges...", "The United States would like to...",
# "on behalf of Mexico", "la delegación de Chile desea...".
SELF_PATTERNS: list[tuple[re.Pattern, float, int]] = [  # (pattern, weight, words allowed before the name)
    # A person introducing themselves: "Thank you, Chair. I'm Dave Epp", "mi nombre es ...".
    (re.compile(r"(?:^|[.!?,]\s+)" + INTRODUCING + r"\s+(?P<after>.{0,40})"), 1.0, INTRO_SKIP),
    # ... also after a greeting the ASR garbled, where folding has removed the comma ("John Aldous,
    # I'm Grace Jensen" for "Good afternoon, ..."): the unambiguous first-person phrases only.
    (re.compile(r"(?<=\s)(?:i'm|my\s+name\s+is|me\s+llamo|mi\s+nombre\s+es|je\s+m'appelle|meu\s+nome\s+e)\s+"
                r"(?P<after>.{0,40})"), 1.0, INTRO_SKIP),
    (re.compile(r"\bon\s+behalf\s+of\s+(?:the\s+)?(?:government\s+of\s+|delegation\s+of\s+)?(?P<after>.{0,50})"), 1.0, MAX_SKIP),
    (re.compile(r"(?:^|[.!?]\s+)(?:the\s+)?(?:delegation\s+of\s+|government\s+of\s+)?(?:the\s+)?"
                r"(?P<before>[a-z .'\-]{3,45}?)\s+(?:would\s+like|wishes|urges|supports|believes|"
                r"considers|welcomes|proposes|thanks|joins|calls|is\s+pleased|reiterates|recognizes|"
                r"agrees|shares|desea|quisiera|apoya|agradece|souhaite|remercie|gostaria|apoia)\b"), 1.0, MAX_SKIP),
]


@dataclass
class Cue:
    direction: str  # NEXT | PREVIOUS | SELF
    label: str | None  # None: a correction whose name could not be made out
    phrase: str
    weight: float
    score: float  # fuzzy match score, 0-100
    correction: bool = False  # "My apologies, that was ...": the floor given before was wrong
    act: bool = True  # saying it is what a chair does (a bare name in a short sentence is not)


MIN_SKELETON = 3  # "care" and "Carrier" share the skeleton "cr": two consonants say nothing


def _phonetic(phrase: str, window: str) -> float:
    """Similarity of consonant skeletons (:func:`skeleton`), when the name and the words heard
    both have enough of them: "Mr." (``mr``) is no sound of "Nakamura" (``nkmr``)."""
    a, b = skeleton(phrase), skeleton(window)
    enough = min(len(a.replace(" ", "")), len(b.replace(" ", ""))) >= MIN_SKELETON
    return PHONETIC_WEIGHT * fuzz.ratio(a, b) if enough else 0.0


GENITIVES = {"of", "de", "do", "da", "du", "des"}  # "the delegation of", "la delegación de", "délégation du"


def _in_delegation_slot(phrase: str, window: str, before: list[str]) -> float:
    """A short name ("Perú", "Cuba", "Chile") heard after "delegation of" / "delegación de", by
    its whole consonant skeleton: the slot says a country comes, so "de peor" is "de Perú" (a
    spelling ratio of two four-letter words says little either way). Anywhere else, and with a
    single consonant, a short name must be heard exactly."""
    if not before or before[-1] not in GENITIVES or " " in phrase or " " in window:
        return 0.0
    a, b = skeleton(phrase), skeleton(window)
    return PHONETIC_WEIGHT * 100.0 if len(a) >= 2 and a == b else 0.0


def _in_title_slot(phrase: str, window: str, before: list[str], entries: list[Entry]) -> float:
    """A short surname heard one letter off after a title ("Mr. Amara" for Mr. Abara, the roster's
    "Amara" being someone's given name, which decoding was primed with), its first letter kept,
    when no other one-word name of the roster is as near: the title says a surname comes and the
    roster is closed. Anywhere else a short name must be heard exactly."""
    if not before or before[-1].rstrip(".") not in TITLES or " " in phrase or " " in window:
        return 0.0
    if len(phrase) < 4 or window[0] != phrase[0] or Levenshtein.distance(phrase, window) != 1:
        return 0.0
    near = {e.label for e in entries for p in e.phrases if " " not in p and Levenshtein.distance(p, window) <= 1}
    return PHONETIC_WEIGHT * 100.0 if len(near) == 1 else 0.0


def _per_word(phrase: str, window: str) -> float:
    """Mean of word-by-word scores, for names of two or more words: "Martin Darshanikov" for
    "Martin Gershanik" keeps an exact first name and a recognisable surname."""
    a, b = phrase.split(), window.split()
    if len(a) < 2 or len(a) != len(b):
        return 0.0
    scores = [max(fuzz.ratio(x, y), _phonetic(x, y)) for x, y in zip(a, b)]
    return sum(scores) / len(scores) if min(scores) >= RECOGNISABLE else 0.0


def best_entry(span: str, entries: list[Entry], *, at_start: bool, threshold: float = 84.0,
               max_skip: int = MAX_SKIP, preceding: str = ""):
    """The roster entry a span names, with its match score, or (None, 0).

    ``at_start``: the name must open the span ("to Canada and then..."), else end it
    ("..., Canada, you have the floor"), after at most ``max_skip`` words. ``preceding``: the
    text just before the span (what a cue's pattern took, e.g. "... delegación de").
    """
    span = span.strip(" ,.;:")
    if not span:
        return None, 0.0
    words = [w.strip(",;:") for w in span.split()]
    context = [w.strip(",;:") for w in preceding.split()][-1:]
    best, best_score, best_end = None, 0.0, None
    for entry in entries:
        for phrase in entry.phrases:
            n = len(phrase.split())
            # The name may follow a few words of courtesy: "our presenter, Mr. Martin ...".
            for skip in range(0, min(max_skip, max(0, len(words) - n)) + 1):
                chosen = words[skip: skip + n] if at_start else words[len(words) - n - skip: len(words) - skip]
                window = " ".join(chosen).strip(".")
                if len(window) < 2:
                    continue
                if len(phrase) <= 5:  # short names ("peru", "usa") must match exactly, or in
                    first = skip if at_start else len(words) - n - skip  # a delegation's or title's slot
                    slot = context + words[:first]
                    # "I thank Chile-Lili.": the name heard, and an echo of it joined by a
                    # hyphen, closing the span ("the Chile-based experts" names nobody).
                    last = (skip + n if at_start else len(words) - skip) == len(words)
                    heard = window.split("-")[0] if last and " " not in phrase else window
                    score = 100.0 if phrase in (window, heard) else max(_in_delegation_slot(phrase, window, slot),
                                                               _in_title_slot(phrase, window, slot, entries))
                else:
                    score = max(fuzz.ratio(phrase, window), _phonetic(phrase, window), _per_word(phrase, window))
                score -= SKIP_PENALTY * skip
                if score > best_score:
                    best, best_score, best_end = entry, score, (skip + n if at_start else None)
    if best_score >= threshold:
        # "Next on my list is Mendes Kapoor." for "... Ravi Kapoor": one surname right after
        # another is the name called, the first its given name misheard.
        after = words[best_end].strip(".") if best_end is not None and best_end < len(words) else ""
        surname = next((e for e in entries if e is not best and e.kind != "chair" and len(after) > 3
                        and " " in e.phrases[0] and after in e.phrases[1:]), None)
        if surname is not None:
            return surname, best_score
        return best, best_score
    return None, 0.0


def _named(match: re.Match, entries: list[Entry], max_skip: int = MAX_SKIP, threshold: float = 84.0):
    """The entry a cue's match names: in the text after the cue ("the floor to X") or before it
    ("X, you have the floor")."""
    if match.re in _NAME_AT_ONCE:
        max_skip = min(max_skip, AT_ONCE_SKIP)
    after = match.groupdict().get("after")
    if after is not None:
        return best_entry(after, entries, at_start=True, max_skip=max_skip, threshold=threshold,
                          preceding=match.string[:match.start("after")])
    return best_entry(match.group("before"), entries, at_start=False, max_skip=max_skip, threshold=threshold)


def cues_to_the_unnamed(text: str, entries: list[Entry], unnamed: list[Entry]) -> list[Cue]:
    """The floor given to, or short thanks for, a name not made out ("over to Ms. Osain",
    "Muchas gracias, Cámara." for Canadá), read among the roster's ``unnamed`` entries (those
    nothing else in the meeting names) only: a closed roster, so a name nobody else answers to is
    the likeliest, if anything of it is recognisable. A weak cue (:data:`VOCATIVE_WEIGHT`),
    whatever the pattern's; thanks count only in a sentence as short as a vocative's
    (:data:`VOCATIVE_WORDS`), where the name can be nothing but the thanked one."""
    cues = []
    for sentence in split_sentences(fold(text)):
        heard = set()  # one call matched by two patterns is one cue, as in :func:`find_cues`
        for pattern, direction, _ in PATTERNS:
            if direction == PREVIOUS and len(sentence.split()) > VOCATIVE_WORDS:
                continue
            for match in pattern.finditer(sentence):
                if _named(match, entries)[0] is not None:
                    continue
                entry, score = _named(match, unnamed, threshold=RECOGNISABLE)
                if entry is not None and (direction, entry.label) not in heard:
                    heard.add((direction, entry.label))
                    cues.append(Cue(direction, entry.label, match.group(0).strip(), VOCATIVE_WEIGHT, score))
    return cues


def _clause_ends(text: str) -> set[int]:
    """Indices of the words of ``fold(text)`` that end a clause (a comma, semicolon or colon after
    them in ``text``): folding drops the commas that tell "Gracias, Canadá, adelante, Paraguay"
    (two people) from "Gracias, Paraguay" (one)."""
    ends, count = set(), 0
    for raw in text.split():
        count += len(fold(raw).split())
        if count and raw.rstrip(")\"'»”").endswith((",", ";", ":")):
            ends.add(count - 1)
    return ends


def _thanked_in_first_clause(match: re.Match, entry: Entry, ends: set[int], entries: list[Entry]) -> bool:
    """Whether the name thanks found is in the first clause after the courtesy (clauses of
    courtesy words only passed over): "Muchas gracias, Canama, Amerante, Paraguay." thanks
    Canada misheard and gives Paraguay the floor; the thanks' name window must not reach it.
    Thanks open the utterance, so ``match`` is in its first sentence: word indices are the same."""
    start = len(match.string[:match.start("after")].split())
    words = match.group("after").split()
    end = len(words)
    for k in range(len(words)):
        if start + k in ends:
            if all(_courtesy(w) for w in words[:k + 1]):
                continue
            end = k + 1
            break
    if end == len(words):
        return True
    found, _ = best_entry(" ".join(words[:end]), entries, at_start=True)
    return found is entry


NAME_WORDS = 3  # "Mexico", "Ms. Olsen", "Jasraj Nakamura", "delegation of Mexico"
THANKS_CLAUSE_WORDS = 10  # "Thank you very much, the distinguished delegation of Guatemala"


def _only_a_name_and(match: re.Match, sentence: str, entries: list[Entry], ends: set[int], offset: int) -> bool:
    """Whether the sentence is a name and the words of the call, nothing more ("Mexico, please.",
    "Ms. Olsen, go ahead.", "Jamaica, the floor is yours."), or that after a clause that only
    thanks someone else ("I thank Guatemala, Chile, the floor is yours.": ASR's comma for a full
    stop): as clear a call as "Mexico, you have the floor". ``ends``: the text's clause ends
    (:func:`_clause_ends`); ``offset``: the index among the text's words of the sentence's first."""
    if sentence[match.end():].strip(" .!"):
        return False
    if match.start() == 0 and len(match.group("before").split()) <= NAME_WORDS:
        return True
    words = sentence[:match.end("before")].split()
    breaks = [k for k in range(len(words) - 1) if offset + k in ends]
    if not breaks or len(words) - 1 - breaks[-1] > NAME_WORDS or breaks[-1] + 1 > THANKS_CLAUSE_WORDS:
        return False
    thanked = {c.label for c in find_cues(" ".join(words[:breaks[-1] + 1]) + ".", entries) if c.direction == PREVIOUS}
    return bool(thanked) and None not in thanked and "Chair" not in thanked


def _a_name_then_a_pause(sentence: str, ends: set[int]) -> bool:
    """Whether "I think" is followed by a clause break within a name's words ("I think Emma Yazzie,
    the next question goes to ..." for "I thank Ms. Yazzie."): thanks, however long the sentence
    the ASR ran on; an opinion ("I think the committee should ...") runs on without one. The
    sentence opens the utterance: its word indices are the text's."""
    match = I_THINK.match(sentence)
    if match is None:
        return False
    start = len(sentence[:match.start("after")].split())
    return any(start + k in ends for k in range(NAME_WORDS))


def find_cues(text: str, entries: list[Entry]) -> list[Cue]:
    """All cues in one utterance's text, most specific first."""
    folded = fold(text)
    cues: list[Cue] = []
    sentences = split_sentences(folded)
    ends = _clause_ends(text)
    chair = {e.label for e in entries if e.kind == "chair"}
    offset = 0  # the index, among the text's words, of the sentence's first
    for position, sentence in enumerate(sentences):
        before, introduced, run_on = len(cues), False, []
        for pattern, direction, weight in PATTERNS:
            if direction == PREVIOUS and position > 0:
                continue  # thanks only count when they open the utterance
            if (pattern is I_THINK and len(sentence.split()) > VOCATIVE_WORDS
                    and not _a_name_then_a_pause(sentence, ends)
                    or pattern is FLOOR_TO and any(c.direction == NEXT for c in cues[before:])):
                continue
            for match in pattern.finditer(sentence):
                entry, score = _named(match, entries)
                if entry is not None and direction == PREVIOUS and not _thanked_in_first_clause(
                        match, entry, ends, entries):
                    entry, score = None, 0.0
                if entry is None and direction == PREVIOUS and position + 1 < len(sentences):
                    entry, score, match = _thanks_cut_short(match, pattern, sentences[position + 1], entries)
                    following = entry and _names_itself(sentences[position + 1], offset + len(sentence.split()),
                                                        ends, entries)
                    if following and following.label == entry.label:
                        entry, score = None, 0.0  # "Thank you very much, here. Colombia will come as the report."
                if entry is not None:
                    alone = pattern in (PLEASE, YOURS) and _only_a_name_and(match, sentence, entries, ends, offset)
                    cues.append(Cue(direction, entry.label, match.group(0).strip(), CLEAR_CALL if alone else weight,
                                    score, act=alone or pattern not in _WEAK))
                    if direction == PREVIOUS:
                        run_on += [(cues[-1], itself)] if (itself := _itself_after_thanks(
                            sentence, match, entry, ends)) else []
        if run_on and not any(c.direction == NEXT for c in cues[before:]):
            # "Gracias, Uruguay me se afomó a los comentarios, proponemos ...": a speaker's own
            # thanks and name run together, nobody thanked
            cues[before:] = [c for c in cues[before:] if all(c is not thanked for thanked, _ in run_on)]
            cues += [itself for _, itself in run_on]
        for pattern, weight, max_skip in SELF_PATTERNS:
            for match in pattern.finditer(sentence):
                entry, score = _named(match, entries, max_skip)
                if entry is not None and _another_given_name(match, entry):
                    # Someone named themselves, their given name not made out: nobody is
                    # addressed, and the surname heard names them only weakly.
                    introduced = True
                    cues.append(Cue(SELF, entry.label, match.group(0).strip(), VOCATIVE_WEIGHT, score))
                elif entry is not None and entry.kind != "chair":
                    cues.append(Cue(SELF, entry.label, match.group(0).strip(), weight, score))
        if not any(c.direction == SELF for c in cues[before:]):
            cues += filter(None, [_introduced_by_a_comma(sentence, offset, ends, entries)])
        # "Thanks, Inez Oibalova, Mr. Barrett, please.": the thanks' name window reached the name
        # the floor is given to; nobody is thanked and called in one breath.
        given = {c.label for c in cues[before:] if c.direction == NEXT}
        thanked = {c.label for c in cues[before:] if c.direction == PREVIOUS}
        # "I thank Heather Morrison, Mr. Egg, you have the floor.": the name thanked is reached
        # from "you have the floor" only over another name's words (the one called, misheard):
        # it is thanked, and the floor goes to nobody made out.
        # "I thank Mr. Mendes, please." for "I thank Mr. Mendes. Please.": a name right after the
        # thanks, called by no more than a bare name's "please", is thanked; someone unnamed is called.
        called_clearly = {c.label for c in cues[before:] if c.direction == NEXT and c.weight > VOCATIVE_WEIGHT}
        reached = {label for label in given & thanked
                   if not _next_to_the_floor(sentence, label, entries)
                   or (label not in called_clearly and _thanked_at_once(sentence, label, entries))}
        # "I'm Mr. Amara, your turn." (for "Now Mr. Abara. Go ahead."): a name the sentence gives
        # the floor to is addressed, not introducing itself. "Thank you very much, I'm Gordon
        # Dhaliwal." (the "Chair" after the thanks lost): the thanks' window reached the speaker's
        # own name; nobody is thanked.
        selves = {c.label for c in cues[before:] if c.direction == SELF}
        cues[before:] = [c for c in cues[before:]
                         if not (c.direction == PREVIOUS and c.label in (given - reached) | selves)
                         and not (c.direction == NEXT and c.label in reached)
                         and not (c.direction == SELF and c.label in given)]
        # One call matched by two patterns ("give the floor to Umarov", "floor to Umarov") is one
        # cue: the sentence said it once.
        strongest: dict[tuple, Cue] = {}
        for c in cues[before:]:
            key = (c.direction, c.label, c.correction)
            if key not in strongest or c.weight * c.score > strongest[key].weight * strongest[key].score:
                strongest[key] = c
        cues[before:] = [c for c in cues[before:] if strongest[(c.direction, c.label, c.correction)] is c]
        thanked = [c.label for c in cues[before:] if c.direction == PREVIOUS and c.label and not c.correction]
        if thanked and not introduced and not any(c.direction == NEXT for c in cues[before:]):
            cues += _called_after_thanks(sentence, offset, ends, thanked[0], entries)
        if len(cues) == before and not introduced:
            after_thanks = position == 1 and any(c.direction == PREVIOUS and c.label in chair for c in cues)
            itself = _names_itself(sentence, offset, ends, entries, after_thanks)
            cues += [itself] if itself else _vocative(sentence, entries)
        offset += len(sentence.split())
    for pattern in CORRECTIONS:
        for match in pattern.finditer(folded):
            entry, score = _named(match, entries)
            if entry is None and not _speaks_of_a_delegation(match.group(0)):
                continue  # "perdón, ... es importante": courtesy, not a correction
            cues.append(Cue(PREVIOUS, entry.label if entry else None, match.group(0).strip(),
                            CORRECTION_WEIGHT, score, correction=True))
    return cues


# Someone invited to take the floor, in the four languages: a call whatever the name ("I now invite
# my maidos to take the floor", "I am invited and I must take the floor" for "I now invite Barbados
# to take the floor", "Invito a la mera nación de mi guay a tomar la palabra"); a member's "I
# would like to take the floor" is not one. So is someone's "to take the floor" closing the
# sentence ("Surprised to take the floor." for "I now invite Mr. Lapointe to take the floor."),
# but after a verb of wishing or asking.
TAKE_THE_FLOOR = re.compile(
    r"\b(?:you(?:'ll|\s+will|\s+may|\s+can|\s+must|\s+should)?|please)\s+take\s+the\s+floor\b|"
    r"\b(?!(?:like|wish|wishes|want|wants|ask|asks|asked|request|requests|requested|need|needs|hope|intend|"
    r"would|wishing|asking)\b)[a-z']+\s+to\s+take\s+the\s+floor\W*$|"
    r"\binvit\w*\b.{0,50}?\btake\s+the\s+floor\b|"
    r"\b(?:invito|invitamos)\b.{0,50}?\ba\s+(?:tomar|hacer\s+uso\s+de)\s+la\s+palabra\b|"
    r"\b(?:convido|convidamos)\b.{0,50}?\ba\s+(?:tomar\s+a|fazer\s+uso\s+da)\s+palavra\b|"
    r"\b(?:j'invite|j\s+invite|nous\s+invitons)\b.{0,50}?\ba\s+prendre\s+la\s+parole\b")


def calls_unheard(text: str, entries: list[Entry]) -> bool:
    """Whether ``text`` gives the floor (a pattern of :data:`PATTERNS`) to a name not made out:
    none of the roster heard there ("The next question goes to Mr. Bistadins"), or only one it
    thanks, reached over the called one's words ("I thank Heather Morrison, Mr. Egg, you have the
    floor"). Someone was called whom nothing names. Only the patterns that cannot mean anything
    else count (weight :data:`CLEAR_CALL` or more): "we now move to the last item" calls nobody.
    So does an invitation to take the floor (:data:`TAKE_THE_FLOOR`) in which no name is made out:
    "I know, I know you'll take the floor" for "I now invite Louis Oduya to take the floor"."""
    for sentence in split_sentences(fold(text)):
        given = None  # the sentence's floor cues, found once it gives the floor at all
        if TAKE_THE_FLOOR.search(sentence):
            given = {c.label for c in find_cues(sentence, entries) if c.direction == NEXT}
            if not given:
                return True
        for pattern, direction, weight in PATTERNS:
            if direction != NEXT or weight < CLEAR_CALL or pattern in _NEEDS_A_NAME:
                continue
            for match in pattern.finditer(sentence):
                entry, _ = _named(match, entries)
                if entry is None:
                    return True
                if given is None:
                    given = {c.label for c in find_cues(sentence, entries) if c.direction == NEXT}
                if entry.label not in given:
                    return True
    return False


def _thanked_at_once(sentence: str, label: str, entries: list[Entry]) -> bool:
    """Whether thanks in ``sentence`` name ``label`` right after their words, no word but a
    title ("I thank Ms. Treppel") skipped."""
    for pattern, direction, _ in PATTERNS:
        if direction == PREVIOUS:
            for match in pattern.finditer(sentence):
                words = match.group("after").split()
                while words and words[0].rstrip(".") in TITLES:
                    words = words[1:]
                entry, _ = best_entry(" ".join(words), entries, at_start=True, max_skip=0)
                if entry is not None and entry.label == label:
                    return True
    return False


def _next_to_the_floor(sentence: str, label: str, entries: list[Entry]) -> bool:
    """Whether a floor given to ``label`` in ``sentence`` names it right before the words that
    give the floor ("Canada, you have the floor"), or after them ("the floor to Canada"), with
    no word skipped."""
    for pattern, direction, _ in PATTERNS:
        if direction != NEXT:
            continue
        for match in pattern.finditer(sentence):
            entry, _ = _named(match, entries, max_skip=0)
            if entry is not None and entry.label == label:
                return True
    return False


def _another_given_name(match: re.Match, entry: Entry) -> bool:
    """Whether a speaker introducing themselves says, with the entry's surname, a given name
    nothing like the entry's (below :data:`RECOGNISABLE`). It may be someone else's name misheard
    ("I'm Larry Larsen" for "I'm Ravi Rasmussen", taken for Rosa Larsen), but in the 24 meetings
    measured at stop 40 all six such introductions were the entry's own, the given name misheard
    ("I'm Ramy Rasmussen", "I'm Larry Carrier" for Ravi Carrier, "I'm Rook Yazzie" for Luc
    Yazzie): so the surname names them, weakly."""
    parts = entry.phrases[0].split() if entry.kind == "person" and entry.phrases else []
    said = [w.strip(".,;:") for w in (match.groupdict().get("after") or "").split()[:2]]
    if len(parts) < 2 or len(said) < 2 or said[0] in TITLES or said[1] != parts[-1]:
        return False
    return max(fuzz.ratio(parts[0], said[0]), _phonetic(parts[0], said[0])) < RECOGNISABLE


THANKS_CUT_WORDS = 2  # "Thanks, Emis." + "Fraser, the next question ...": ASR ended the thanks at a title
# Thanks that are whole as they stand: "Thank you, sir." names nobody, and the next sentence is the speaker's.
ADDRESSES = {"sir", "madam", "madame", "senor", "senora", "senhor", "senhora", "monsieur", "all", "everyone",
             "colleagues", "excellency", "everybody", "very much", "so much", "again", "a lot", "muito", "beaucoup"}

# Words a clause of courtesy between the thanks and the name may hold ("Muchas gracias, señor,
# Paraguay"); any other clause there is the name's, heard or not.
TITLES = {"mr", "ms", "mrs", "miss", "dr", "sr", "sra", "prof", "hon", "amb"}  # "Miss": ASR's "Ms."
COURTESY_WORDS = {"thank", "you", "very", "much", "so", "again", "the",
                  "distinguished", "honourable", "honorable", "dear", "muchas", "gracias", "muito", "obrigado",
                  "obrigada", "merci", "beaucoup", "distinguida", "distinguido", "querido", "querida", "estimado",
                  "estimada"} | {w for a in ADDRESSES for w in a.split()}


def _courtesy(word: str, also: set[str] = frozenset()) -> bool:
    """Whether ``word`` is one of courtesy (:data:`COURTESY_WORDS`, ``also``) or a title."""
    return word in COURTESY_WORDS or word in also or word.rstrip(".") in TITLES


def _thanks_cut_short(match: re.Match, pattern: re.Pattern, following: str, entries: list[Entry]):
    """Thanks whose name ASR put in the next sentence ("Thanks, Emis. Fraser, the next question
    goes to ..." for "Thanks, Ms. Fraser."): a thanks of at most :data:`THANKS_CUT_WORDS` words
    after the courtesy, named by nobody, read on with the next sentence's first clause."""
    after = match.group("after").strip(" .")
    name = " ".join(following.split()[:3])  # a name's words at most
    if not after or after in ADDRESSES or len(after.split()) > THANKS_CUT_WORDS or not name:
        return None, 0.0, match
    joined = pattern.match(f"{match.group(0).rstrip(' .')} {name}")
    entry, score = _named(joined, entries) if joined else (None, 0.0)
    if entry is None:
        return None, 0.0, match
    # "Thank you, Emis. Canada, you have the floor.": Canada is next; "Thank you very much, sir.
    # Colombia supports ...": Colombia speaks. The name must be the thanks', nothing else's.
    others = [(p, MAX_SKIP) for p, direction, _ in PATTERNS if direction == NEXT] + [(p, m) for p, _, m in SELF_PATTERNS]
    if any(_named(m, entries, skip)[0] is entry for p, skip in others for m in p.finditer(following)):
        return None, 0.0, match
    return entry, score, joined


# What stands after a delegation's name that opens a sentence when the sentence does not have it
# speak: "Mexico and Peru ...", "Canada's proposal ...", "Peru, please", "Canada is next", "Chile
# tiene la palabra", "Brazil, you have the floor".
NOT_ITS_VERB = {"and", "y", "e", "et", "or", "o", "ou", "please", "por", "go", "adelante", "is", "es", "est",
                "you", "usted", "vous", "voce", "tiene", "tem", "a", "has", "have", "had", "ha", "next", "then",
                "again", "too", "also", "of", "de", "del", "do", "da", "du", "to", "al"}
ITSELF_WORDS = 4  # "Paraguay polla esta iniciativa": a name, a verb and what it does, at least
ITSELF_SCORE = 90.0  # the name heard nearly as spelled: the shape alone says little


def _opening_phrase(words: list[str], entry: Entry) -> str:
    """The phrase of ``entry`` the first of ``words`` were heard as: the nearest to as many of them."""
    return max(entry.phrases, key=lambda p: fuzz.ratio(p, " ".join(words[:len(p.split())])))


def _names_itself(sentence: str, offset: int, ends: set[int], entries: list[Entry],
                  after_thanks: bool = False) -> Cue | None:
    """A delegation naming itself by a verb no pattern of :data:`SELF_PATTERNS` knows, most
    often one the ASR misheard ("Paraguay polla esta iniciativa" for "Paraguay apoya", "Colombia
    will come as the report" for "welcomes"): the sentence opens with the delegation's name,
    heard nearly as spelled, no comma after it (a comma makes it a vocative: "Paraguay, tiene
    esa parada"), and a word that could be its verb after it, in a sentence of
    :data:`ITSELF_WORDS` words at least. In the references, every sentence so opened but the
    chair's "Jamaica has asked for the floor" (a floor cue, found before) is the delegation's
    own. A weak cue (:data:`VOCATIVE_WEIGHT`): the verb was not heard. ``offset``: the index of
    the sentence's first word among the text's words, whose clause ends are ``ends``.

    ``after_thanks``: the sentence follows the speaker's own thanks to the chair, where no one
    gives the floor; then "a" after the name is what is left of a verb ("Uruguay a la LSS
    informe" for "Uruguay agradece el informe"), not the "a" of "Canada a la parole"."""
    words = sentence.split()
    if len(words) < ITSELF_WORDS:
        return None
    entry, score = best_entry(sentence, entries, at_start=True, max_skip=0, threshold=ITSELF_SCORE)
    if entry is None or entry.kind != "delegation":
        return None
    n = len(_opening_phrase(words, entry).split())
    if (offset + n - 1 in ends or "'" in " ".join(words[:n]) or n >= len(words)
            or words[n].strip(".") in NOT_ITS_VERB - ({"a"} if after_thanks else set())):
        return None
    return Cue(SELF, entry.label, " ".join(words[:n + 1]), VOCATIVE_WEIGHT, score)


def _introduced_by_a_comma(sentence: str, offset: int, ends: set[int], entries: list[Entry]) -> Cue | None:
    """A speaker naming themselves with the "'m" of "I'm" lost ("I, Rosa Thibault, why would
    ..." for "I'm Rosa Thibault. Why would ..."): the sentence opens with "I" and a comma, and a
    name of the roster right after it, nearly as spelled. Folding has dropped the comma, which is
    what tells it from "I thank Mexico" (``ends``, the clause ends; ``offset``, the index of the
    sentence's first word among the text's words). As strong as an introduction."""
    words = sentence.split()
    if len(words) < 2 or words[0] != "i" or offset not in ends:
        return None
    entry, score = best_entry(" ".join(words[1:]), entries, at_start=True, max_skip=0)
    if entry is None or entry.kind == "chair":
        return None
    return Cue(SELF, entry.label, " ".join(words[:1 + len(entry.phrases[0].split())]), 1.0, score)


THANKS_FOR = {"for", "por", "pour", "pela", "pelo", "pelas", "pelos", "para", "very", "much", "so", "again"}


def _itself_after_thanks(sentence: str, match: re.Match, entry: Entry, ends: set[int]) -> Cue | None:
    """The speaker's own "Gracias." and its delegation naming itself run into one sentence
    ("Gracias, Uruguay me se afomó a los comentarios, proponemos incluir ..." for "Gracias.
    Uruguay desea formular dos comentarios. Proponemos incluir ...", held-out w9192): the name
    right after the courtesy, heard nearly as spelled, with no pause after it and a word that
    could be its verb (not :data:`NOT_ITS_VERB`, nor "for": "Thank you, Canada, for ..."), then
    words of substance, and nothing a chair does. A weak self-naming, as in :func:`_names_itself`;
    ``find_cues`` takes it for the thanks only where the sentence gives nobody the floor ("Thank
    you Canada I call upon Peru"). ``match``: the thanks, in the utterance's first sentence."""
    from pipeline.text.report import SUBSTANCE

    if entry.kind != "delegation":
        return None
    words = sentence.split()
    start = len(sentence[:match.start("after")].split())
    after = words[start:]
    phrase = _opening_phrase(after, entry)
    n = len(phrase.split())
    score = fuzz.ratio(phrase, " ".join(after[:n]).strip("."))
    if (len(after) < n + ITSELF_WORDS or score < ITSELF_SCORE or start + n - 1 in ends or after[n - 1].endswith(".")
            or after[n].strip(".") in NOT_ITS_VERB | THANKS_FOR
            or not SUBSTANCE.search(" ".join(after[n:])) or chair_acts(sentence)):
        return None
    return Cue(SELF, entry.label, " ".join(after[:n + 1]), VOCATIVE_WEIGHT, score)


VOCATIVE_WORDS = 8  # "Paraguay, tiene esa parada" (the verb misheard): a short sentence around a name
# "Minister, please wait a moment": a name with a request to wait gives no floor.
NOT_NOW = re.compile(r"\b(?:wait|hold\s+on|(?:one|a)\s+moment|bear\s+with|be\s+patient|un\s+momento|espere|"
                     r"aguarde|um\s+momento|un\s+instant|attendez)\b")


# The words that say "the floor" do not make a sentence longer than a vocative's: "I know you
# might miss, Whitford to take the floor." (for "I now invite Mr. Whitford ...") is a name and a call.
FLOOR_PHRASE = re.compile(r"\b(?:(?:to\s+)?(?:take|have|has|give|tomar|tiene|tem|prendre|a)\s+)?"
                          r"(?:the\s+floor|la\s+palabra|a\s+palavra|la\s+parole)\b")


# The words that say whose the name is ("the distinguished delegation of", "la distinguida
# delegación de") do not make a sentence longer than a vocative's either, when it says nothing
# of substance: "Or we could noise the distinguished delegation of Chile." (for "I recognize the
# distinguished delegation of Chile."), not "We agree with the proposal of the distinguished
# delegation of Chile."
NAMING_PHRASE = re.compile(r"\b" + _HONORIFIC + _DELEGATION_OF + r"|\b" + _LA_DELEGACION + r"|"
                           r"\b(?:a\s+)?(?:distinta\s+|ilustre\s+)?delegacao\s+(?:do\s+|da\s+|de\s+)?|"
                           r"\b(?:la\s+)?(?:distinguee\s+)?delegation\s+(?:de\s+|du\s+|des\s+)?")


def _vocative(sentence: str, entries: list[Entry]) -> list[Cue]:
    """A short sentence that names one delegation or person and matches no pattern: the chair
    calling the next speaker in words the ASR garbled or no pattern knows ("La distinguida
    regación de Paraguay tiene esa parada", "Let's hear from Mr. Epp"). Its words saying "the
    floor" (:data:`FLOOR_PHRASE`) or, in a sentence of no substance, whose the name is
    (:data:`NAMING_PHRASE`) are not counted."""
    from pipeline.text.report import SUBSTANCE

    words = FLOOR_PHRASE.sub(" ", sentence).split()
    if len(words) > VOCATIVE_WORDS and not SUBSTANCE.search(sentence):
        words = NAMING_PHRASE.sub(" ", " ".join(words)).split()
    if not words or len(words) > VOCATIVE_WORDS or NOT_NOW.search(sentence):
        return []
    found = mentioned(sentence, entries)
    if len(found) != 1:
        return []  # "Canada and Mexico agree": a list of names gives nobody the floor
    (label, score), = found.items()
    return [Cue(NEXT, label, sentence.strip(), VOCATIVE_WEIGHT, score, act=False)]


AND_WORDS = {"and", "y", "e", "et"}
THANKING = {"thanks", "i", "think", "agradezco", "a"}  # the thanks' own words ("Thanks, Ms., Nakamura, ...")


def _called_after_thanks(sentence: str, offset: int, ends: set[int], thanked: str, entries: list[Entry]) -> list[Cue]:
    """A name opening the clause after the thanks' (``thanked``'s), or closing it when it is no
    longer than a name, and the only one named there, in a few words: the chair thanks one and
    calls the next in one breath, the call's words garbled ("Thank you, Mr. Nguyen, Dr. Hussain,
    for falling beyond." for "... Dr. Hussain, you have the floor."). Two names joined by "and"
    are both thanked."""
    words = sentence.split()
    for k, word in enumerate(words):
        if offset + k in ends and not all(_courtesy(w, THANKING) for w in words[:k + 1]):
            rest = words[k + 1:]
            break
    else:
        return []
    clause = " ".join(rest)
    if not rest or len(rest) > VOCATIVE_WORDS or AND_WORDS & set(rest) or NOT_NOW.search(clause):
        return []
    entry, score = best_entry(clause, entries, at_start=True, max_skip=AT_ONCE_SKIP)
    if entry is None and len(rest) <= NAME_WORDS:
        # ... or closing a clause no longer than a name ("Thank you, Mr. Petrov, Leah
        # Skiabla-Rabi Tremblay." for "... Next, Ravi Tremblay."): its first words the call's, garbled
        entry, score = best_entry(clause, entries, at_start=False, max_skip=0)
    if (entry is None or entry.kind == "chair" or entry.label == thanked
            or set(mentioned(clause, entries)) != {entry.label}):
        return []
    return [Cue(NEXT, entry.label, clause, VOCATIVE_WEIGHT, score, act=False)]


def mentioned(sentence: str, entries: list[Entry]) -> dict[str, float]:
    """The delegations and people a sentence names anywhere in it, with their match scores."""
    words = fold(sentence).split()
    found: dict[str, float] = {}
    for start in range(len(words)):
        entry, score = best_entry(" ".join(words[start:]), entries, at_start=True)
        if entry is not None and entry.kind != "chair" and score > found.get(entry.label, 0.0):
            found[entry.label] = score
    return found


DELEGATION_WORDS = ("delegation", "delegacion", "delegacao", "representative", "representacion", "ambassador")


def _frame(word: str) -> str:
    """A word's consonants after its first letter (:func:`skeleton` without the onset): what a
    mishearing keeps ("allegation" and "delegation" are both ``lgtn``)."""
    return skeleton(word)[1:]


DELEGATION_FRAMES = {_frame(word) for word in DELEGATION_WORDS}


def _speaks_of_a_delegation(phrase: str) -> bool:
    """Whether a correction whose name was not made out still says who it corrects to ("that was
    an allegation of parent-wide" is "the delegation of Paraguay" misheard). The consonant frame
    must be the same, which needs no cut-off: "relation", "declaration", "legislation" and
    "elevation" are not "delegation"."""
    return any(_frame(word) in DELEGATION_FRAMES for word in phrase.replace(",", " ").split())


# Holding the floor: asking a speaker to wait, the list of speakers. "at the moment" is a
# statement's, so only "one moment", "just a moment" and "wait a moment" count.
HOLDING = (r"(?:one|just\s+a)\s+moment(?:,?\s+please)?(?!\s+(?:in|of|when|that|where)\b)|wait\s+(?:a|one)\s+moment|"
           r"(?:i\s+will|i'll)\s+come\s+back\s+to\s+you|(?:we\s+have|there\s+is|on)\s+(?:a|the|my|our)\s+speakers'?\s+list|"
           r"un\s+momento,?\s+por\s+favor|um\s+momento,?\s+por\s+favor|un\s+instant,?\s+s'il\s+vous\s+pla[i]t|"
           r"lista\s+de\s+oradores|liste\s+des\s+orateurs")
CHAIR_ACTS = re.compile(
    r"\b(?:i\s+call\s+to\s+order|call\s+(?:this|the)\s+[a-z ]{0,60}?\bto\s+order|"
    r"declaro\s+abierta|declaro\s+aberta|je\s+declare\s+ouverte|the\s+floor\s+is\s+open|open\s+the\s+floor|we\s+(?:now\s+)?move\s+(?:on\s+)?to|"
    r"(?:is|are)\s+(?:so\s+)?adopted|meeting\s+is\s+adjourned|i\s+give\s+the\s+floor|you\s+have\s+the\s+floor|"
    r"se\s+levanta\s+la\s+sesion|pasamos\s+al|la\s+seance\s+est\s+levee|passons\s+au|"
    # Closing for want of other business: "Seeing no other business, the meeting is adjourned"
    # (also with the noun and the verb misheard: "Seeding no other reasonous, the meeting in the
    # Jones"), "No habiendo otros asuntos", "Não havendo outros assuntos", "En l'absence d'autres questions".
    r"(?:seeing|there\s+being)\s+no\s+(?:other|further)\s+(?:business|matters?|speakers|requests)|"
    r"no\s+(?:other|further)\s+[a-z]+\s+(?:the\s+)?(?:meeting|session)|no\s+habiendo\s+otros?\s+(?:asuntos|temas)|"
    r"nao\s+havendo\s+outros?\s+(?:assuntos|temas)|en\s+l'absence\s+d'autres?\s+(?:questions|points)|"
    + HOLDING + r")\b"
)
# ... of which holding the floor alone, found anywhere: the chair's words, whoever spoke before them.
HOLDS_THE_FLOOR = re.compile(r"\b(?:" + HOLDING + r")\b")


# A turn or sentence that is nothing but the floor given to no name ("Please.", "Go ahead,
# please.", "Sí, adelante."): the chair inviting the speaker it has just recognised.
BARE_CALL = re.compile(r"^(?:yes\s+|si\s+|sim\s+|oui\s+)?(?:please\s+)?(?:please|go\s+ahead|adelante|por\s+favor|je\s+vous\s+en\s+prie)"
                       r"(?:\s+please|\s+por\s+favor)?\.?$")


def bare_call(sentence: str) -> bool:
    """Whether a sentence is nothing but the floor given to no name (:data:`BARE_CALL`)."""
    return bool(BARE_CALL.match(fold(sentence)))


def chair_acts(text: str) -> int:
    """How many things only a presiding officer says occur in ``text``: :data:`CHAIR_ACTS`, a bare
    call (:data:`BARE_CALL`), a question put to the meeting (:func:`asks_the_meeting`)."""
    folded = fold(text)
    return len(CHAIR_ACTS.findall(folded)) + bool(BARE_CALL.match(folded)) + asks_the_meeting(text)


# Asking for the floor, or saying who did, whoever it was: "Ms. Olsen has asked for the floor"
# heard as "MS, I also have asked for the floor plays." says nothing a rapporteur records.
FLOOR_REQUEST = re.compile(r"\b(?:ask|asks|asked|asking|request|requests|requested|requesting)\s+(?:for\s+)?the\s+floor\b|"
                           r"\b(?:pide|pidio|pidieron|solicita|solicito|solicitado|pediu|demandee?)\s+"
                           r"(?:el\s+uso\s+de\s+)?(?:la\s+palabra|a\s+palavra|la\s+parole)\b")


# A sentence closing on taking the floor ("I now invite Mr. Lapointe to take the floor." heard
# "Surprised to take the floor.", "Quisiera tomar la palabra."): an invitation or a request,
# whatever the words before it became, never a point.
ENDS_TAKING_THE_FLOOR = re.compile(r"\b(?:take|taking|tomar|tome|prendre|prenne)\s+(?:the\s+floor|la\s+palabra|"
                                   r"a\s+palavra|la\s+parole)(?:\s+(?:now|please|ahora|agora|maintenant))?\W*$")


def manages_the_floor(sentence: str, entries: list[Entry]) -> bool:
    """Whether a sentence runs the meeting rather than says something: it gives, thanks for,
    corrects, asks or invites to take the floor (any cue but a speaker naming themselves, also
    when the name in it is not made out) or does what only a chair does. One classification for
    attribution and the draft: the minutes never report floor-giving."""
    folded = fold(sentence)
    return bool(chair_acts(sentence) or FLOOR_REQUEST.search(folded) or TAKE_THE_FLOOR.search(folded)
                or ENDS_TAKING_THE_FLOOR.search(folded)
                or any(c.direction != SELF for c in find_cues(sentence, entries))
                or any(p.search(folded) for p, direction, _ in PATTERNS
                       if direction == NEXT and p not in _NEEDS_A_NAME)
                or any(p.search(folded) for p in CORRECTIONS))


SHORT_THANKS_WORDS = 12  # "Muchas gracias, Camarra. ¡Avemente!": the chair's thanks between two speakers
THANKS_TAIL_WORDS = 3  # ... and the garbled call after them
CHAIR_WORDS = re.compile(r"\b(?:chair|chairman|chairwoman|chairperson|president|presidente|presidenta|presidencia|"
                         r"presidencia|presidence)\b")


def thanks_unnamed(text: str, cues: list[Cue]) -> bool:
    """Whether a short turn opens by thanking someone whose name was not made out (not the
    chair, nor "sir" or "everyone", nor "for the question"): between two speakers that is the chair thanking the one who
    spoke, as a thanks whose name was heard is; ``cues``: the turn's, from :func:`find_cues`."""
    folded = fold(text)
    if len(folded.split()) > SHORT_THANKS_WORDS or any(c.direction == PREVIOUS for c in cues):
        return False
    first = split_sentences(folded)[:1]
    # Little after the thanks, and nothing left unfinished: "Thank you very much, care. What
    # share of the" is a member thanking the chair misheard, her question cut by diarization.
    if not first or len(folded.split()) - len(first[0].split()) > THANKS_TAIL_WORDS \
            or not text.rstrip().endswith((".", "!", "?")):
        return False
    match = THANKS.match(first[0]) if first else None
    after = match.group("after").strip(" .") if match else ""
    return (bool(after) and after not in ADDRESSES and not CHAIR_WORDS.search(after)
            and after.split()[0] not in NOT_A_NAME)


# Thanks for something, not someone: "Thank you for the question", "Gracias por su pregunta".
NOT_A_NAME = {"for", "por", "pour", "pelo", "pela", "pelos", "pelas", "to", "a", "al", "de", "that", "this", "your",
              "you", "so", "very", "again", "everyone", "all", "nuevamente", "otra", "encore", "mais", "muito"}


def named_by(cues: list[Cue]) -> set[str]:
    """Labels these cues give the floor to or thank (not a speaker naming themselves)."""
    return {cue.label for cue in cues if cue.direction != SELF and cue.label}


def named_speakers(text: str, entries: list[Entry]) -> set[str]:
    """Labels the floor is given to (or thanked) in ``text``: each is a voice of the meeting."""
    return named_by(find_cues(text, entries))
