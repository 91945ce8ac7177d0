"""Telling someone: a JSON POST to the secretariat's webhook when a draft is ready or a run fails.

A webhook is what chat tools (Teams, Slack, Mattermost) and mail gateways accept; Prefect's own
automations can do the same from the server's side (see README). A notification that cannot be
delivered is logged, never fails the run it reports on.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request

log = logging.getLogger("rapporteur.notify")


def notify(webhook: str | None, payload: dict, attempts: int = 3, timeout: float = 10.0) -> bool:
    """POST ``payload`` as JSON to ``webhook``; True when the receiver answered 2xx."""
    if not webhook:
        return False
    if urllib.parse.urlparse(webhook).scheme not in ("http", "https"):
        log.warning("notify: %r is not an http(s) address; not sent", webhook)
        return False
    from pipeline.minutes.render import plain

    body = json.dumps(plain(payload), ensure_ascii=False).encode()  # names from a spec: no controls
    for attempt in range(attempts):
        request = urllib.request.Request(webhook, data=body, method="POST",
                                         headers={"Content-Type": "application/json", "User-Agent": "rapporteur"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                if 200 <= response.status < 300:
                    return True
        except urllib.error.HTTPError as exc:
            if exc.code < 500:
                log.warning("notify: %s answered HTTP %s; not retried", webhook, exc.code)
                return False
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            log.warning("notify: %s: %s", webhook, exc)
        time.sleep(2 ** attempt)
    log.warning("notify: gave up on %s after %d attempts", webhook, attempts)
    return False
