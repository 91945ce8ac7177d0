"""Loaded by every Python process of a test run that puts this folder on PYTHONPATH.

Records each socket connection and host lookup to ``$RAPPORTEUR_NET_LOG`` (one JSON line each),
so a test can assert that a run never reached past loopback. Python's audit hooks see every
``socket.connect`` and ``socket.getaddrinfo``, whichever library makes them.
"""

import json
import os
import sys

_LOG = os.environ.get("RAPPORTEUR_NET_LOG")


def _hook(event, args):
    if event not in ("socket.connect", "socket.getaddrinfo"):
        return
    try:
        if event == "socket.connect":
            sock, address = args
            record = {"event": event, "family": int(sock.family), "address": repr(address)}
        else:
            record = {"event": event, "host": repr(args[0]), "port": repr(args[1])}
        with open(_LOG, "a") as handle:
            handle.write(json.dumps(record) + "\n")
    except Exception:  # never break the process being audited
        pass


if _LOG:
    sys.addaudithook(_hook)
