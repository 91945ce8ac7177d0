"""Who can be named in a meeting, how they are spoken of, and how the minutes order them.

The reference minutes list speaking delegations in Spanish alphabetical order ("Canada, United
States, Guatemala": Estados Unidos sorts under E), and the quorum in English order.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

# The 35 member states of the OAS: English (as the secretariat's English minutes write it),
# Spanish (the sort order of the minutes), Portuguese, French; then other ways they are spoken of.
MEMBER_STATE_NAMES: tuple[tuple[str, str, str, str, tuple[str, ...]], ...] = (
    ("Antigua and Barbuda", "Antigua y Barbuda", "Antígua e Barbuda", "Antigua-et-Barbuda", ("antigua",)),
    ("Argentina", "Argentina", "Argentina", "Argentine", ()),
    ("Bahamas", "Bahamas", "Bahamas", "Bahamas", ("the bahamas", "commonwealth of the bahamas")),
    ("Barbados", "Barbados", "Barbados", "Barbade", ()),
    ("Belize", "Belice", "Belize", "Belize", ()),
    ("Bolivia", "Bolivia", "Bolívia", "Bolivie", ("plurinational state of bolivia", "estado plurinacional de bolivia")),
    ("Brazil", "Brasil", "Brasil", "Brésil", ()),
    ("Canada", "Canadá", "Canadá", "Canada", ()),
    ("Chile", "Chile", "Chile", "Chili", ()),
    ("Colombia", "Colombia", "Colômbia", "Colombie", ()),
    ("Costa Rica", "Costa Rica", "Costa Rica", "Costa Rica", ()),
    ("Cuba", "Cuba", "Cuba", "Cuba", ()),
    ("Dominica", "Dominica", "Dominica", "Dominique", ("commonwealth of dominica",)),
    ("Dominican Republic", "República Dominicana", "República Dominicana", "République dominicaine",
     ("the dominican republic",)),
    ("Ecuador", "Ecuador", "Equador", "Équateur", ()),
    ("El Salvador", "El Salvador", "El Salvador", "El Salvador", ("salvador",)),
    ("Grenada", "Granada", "Granada", "Grenade", ()),
    ("Guatemala", "Guatemala", "Guatemala", "Guatemala", ()),
    ("Guyana", "Guyana", "Guiana", "Guyana", ()),
    ("Haiti", "Haití", "Haiti", "Haïti", ()),
    ("Honduras", "Honduras", "Honduras", "Honduras", ()),
    ("Jamaica", "Jamaica", "Jamaica", "Jamaïque", ()),
    ("Mexico", "México", "México", "Mexique", ("mejico",)),
    ("Nicaragua", "Nicaragua", "Nicarágua", "Nicaragua", ()),
    ("Panama", "Panamá", "Panamá", "Panama", ()),
    ("Paraguay", "Paraguay", "Paraguai", "Paraguay", ()),
    ("Peru", "Perú", "Peru", "Pérou", ()),
    ("Saint Kitts and Nevis", "Saint Kitts y Nevis", "São Cristóvão e Névis", "Saint-Kitts-et-Nevis",
     ("saint kitts", "st. kitts", "st kitts", "st. kitts and nevis", "san cristobal y nieves")),
    ("Saint Lucia", "Santa Lucía", "Santa Lúcia", "Sainte-Lucie", ("st. lucia", "st lucia")),
    ("Saint Vincent and the Grenadines", "San Vicente y las Granadinas", "São Vicente e Granadinas",
     "Saint-Vincent-et-les-Grenadines", ("saint vincent", "st. vincent", "st vincent", "san vicente",
                                         "st. vincent and the grenadines")),
    ("Suriname", "Suriname", "Suriname", "Suriname", ("surinam",)),
    ("Trinidad and Tobago", "Trinidad y Tobago", "Trinidad e Tobago", "Trinité-et-Tobago", ("trinidad",)),
    ("United States", "Estados Unidos", "Estados Unidos", "États-Unis",
     ("united states of america", "the united states", "usa", "u.s.", "u.s.a.", "ee.uu.", "eeuu",
      "estados unidos de america", "etats-unis d'amerique", "estados unidos da america")),
    ("Uruguay", "Uruguay", "Uruguai", "Uruguay", ()),
    ("Venezuela", "Venezuela", "Venezuela", "Venezuela",
     ("bolivarian republic of venezuela", "republica bolivariana de venezuela")),
)
MEMBER_STATES = tuple(row[0] for row in MEMBER_STATE_NAMES)


def _names_of(row) -> list[str]:
    """Every folded way of naming one member state, hyphenated French names also unhyphenated."""
    english, spanish, portuguese, french, others = row
    names = {fold(n) for n in (english, spanish, portuguese, french, *others)}
    names |= {n.replace("-", " ") for n in names}
    return sorted(names, key=len, reverse=True)


def _row(name: str):
    key = fold(name)
    for row in MEMBER_STATE_NAMES:
        names = _names_of(row)
        if key in names or key.replace("-", " ") in names:
            return row
    return None


def member_state(name: str) -> str | None:
    """The member state ``name`` denotes in any of the four languages or a common variant."""
    row = _row(name)
    return row[0] if row else None


def nearest_member_state(name: str) -> str | None:
    """The member state a misspelt name most likely meant ("Belise" -> "Belize")."""
    import difflib

    candidates = {n: row[0] for row in MEMBER_STATE_NAMES for n in _names_of(row)}
    match = difflib.get_close_matches(fold(name), list(candidates), n=1, cutoff=0.6)
    return candidates[match[0]] if match else None


LANGUAGE_COLUMNS = {"en": 0, "es": 1, "pt": 2, "fr": 3}


def name_in(name: str, language: str) -> str:
    """A member state's name as spoken in ``language`` ("United States", "es" -> "Estados
    Unidos"); any other name as given."""
    row = _row(name)
    return row[LANGUAGE_COLUMNS[language]] if row and language in LANGUAGE_COLUMNS else name


