# The two commands of the README's Quickstart.
SAMPLE := audio_samples/cp-csh-1942

.PHONY: install demo test benchmark sample

install:
	@scripts/install.sh

# Install, then run the embedded sample meeting end to end and score it.
demo: install
	.venv/bin/rapporteur run $(SAMPLE)/meeting.yaml --out runs/sample
	.venv/bin/rapporteur evaluate runs/sample $(SAMPLE)/truth.json

# Install, then run the whole test suite (real models on real audio, a real Prefect flow).
test: install
	.venv/bin/python -m pytest -q

benchmark: install
	.venv/bin/python benchmarks/run_samples.py
	.venv/bin/python benchmarks/review_page.py

# Re-render the sample's MP3 and truth from its script (espeak-ng + sox).
sample: install
	.venv/bin/python audio_samples/generate.py $(SAMPLE)
