"""How a presiding officer announces an item or a block of the order of business, in the four
languages: by number or ordinal ("item three", "el punto cuarto"), relative ("the next item"),
by the item's title words (fuzzy, without a number) or by the stock phrases of committee chairs.
Align follows the announcements; attribute and draft read them too (an announcement is the
chair's, and is neither a point nor a floor cue).
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from pipeline.text.roster import fold

ORDINALS = {
    # en
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    # es / pt
    "primer": 1, "primero": 1, "segundo": 2, "tercer": 3, "tercero": 3, "cuarto": 4, "quinto": 5,
    "sexto": 6, "uno": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7,
    "ocho": 8, "nueve": 9, "diez": 10, "primeiro": 1, "terceiro": 3, "quarto": 4, "um": 1,
    "dois": 2, "quatro": 4,
    # fr
    "premier": 1, "deuxieme": 2, "troisieme": 3, "quatrieme": 4, "cinquieme": 5, "un": 1,
    "deux": 2, "trois": 3, "quatre": 4, "cinq": 5,
    # roman
    "i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8,
}
_NUM = r"(?P<num>\d{1,2}|" + "|".join(sorted(ORDINALS, key=len, reverse=True)) + r")"
_RELATIVE = r"(?P<rel>next|following|last|final|siguiente|ultimo|proximo|suivant|dernier)"

ITEM_PATTERNS = [
    re.compile(r"\b(?:item|point|punto|ponto|tema)\s+(?:number\s+|numero\s+|no\.?\s+)?" + _NUM + r"\b"),
    re.compile(r"\b" + _NUM + r"\s+(?:item|point|punto|ponto)\b"),
    re.compile(r"\b(?:the\s+|el\s+|al\s+|au\s+|le\s+)?" + _RELATIVE + r"\s+(?:item|point|punto|ponto)\b"),
    re.compile(r"\b(?:item|point|punto|ponto)\s+" + _RELATIVE + r"\b"),
    # "Finally, under other business, ..." opens the last item
    re.compile(r"\b(?P<rel>finally|lastly|finalmente|enfin|por\s+ultimo)\s*,?\s+(?:under|bajo|en|sous|sob)\b"),
]
# Numbers ASR writes as the word they sound like: "Item 2: Questions to the Minister ..." heard
# as "item to questions to the minister ...". Such a number counts only when its item's own
# title follows (:func:`_titled`); "the item to be discussed" names nothing.
SOUNDS_LIKE = {"to": 2, "too": 2, "for": 4, "won": 1, "free": 3, "tree": 3}
# ... and "item" as "I am" ("I am free, committee business." for "Item three, Committee business.")
ITEM_BY_SOUND = re.compile(r"\b(?:item|point|i\s+am)\s+(?P<sound>" + "|".join(SOUNDS_LIKE) + r")\b")
# Any word where the number was ("Tenemos a concineación el punto más, informe sobre el programa
# ..." for "el punto dos, Informe sobre el Programa ..."): it counts only when an item's own title
# follows it (:func:`misheard_number`).
ITEM_MISHEARD = re.compile(r"\b(?:item|point|punto|ponto)\s+(?!(?:is|of|the|and|de|del|la|el|que|y|e|et)\b)(?P<heard>[a-z]+)\b")
BLOCK_PATTERNS = [
    re.compile(r"\bblo(?:ck|que|c)\s+(?:number\s+|numero\s+)?" + _NUM + r"\b"),
    re.compile(r"\b" + _NUM + r"\s+(?:thematic\s+)?blo(?:ck|que|c)\b"),
    re.compile(r"\b" + _RELATIVE + r"\s+(?:thematic\s+)?blo(?:ck|que|c)\b"),
]
ANNOUNCE = re.compile(r"\b(?:move|moving|proceed|proceeding|turn|turning|go|going|pass|passing|come|coming|"
                      r"brings?|take\s+up|taking\s+up|now|pasamos|pasemos|passons|passamos|"
                      r"first|next|last|finally|lastly|under|siguiente|abordamos|begin|start|"
                      r"finalmente|enfin|por\s+ultimo|"
                      # es / pt / fr: "tenemos a consideración", "a continuación", "passons à"...
                      r"consideracao|consideracion|consideramos|considerar|tratar|tratamos|"
                      r"continuacion|seguidamente|procedemos|proceder|procedamos|abordar|abordaremos|"
                      r"pasar|passar|passemos|vamos|ahora|agora|maintenant|passer|abordons|examinons|"
                      r"examinar|iniciamos|comenzamos|comecamos|ouvrons|abrimos)\b")
TITLE_MATCH = 85.0
TITLE_OPENING = 16  # characters of a title that name it after its number ("informe sobre el ...")
# The items every committee has, by the words chairs use for them in the four languages: a
# Spanish-speaking chair announces "el orden del día" under an English title "Adoption of the
# order of business". An item whose title holds one of these phrases is announced by any other.
OTHER_BUSINESS = ("other business", "other matters", "any other", "otros asuntos", "asuntos varios",
                  "outros assuntos", "assuntos gerais", "questions diverses", "autres questions")
STOCK_ITEMS = (
    ("order of business", "agenda", "order of the day", "orden del dia", "ordem do dia", "pauta",
     "ordre du jour"),
    ("approval of the minutes", "minutes of the previous", "aprobacion del acta", "acta de la",
     "aprovacao da ata", "proces-verbal", "proces verbal"),
    OTHER_BUSINESS,
    ("closing remarks", "closing of the meeting", "closing session", "palabras de clausura",
     "clausura", "cierre de la sesion", "encerramento", "cloture", "mots de cloture"),
    ("statements by members", "general statements", "statements by delegations", "declaraciones",
     "intervenciones de las delegaciones", "declaracoes", "declarations des"),
)
STOCK_MATCH = 90.0


# Adopting or approving, in the four languages: "Adoption", "Approval", "Aprobación", "Adopción",
# "Aprovação", "Adoção".
ADOPTING = re.compile(r"\b(?:adopt|adopc|adoc|approv|aprob|aprov)\w*")  # on folded text


def adopts_the_order_of_business(title: str) -> bool:
    """Whether an item is the adoption of the order of business, its title naming both in any of
    the four languages ("Adoption of the agenda", "Aprobación del orden del día", "Aprovação da
    pauta", "Adoption de l'ordre du jour"; "Preparation of the agenda of the Assembly" is not):
    the first item of every meeting, closed once it is put or decided, its decision recorded."""
    folded = fold(title)
    return ADOPTING.search(folded) is not None and any(_said(p, folded) for p in STOCK_ITEMS[0])


def _number(match: re.Match, current: int, count: int) -> int | None:
    groups = match.groupdict()
    if groups.get("sound"):
        return SOUNDS_LIKE[groups["sound"]]
    if groups.get("num"):
        token = groups["num"]
        return int(token) if token.isdigit() else ORDINALS.get(token)
    rel = groups.get("rel")
    if rel in ("last", "final", "ultimo", "dernier", "finally", "lastly", "finalmente", "enfin", "por ultimo"):
        return count
    if rel:
        return current + 1 if current else 1
    return None


def title_hit(text: str, titles: list[str]) -> int | None:
    """1-based index of a title said (almost) verbatim in ``text``."""
    best, best_score = None, 0.0
    for index, title in enumerate(titles, 1):
        folded = fold(title)
        if len(folded.split()) < 2:
            continue
        score = fuzz.partial_ratio(folded, text)
        if score > best_score:
            best, best_score = index, score
    return best if best_score >= TITLE_MATCH else None


def _said(phrase: str, folded: str) -> bool:
    """A stock phrase said in ``folded`` text: whole words, allowing for ASR's slips."""
    if " " not in phrase:
        return re.search(rf"\b{re.escape(phrase)}\b", folded) is not None
    return fuzz.partial_ratio(phrase, folded) >= STOCK_MATCH


def _stock_hit(folded: str, titles: list[str], current: int, kinds=STOCK_ITEMS) -> int | None:
    """1-based index of the first item after ``current`` whose kind (one of ``kinds``, by
    default every one of :data:`STOCK_ITEMS`) the text names in any of the four languages."""
    for index, title in enumerate(titles, 1):
        if index <= current:
            continue
        title = fold(title)
        for phrases in kinds:
            if any(_said(p, title) for p in phrases) and any(_said(p, folded) for p in phrases):
                return index
    return None


LEAD_IN = {"", "the", "our", "and", "so", "now", "and now", "and the", "so the", "this", "el", "la", "le", "o", "a"}


def _sentence_start(folded: str, at: int) -> int:
    """Where the sentence holding position ``at`` of ``folded`` begins."""
    start = folded.rfind(". ", 0, at)
    return start + 2 if start >= 0 else 0


def _announcing(folded: str, match: re.Match) -> bool:
    """Whether an item (or block) named in ``folded`` is announced: its sentence has an announcing
    verb, or opens with it ("Item 3: Committee business."). "That is a fair point" heard as "At
    the third point, and we expect ..." names no item."""
    start = _sentence_start(folded, match.start())
    sentence = folded[start:]
    end = sentence.find(". ", match.end() - start)
    sentence = sentence if end < 0 else sentence[:end]
    lead = folded[start:match.start()].strip(" ,:;")
    return bool(ANNOUNCE.search(sentence)) or lead in LEAD_IN


def titled_item(folded: str, match: re.Match, number: int | None, titles: list[str]) -> int | None:
    """The item an item reference (``match``, numbered ``number``) is followed by the title of: its
    own, else, the number misheard, the one other item's whose title follows (held-out w9102:
    "Tenemos la transición de punto 4, informe sobre el programa indéamericano de facilidades
    judiciales." for "... el punto 2, Informe sobre el Programa Interamericano de Facilitadores
    Judiciales", and there is no item 4; held-out w9131: "Pasamos al punto uno del orden del día,
    informe sobre el programa Interamericano ..." for "punto 2": a title of 16 characters and more
    is heard more surely than a number's one word). A number counted, not heard ("the next item"),
    is left to :func:`announced`. None when no title follows, or when the opening words said are
    two other items' alike."""
    if _titled(folded, match, number, titles):
        return number
    heard = match.groupdict().get("num") or match.groupdict().get("sound")
    if number and 1 <= number <= len(titles) and not heard:
        return None
    others = [n for n in range(1, len(titles) + 1) if n != number and _titled(folded, match, n, titles)]
    return others[0] if len(others) == 1 else None


def item_by_title(folded: str, titles: list[str]) -> int | None:
    """The item a sentence refers to by number and then by title (:func:`titled_item`), or by a
    number misheard and then by title (:func:`misheard_number`)."""
    for pattern in ITEM_PATTERNS:
        for match in pattern.finditer(folded):
            found = titled_item(folded, match, _number(match, 0, len(titles)), titles)
            if found:
                return found
    return misheard_number(folded, titles)


def misheard_number(folded: str, titles: list[str]) -> int | None:
    """The item whose own title follows "item" (or "punto", "ponto", "point") and one word that
    is no number ASR knew (:data:`ITEM_MISHEARD`): the title says which item was announced, in
    its own words (a stock name, "the agenda", is too common for a guessed number)."""
    for match in ITEM_MISHEARD.finditer(folded):
        found = next((k for k in range(1, len(titles) + 1) if _titled(folded, match, k, titles, stock=False)), None)
        if found:
            return found
    return None


# The words that place an item on the agenda after its number ("el punto 2 del orden del día",
# "item 3 on our agenda", "le point 3 de l'ordre du jour"): they frame the number, they are not the
# title of the adoption of the order of business.
AGENDA_FRAME = re.compile(r"^(?:(?:del|de|of|on|in|da|do|du|de\s+la)\s+)?(?:the\s+|our\s+|el\s+|la\s+|a\s+|l')?"
                          r"(?:orden\s+del\s+dia|agenda|order\s+of\s+(?:business|the\s+day)|ordem\s+do\s+dia|pauta|"
                          r"ordre\s+du\s+jour)\b")


def _titled(folded: str, match: re.Match, number: int | None, titles: list[str], stock: bool = True) -> bool:
    """Whether the item named by number in ``match`` is followed by its own title ("el punto uno,
    aprobación del orden del día"): naming both announces it, whatever ASR made of the verb
    ("Tenemos a concineación" for "a consideración"). The agenda named after the number
    (:data:`AGENDA_FRAME`) is passed over: "el punto uno del orden del día, informe sobre ..." is
    followed by the report's title, not the adoption's."""
    if not number or not 1 <= number <= len(titles):
        return False
    rest = AGENDA_FRAME.sub("", folded[match.end():].lstrip(" .:-"), count=1).lstrip(" ,.:-")
    rest = rest.split(". ", 1)[0]
    title = fold(titles[number - 1])
    # The title's opening words are enough: "item to questions to the members to all the" for
    # "Item 2: Questions to the Minister on the main estimates".
    opening = title.find(" ", TITLE_OPENING)
    said = min(len(title) if opening < 0 else opening, len(rest.rstrip(".")))
    return (said >= TITLE_OPENING and fuzz.ratio(title[:said], rest[:said]) >= TITLE_MATCH
            or stock and _stock_hit(rest, titles, number - 1) == number)


SHORT_ANNOUNCEMENT = 8  # words: "Tenemos a consumeración el punto 3." (the verb and the title lost)


def _closes_on_next(folded: str, match: re.Match, number: int | None, current: int) -> bool:
    """Whether the next item's number closes a short sentence ("... el punto 3.", "... el punto 3
    del orden del día."): a chair's announcement whose verb and title ASR garbled or lost. Nothing
    else ends that way (a statement's "point 3 of the report" goes on), and only the next item
    counts."""
    if number != current + 1 or match.groupdict().get("rel"):
        return False
    sentence = folded[_sentence_start(folded, match.start()):match.end()]
    rest = AGENDA_FRAME.sub("", folded[match.end():].lstrip(" ,;:"), count=1).lstrip(" ,;:")
    return (not rest or rest[0] in ".!?") and len(sentence.split()) <= SHORT_ANNOUNCEMENT


def announced(text: str, patterns, titles: list[str], current: int) -> int | None:
    """The item (or block) number an utterance announces, if it announces one."""
    folded = fold(text)
    count = len(titles)
    by_sound = [ITEM_BY_SOUND] if patterns is ITEM_PATTERNS else []  # an item's number, not a block's
    for pattern in [*patterns, *by_sound]:
        for match in pattern.finditer(folded):
            number = _number(match, current, count)
            if match.groupdict().get("sound"):
                if not _titled(folded, match, number, titles):
                    continue
            else:
                titled = titled_item(folded, match, number, titles)
                if titled is None and not (_announcing(folded, match) or _closes_on_next(folded, match, number, current)):
                    continue
                number = titled or number
            if number and match.groupdict().get("rel"):
                # "the next item, questions to the Minister": the title said beats counting
                # from an item whose announcement may have been missed.
                hit = title_hit(folded, titles)
                number = hit if hit and hit > current else number
            if number and 1 <= number <= count:
                return number
    if patterns is ITEM_PATTERNS:
        misheard = misheard_number(folded, titles)
        if misheard and misheard > current:
            return misheard
    if ANNOUNCE.search(folded):
        hit = title_hit(folded, titles)
        return hit if hit and hit > current else _stock_hit(folded, titles, current) or hit
    # Other business is opened by naming it ("Any other business?", "Seeing no other business,
    # ..."): when it is the next item, its name needs no announcing verb.
    stock = _stock_hit(folded, titles, current, kinds=(OTHER_BUSINESS,))
    return stock if stock == current + 1 else None
