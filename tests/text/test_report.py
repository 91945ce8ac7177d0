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


@pytest.mark.parametrize("said, reported", [
    ("What share of the funding has actually been spent in rural communities?",
     "Ms. Fraser asked what share of the funding had actually been spent in rural communities."),
    ("Why were the targets lowered in the latest plan?", "Ms. Fraser asked why the targets were lowered in the latest plan."),
    ("Minister, how many new inspectors will be hired under this plan?",
     "Ms. Fraser asked how many new inspectors would be hired under this plan."),
    ("How will small businesses be consulted?", "Ms. Fraser asked how small businesses would be consulted."),
    ("Will the department publish the evaluation?", "Ms. Fraser asked whether the department would publish the evaluation."),
    ("Has the department assessed the impact on our communities?",
     "Ms. Fraser asked whether the department had assessed the impact on their communities."),
    ("Can you tell the committee why the program was delayed by two years?",
     "Ms. Fraser asked why the program was delayed by two years."),
    ("What is the timeline?", "Ms. Fraser asked what the timeline was."),
    # what cannot be turned around without a parser is quoted as said, never garbled
    ("Why did the department lower the targets?", "Ms. Fraser asked: \u201cWhy did the department lower the targets?\u201d"),
    ("Why were the target's law of invalidist plan?", "Ms. Fraser asked: \u201cWhy were the target's law of invalidist plan?\u201d"),
])
def test_questions_are_reported_as_asked(said, reported):
    """A question is reported with "asked" (and "whether" for yes or no), its subject and
    auxiliary in the order of a statement: "stated that why were the targets lowered" was the
    draft before."""
    assert third_person(said, "Ms. Fraser", ["Sofia Fraser"], group=False) == reported
