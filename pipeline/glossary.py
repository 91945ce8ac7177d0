"""The OAS glossary: words of every OAS meeting that Whisper mishears without help.

Bodies, conventions, offices and the vocabulary of the minutes, in the four languages, used as
decoding vocabulary after the spec's own names ("Conservative Committee" for Consultative
Committee, "agenda perspective" for a gender perspective, "emanate national points on contact"
for designate national points of contact, "succeed to the Budapest Convention" for accede).
One row per term: English, Spanish, Portuguese, French.
"""

from __future__ import annotations

TERMS: tuple[tuple[str, str, str, str], ...] = (
    ("Permanent Council", "Consejo Permanente", "Conselho Permanente", "Conseil permanent"),
    ("General Assembly", "Asamblea General", "Assembleia Geral", "Assemblée générale"),
    ("Secretariat", "Secretaría", "Secretaria", "Secrétariat"),
    ("member states", "Estados miembros", "Estados membros", "États membres"),
    ("draft resolution", "proyecto de resolución", "projeto de resolução", "projet de résolution"),
    ("Consultative Committee", "Comité Consultivo", "Comitê Consultivo", "Comité consultatif"),
    ("gender perspective", "perspectiva de género", "perspectiva de gênero", "perspective de genre"),
    ("designate national points of contact", "designar puntos nacionales de contacto",
     "designar pontos de contato nacionais", "désigner des points de contact nationaux"),
    ("accede to the Budapest Convention", "adherir al Convenio de Budapest", "aderir à Convenção de Budapeste",
     "adhérer à la Convention de Budapest"),
    ("Inter-American", "Interamericano", "Interamericano", "interaméricain"),
    ("order of business", "orden del día", "ordem do dia", "ordre du jour"),
    ("takes note", "toma nota", "toma nota", "prend note"),
    ("CICTE", "CICTE", "CICTE", "CICTE"),
    ("CICAD", "CICAD", "CICAD", "CICAD"),
    ("REMJA", "REMJA", "REMJA", "REMJA"),
    ("MESICIC", "MESICIC", "MESICIC", "MESICIC"),
)
COLUMN = {"en": 0, "es": 1, "pt": 2, "fr": 3}


def terms(language: str) -> list[str]:
    """The glossary in ``language`` (English for a language it does not hold)."""
    column = COLUMN.get(language, 0)
    return [row[column] for row in TERMS]
