"""Loaded (via PYTHONPATH) into a `rapporteur` process that a test will kill -9 mid-write.

With ``RAPPORTEUR_KILL_AT=<artifact file name>``, the write of that artifact stops halfway: half
its bytes are in a temp file beside it, as a real atomic write would leave them, then the process
touches ``RAPPORTEUR_KILL_READY`` and waits to be killed.
"""

import importlib.abc
import importlib.machinery
import os
import sys
import time

TARGET = os.environ.get("RAPPORTEUR_KILL_AT")
READY = os.environ.get("RAPPORTEUR_KILL_READY")


class _PatchArtifacts(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name != "pipeline.artifacts":
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        run = spec.loader.exec_module

        def exec_module(module):
            run(module)
            original = module.atomic_write_bytes

            def paused(path, data):
                if path.name == TARGET:
                    with open(path.with_name(f".{path.name}.killed.tmp"), "wb") as handle:
                        handle.write(data[: len(data) // 2])
                    open(READY, "w").close()
                    time.sleep(600)
                return original(path, data)

            module.atomic_write_bytes = paused

        spec.loader.exec_module = exec_module
        return spec


if TARGET and READY:
    sys.meta_path.insert(0, _PatchArtifacts())
