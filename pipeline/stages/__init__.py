"""The ten stages of a meeting, one module each, in the order they run:

1. :mod:`~pipeline.stages.ingest` the recording, fetched and decoded to 16 kHz mono;
2. :mod:`~pipeline.stages.transcribe` words with times and language (faster-whisper);
3. :mod:`~pipeline.stages.diarize` who spoke when (pyannote.audio);
4. :mod:`~pipeline.stages.merge` words grouped into per-speaker utterances;
5. :mod:`~pipeline.stages.relisten` utterances in a language their voice does not speak, and names
   misheard in floor calls, heard again;
6. :mod:`~pipeline.stages.voiceprint` a speaker embedding of every sentence;
7. :mod:`~pipeline.stages.translate` English renderings of the other languages' statements;
8. :mod:`~pipeline.stages.attribute` each turn to a delegation or official;
9. :mod:`~pipeline.stages.align` each turn to its item and block of the order of business;
10. :mod:`~pipeline.stages.draft` the minutes.

A stage module holds the computation only: it reads and returns the data classes of
:mod:`pipeline.artifacts`. Where each stage's files live, when it reruns and in what order the
stages run is the engine's (:mod:`pipeline.engine.registry`). Stages import downward only
(:mod:`pipeline.text`, :mod:`pipeline.artifacts`, :mod:`pipeline.spec`, :mod:`pipeline.models`).
"""
