"""Loaded (via PYTHONPATH) into a `rapporteur` process that a test will kill -9 at a known point.

With ``RAPPORTEUR_KILL_AT=<artifact file name>``, the write of that artifact stops halfway: half
its bytes are in a temp file beside it, as a real atomic write would leave them, then the process
touches ``RAPPORTEUR_KILL_READY`` and waits to be killed.

With ``RAPPORTEUR_KILL_AFTER_CHUNKS=N``, transcription stops once its checkpoint holds N decoded
chunks (language records not counted), each already flushed to disk, then touches the ready file
and waits. A test that polls the checkpoint instead races batched decoding, which writes a
batch's chunks moments apart and deletes the checkpoint moments later.

With ``RAPPORTEUR_KILL_AFTER_CALL=<module>:<function>`` (e.g. ``pipeline.stages.diarize:diarize``),
the process waits to be killed as soon as that function has returned once: mid-stage, its
result computed and nothing of it written.
"""

import importlib.abc
import importlib.machinery
import os
import sys
import time

TARGET = os.environ.get("RAPPORTEUR_KILL_AT")
AFTER_CHUNKS = int(os.environ.get("RAPPORTEUR_KILL_AFTER_CHUNKS") or 0)
AFTER_CALL = os.environ.get("RAPPORTEUR_KILL_AFTER_CALL")
READY = os.environ.get("RAPPORTEUR_KILL_READY")


def _wait_to_be_killed() -> None:
    open(READY, "w").close()
    time.sleep(600)


def _patch_artifacts(module) -> None:
    original = module.atomic_write_bytes

    def paused(path, data):
        if path.name == TARGET:
            with open(path.with_name(f".{path.name}.killed.tmp"), "wb") as handle:
                handle.write(data[: len(data) // 2])
            _wait_to_be_killed()
        return original(path, data)

    module.atomic_write_bytes = paused


def _patch_transcribe(module) -> None:
    original = module.Checkpoint.add
    written = []

    def add(self, record):
        original(self, record)
        if record.get("kind") != "language":
            written.append(record)
            if len(written) == AFTER_CHUNKS:
                _wait_to_be_killed()

    module.Checkpoint.add = add


def _patch_call(function_name):
    def patch(module):
        original = getattr(module, function_name)

        def called(*args, **kwargs):
            result = original(*args, **kwargs)
            _wait_to_be_killed()
            return result

        setattr(module, function_name, called)

    return patch


PATCHES = {}
if TARGET:
    PATCHES["pipeline.artifacts"] = _patch_artifacts
if AFTER_CHUNKS:
    PATCHES["pipeline.stages.transcribe"] = _patch_transcribe
if AFTER_CALL:
    PATCHES[AFTER_CALL.split(":")[0]] = _patch_call(AFTER_CALL.split(":")[1])


class _Patch(importlib.abc.MetaPathFinder):
    """Patches each module of ``PATCHES`` right after it is first executed."""

    def find_spec(self, name, path, target=None):
        if name not in PATCHES:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        run, patch = spec.loader.exec_module, PATCHES.pop(name)
        if not PATCHES:
            sys.meta_path.remove(self)

        def exec_module(module):
            run(module)
            patch(module)

        spec.loader.exec_module = exec_module
        return spec


if PATCHES and READY:
    sys.meta_path.insert(0, _Patch())
