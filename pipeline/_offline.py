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
}

for _key, _value in OFFLINE_ENV.items():
    os.environ.setdefault(_key, _value)
