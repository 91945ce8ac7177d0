"""Reported speech: first person to third, capitals kept only for names."""

from __future__ import annotations

import pytest

from pipeline.text.report import third_person


def test_reported_speech():
    assert third_person("Canada urges member states to accede.", "The delegation of Canada", ["Canada"]) == \
        "The delegation of Canada urged member states to accede."
    assert third_person("We also support the protocol.", "The delegation of Peru", ["Peru"]) == \
        "The delegation of Peru also supported the protocol."
    assert third_person("Our country believes that asymmetry is an obstacle.", "The delegation of Brazil",
                        ["Brazil"]) == "The delegation of Brazil believed that asymmetry was an obstacle."
    assert third_person("Mutual assistance must become faster.", "The delegation of Chile", ["Chile"]) == \
        "The delegation of Chile stated that mutual assistance must become faster."


@pytest.mark.parametrize("said, reported", [
    ("Small states need support.", "stated that small states need support."),  # capital of the opening only
    ("Mi gobierno adoptó una estrategia nacional.", "stated that mi gobierno adoptó una estrategia nacional."),
    ("United States delegates agree.", "stated that United States delegates agree."),  # a member state keeps it
    ("Trinidad and Tobago's proposal is welcome.", "stated that Trinidad and Tobago's proposal was welcome."),
    ("OAS members must act.", "stated that OAS members must act."),
    ("I think the text is ready.", "thought the text was ready."),
])
def test_reported_speech_keeps_capitals_only_for_names(said, reported):
    assert third_person(said, "The delegation of Brazil", ["Brazil"]) == f"The delegation of Brazil {reported}"
