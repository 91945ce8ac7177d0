"""Who can be named in a meeting, how they are spoken of, and how the minutes order them.

The reference minutes list speaking delegations in Spanish alphabetical order ("Canada, United
States, Guatemala": Estados Unidos sorts under E), and the quorum in English order.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

# The 35 member states of the OAS, as the secretariat's English minutes name them.
MEMBER_STATES = (
    "Antigua and Barbuda", "Argentina", "Bahamas", "Barbados", "Belize", "Bolivia", "Brazil", "Canada",
    "Chile", "Colombia", "Costa Rica", "Cuba", "Dominica", "Dominican Republic", "Ecuador", "El Salvador",
    "Grenada", "Guatemala", "Guyana", "Haiti", "Honduras", "Jamaica", "Mexico", "Nicaragua", "Panama",
    "Paraguay", "Peru", "Saint Kitts and Nevis", "Saint Lucia", "Saint Vincent and the Grenadines",
    "Suriname", "Trinidad and Tobago", "United States", "Uruguay", "Venezuela",
)
# Other spellings accepted in a spec for a member state.
MEMBER_ALIASES = {"the bahamas": "Bahamas", "united states of america": "United States", "usa": "United States",
                  "st. lucia": "Saint Lucia", "st. kitts and nevis": "Saint Kitts and Nevis",
                  "st. vincent and the grenadines": "Saint Vincent and the Grenadines",
                  "bolivarian republic of venezuela": "Venezuela", "plurinational state of bolivia": "Bolivia"}


def member_state(name: str) -> str | None:
    """The member state ``name`` denotes (any case, accents ignored, common variants), or None."""
    key = fold(name)
    for state in MEMBER_STATES:
        if fold(state) == key:
            return state
    return MEMBER_ALIASES.get(key)


def nearest_member_state(name: str) -> str | None:
    """The member state a misspelt name most likely meant ("Brasil" -> "Brazil")."""
    import difflib

    spanish = {fold(v): k for k, v in SPANISH_NAMES.items()}
    key = fold(name)
    if key in spanish:
        return member_state(spanish[key]) or spanish[key].title()
    match = difflib.get_close_matches(key, [fold(s) for s in MEMBER_STATES], n=1, cutoff=0.6)
    return member_state(match[0]) if match else None


# Spanish names of member states whose English name sorts elsewhere in Spanish.
SPANISH_NAMES = {
    "antigua and barbuda": "Antigua y Barbuda",
    "bahamas": "Bahamas",
    "the bahamas": "Bahamas",
    "belize": "Belice",
    "brazil": "Brasil",
    "canada": "Canadá",
    "dominica": "Dominica",
    "dominican republic": "República Dominicana",
    "grenada": "Granada",
    "haiti": "Haití",
    "mexico": "México",
    "panama": "Panamá",
    "peru": "Perú",
    "saint kitts and nevis": "Saint Kitts y Nevis",
    "saint lucia": "Santa Lucía",
    "saint vincent and the grenadines": "San Vicente y las Granadinas",
    "trinidad and tobago": "Trinidad y Tobago",
    "united states": "Estados Unidos",
    "united states of america": "Estados Unidos",
}

# Other ways a delegation is spoken of (lower case, no accents), beyond its own name.
ALIASES = {
    "united states": ["united states of america", "the united states", "usa", "u.s.", "us delegation",
                      "estados unidos", "etats-unis"],
    "dominican republic": ["the dominican republic", "republica dominicana"],
    "saint vincent and the grenadines": ["saint vincent", "st. vincent", "st vincent"],
    "saint kitts and nevis": ["saint kitts", "st. kitts", "st kitts"],
    "trinidad and tobago": ["trinidad"],
    "antigua and barbuda": ["antigua"],
    "the bahamas": ["bahamas"],
    "brazil": ["brasil"],
    "mexico": ["mejico"],
}


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
    spanish = SPANISH_NAMES.get(fold(name), name)
    return fold(spanish)


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
        key = fold(name)
        phrases = [key, *ALIASES.get(key, [])]
        spanish = SPANISH_NAMES.get(key)
        if spanish:
            phrases.append(fold(spanish))
        entries.append(Entry(name, "delegation", sorted(set(phrases), key=len, reverse=True)))
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
