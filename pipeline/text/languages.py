"""The languages a member state's delegation speaks in OAS meetings: evidence of who speaks a turn
where only one delegation of the meeting speaks its language."""

from __future__ import annotations

from pipeline.text.roster import member_state

# Their official OAS languages (Suriname's Dutch is none, so English); Spanish for every state not
# named here.
SPEAKS: dict[str, tuple[str, ...]] = {
    **{state: ("en",) for state in (
        "Antigua and Barbuda", "Bahamas", "Barbados", "Belize", "Dominica", "Grenada", "Guyana", "Jamaica",
        "Saint Kitts and Nevis", "Saint Lucia", "Saint Vincent and the Grenadines", "Suriname",
        "Trinidad and Tobago", "United States")},
    "Canada": ("en", "fr"), "Haiti": ("fr",), "Brazil": ("pt",),
}


def languages_of(name: str) -> tuple[str, ...]:
    """The languages the delegation of member state ``name`` speaks (:data:`SPEAKS`); none for
    anyone else (an observer, a person)."""
    state = member_state(name)
    return SPEAKS.get(state, ("es",)) if state else ()
