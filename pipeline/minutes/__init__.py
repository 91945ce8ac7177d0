"""The minutes as documents: Markdown, HTML, Word, JSON and subtitles from one structure
(:mod:`~pipeline.minutes.render`, templates in ``prompts/``), and the optional wording of the points
by a language model, checked against the recording (:mod:`~pipeline.minutes.llm`)."""
