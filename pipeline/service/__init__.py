"""The secretariat's service around single runs: finding new recordings
(:mod:`~pipeline.service.intake`), remembering which were processed (:mod:`~pipeline.service.ledger`)
and telling people when a draft is ready or a run failed (:mod:`~pipeline.service.notify`)."""
