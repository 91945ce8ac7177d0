"""The rapporteur's review of a draft: the review layer on disk (edits, speaker corrections and
their journal, :mod:`~pipeline.review.layer`) and the local web page (:mod:`~pipeline.review.app`,
``web/``). A confirmed voice goes to the voice bank (:mod:`pipeline.voices`), which later meetings'
attribution reads."""