def spoken_names(name: str) -> list[str]:
    """How a delegation may be named aloud: its names in the four languages and variants for a
    member state; the name itself for anyone else (an observer, a guest)."""
    row = _row(name)
    return _names_of(row) if row else [fold(name)]


def fold(text: str) -> str:
    """Lower case, accents removed, punctuation to spaces: the form all matching works on."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"\s+", " ", re.sub(r"[^a-z0-9.\-' ]+", " ", text)).strip()


ABBREVIATIONS = {"mr", "ms", "mrs", "dr", "st", "sr", "sra", "no", "prof", "amb", "hon", "mme", "m", "u.s", "e.g", "i.e"}


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text``; "Ms. Treppel" and "St. Lucia" do not end one."""
    pieces = re.split(r"(?<=[.!?])\s+", text.strip())
    out: list[str] = []
    for piece in pieces:
        if not piece:
            continue
        last = out[-1].split()[-1].rstrip(".").lower() if out else ""
        if out and out[-1].endswith(".") and last in ABBREVIATIONS:
            out[-1] = f"{out[-1]} {piece}"
        else:
            out.append(piece)
    return out


def skeleton(text: str) -> str:
    """A crude phonetic key: each word's first letter, then its consonants, doubles collapsed.

    ASR keeps the consonant frame of a name it does not know ("Treppel" heard as "Trepale" or
    "Tripl": all ``trpl``), so comparing skeletons catches what spelling-based ratios miss.
    """
    words = []
    for word in fold(text).split():
        word = re.sub(r"[^a-z]", "", word)
        if not word:
            continue
        body = re.sub(r"[aeiouyhw]", "", word[1:])
        words.append(re.sub(r"(.)\1+", r"\1", word[0] + body))
    return " ".join(words)


def spanish_sort_key(name: str) -> str:
    """Sort key of a delegation under its Spanish name (accents ignored, as dictionaries do)."""
    row = _row(name)
    return fold(row[1] if row else name)


def english_sort_key(name: str) -> str:
    key = fold(name)
    return key[4:] if key.startswith("the ") else key


@dataclass
class Entry:
    """One attributable label with the phrases that name it."""

    label: str
    kind: str  # "chair" | "delegation" | "person"
    phrases: list[str] = field(default_factory=list)
    role: str = ""


def build_roster(spec) -> list[Entry]:
    """Every label the spec allows, with the phrases a speaker may use for it."""
    entries = [Entry("Chair", "chair", ["chair", "chairman", "chairwoman", "chairperson",
                                         "madam chair", "mister chair", "mr. chair", "presidente",
                                         fold(spec.presiding.name)], role=spec.presiding.role)]
    for name in spec.participants.delegations + spec.participants.observers:
        entries.append(Entry(name, "delegation", spoken_names(name)))
    for person in spec.people():
        if person.name == spec.presiding.name:
            continue
        parts = fold(person.name).split()
        phrases = [fold(person.name)]
        if len(parts) > 1:
            phrases.append(parts[-1])  # "Ms. Treppel"
        if person.role and person.role not in ("presenter", "moderator"):
            phrases.append(fold(person.role))
        entries.append(Entry(person.name, "person", phrases, role=person.role))
    return entries
