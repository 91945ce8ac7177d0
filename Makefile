# The two commands of the README's Quickstart.
SAMPLE := audio_samples/cp-csh-1942

.PHONY: install install-test demo test benchmark sample

# The runtime only (what `make demo` needs).
install:
	@scripts/install.sh

# The runtime and what the tests need (a browser, LibreOffice, llama.cpp's server).
install-test:
	@scripts/install.sh --test

# Install, then run the embedded sample meeting end to end and score it.
demo: install
	.venv/bin/rapporteur run $(SAMPLE)/meeting.yaml --out runs/sample
	.venv/bin/rapporteur evaluate runs/sample $(SAMPLE)/truth.json

# Install, then run the whole test suite (real models on real audio, a real Prefect flow).
test: install-test
	.venv/bin/python -m pytest -q

benchmark: install-test
	.venv/bin/python benchmarks/run_samples.py
	.venv/bin/python benchmarks/review_page.py

# Re-render the sample's MP3 and truth from its script (espeak-ng + sox).
sample: install
	.venv/bin/python audio_samples/generate.py $(SAMPLE)
