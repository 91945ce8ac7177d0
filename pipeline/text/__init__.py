"""The language of the meeting, shared by several stages and owned by none: names and member
states (:mod:`~pipeline.text.roster`), the chair's floor cues (:mod:`~pipeline.text.cues`), how
items and blocks are announced (:mod:`~pipeline.text.agenda`), the words and sentences of an
utterance (:mod:`~pipeline.text.utterances`) and reported speech (:mod:`~pipeline.text.report`).
Pure functions of text and data classes: no model, no file."""
