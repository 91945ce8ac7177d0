"""rapporteur: meeting recording -> attributed transcript -> draft minutes.

One module per stage (ingest, transcribe, diarize, merge, attribute, align, draft); ``artifacts``
holds the records passed between them and the files they live in; ``stages`` lists the stages.
"""

from pipeline import _offline  # noqa: F401  (must run before any third-party import)

__version__ = "0.1.0"
