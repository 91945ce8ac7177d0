"""Switch off every phone-home of the libraries we use, before any of them is imported.

Imported first by ``pipeline/__init__.py``. Values already set by the user win (``setdefault``),
so a user who opts in to a hub download can say so with ``HF_HUB_OFFLINE=0``.
"""

import os

OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "PYANNOTE_METRICS_ENABLED": "0",
    "ORT_DISABLE_TELEMETRY": "1",
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_UI_ENABLED": "false",
    "PREFECT_LOGGING_EXTRA_LOGGERS": "rapporteur",
}

for _key, _value in OFFLINE_ENV.items():
    os.environ.setdefault(_key, _value)

# Noise that says nothing to a user: Resemblyzer's webrtcvad imports the deprecated
# pkg_resources, and Lightning announces that it upgraded the 2.x checkpoint in memory.
import logging as _logging  # noqa: E402
import warnings as _warnings  # noqa: E402

_warnings.filterwarnings("ignore", message=".*pkg_resources is deprecated.*")
_warnings.filterwarnings("ignore", module="pyannote.audio.core.io")
_logging.getLogger("lightning.pytorch.utilities.migration.utils").setLevel(_logging.WARNING)
