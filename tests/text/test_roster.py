"""The roster: member states in four languages, names matched through ASR errors, sort orders."""

from __future__ import annotations

import pytest
from meetings import SPEC

from pipeline.text.cues import find_cues
from pipeline.text.roster import build_roster, spanish_sort_key


def test_spanish_order_of_the_reference_minutes():
    names = ["Guatemala", "United States", "Canada", "Peru", "Dominican Republic", "Brazil"]
    assert sorted(names, key=spanish_sort_key) == [
        "Brazil", "Canada", "United States", "Guatemala", "Peru", "Dominican Republic"]


@pytest.mark.parametrize("name, state", [("EE.UU.", "United States"), ("États-Unis", "United States"),
                                         ("San Vicente y las Granadinas", "Saint Vincent and the Grenadines"),
                                         ("Trinité-et-Tobago", "Trinidad and Tobago"), ("Perú", "Peru"),
                                         ("Brésil", "Brazil"), ("República Dominicana", "Dominican Republic")])
def test_member_states_in_four_languages(name, state):
    from pipeline.text.roster import member_state

    assert member_state(name) == state


def test_roster_matching_survives_asr_errors():
    spec = SPEC.model_copy(deep=True)
    spec.participants.delegations += ["Saint Vincent and the Grenadines"]
    entries = build_roster(spec)
    for heard, label in [("I give the floor to Saint Vincent.", "Saint Vincent and the Grenadines"),
                         ("I give the floor to the delegation of Guatamala.", "Guatemala"),
                         ("Thank you, Ms. Tripl.", "Alison Treppel"),
                         ("I give the floor to Mr. Martin Darshanikov.", "Martin Gershanik")]:
        assert label in {c.label for c in find_cues(heard, entries)}, heard
