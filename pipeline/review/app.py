"""``rapporteur review RUN_DIR``: the review page, a small local web app over :mod:`pipeline.review.layer`.

Security, because transcripts and specs come from outside and the page can change a run:

- bound to 127.0.0.1 unless told otherwise; the Host header must name the address served (a
  DNS-rebinding page cannot reach it);
- an access token, always: the printed address carries it once, the server swaps it for an
  HttpOnly, SameSite=Strict cookie; every request needs the cookie;
- a state-changing request also needs the token in a header (which another site's form cannot
  set), a same-origin ``Origin`` when the browser sends one, and a JSON body;
- everything from the recording is escaped (server-side templates, ``textContent`` in the
  script), and the Content-Security-Policy allows scripts from this server only.
"""

from __future__ import annotations

import hmac
import secrets
import threading
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from pipeline import artifacts as A
from pipeline.artifacts import WorkDir, utterance_key
from pipeline.artifacts import LayerUnreadable
from pipeline.review.layer import ConflictsPending, EditConflict, Review, ReviewError, iter_points

WEB = Path(__file__).resolve().parent / "web"
COOKIE = "rapporteur_review"
PAGE_SIZE = 200
MAX_BODY = 64 * 1024
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; media-src 'self'; "
                               "img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


class _Transcripts:
    """transcript.json parsed once per version of the file (a three-hour one is megabytes)."""

    def __init__(self, review: Review):
        self.review, self.key, self.data = review, None, None
        self.lock = threading.Lock()

    def get(self) -> dict:
        path = self.review.work.path(A.TRANSCRIPT)
        if not path.is_file():  # a re-run in progress (stages remove their outputs first)
            raise ReviewError("this run has no transcript right now; wait for `rapporteur` to finish")
        stat = path.stat()
        key = (stat.st_mtime_ns, stat.st_size)
        with self.lock:
            if key != self.key:
                data = self.review.transcript()
                rows = []
                for u in data["utterances"]:
                    row = {k: u[k] for k in ("start", "end", "speaker", "attribution", "confidence",
                                             "review", "text", "language", "item", "block")}
                    row["key"] = utterance_key(u["start"])
                    row["corrected"] = bool(u.get("evidence")) and u["evidence"][0]["kind"] == "rapporteur"
                    rows.append(row)
                self.data = {"meeting_id": data["meeting_id"], "duration": data["duration"], "rows": rows}
                self.key = key
            return self.data


def _refuse(status: int, message: str) -> Response:
    return JSONResponse({"error": message}, status_code=status, headers=HEADERS)


class _Access:
    """Who may read and who may change the run (the module's security rules, in one place)."""

    def __init__(self, token: str, host: str, port: int):
        self.token = token
        self.hosts = {f"{host}:{port}", f"[{host}]:{port}"}
        if host in LOOPBACK:
            self.hosts |= {f"{name}:{port}" for name in ("127.0.0.1", "localhost", "[::1]")}

    def denied(self, request: Request, write: bool) -> Response | None:
        """The refusal for a request that may not go on, or None."""
        if request.headers.get("host", "") not in self.hosts:
            return _refuse(403, "unexpected Host header")
        if not hmac.compare_digest(request.cookies.get(COOKIE, ""), self.token):
            return _refuse(401, "open the address printed by `rapporteur review` (it carries the access token)")
        if write:
            if not hmac.compare_digest(request.headers.get("x-rapporteur-token", ""), self.token):
                return _refuse(403, "missing or wrong X-Rapporteur-Token header")
            origin = request.headers.get("origin")
            if origin is not None and origin.split("://", 1)[-1] != request.headers["host"]:
                return _refuse(403, "cross-origin request refused")
            if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
                return _refuse(403, "cross-site request refused")
            if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
                return _refuse(415, "send JSON")
        return None

    def login(self, request: Request, given: str) -> Response:
        """The printed address's token swapped for the cookie (and the address without it)."""
        if request.headers.get("host", "") not in self.hosts or not hmac.compare_digest(given, self.token):
            return _refuse(401, "wrong access token")
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(COOKIE, self.token, httponly=True, samesite="strict", path="/")
        response.headers.update(HEADERS)
        return response


def _guarded(access: _Access, author: str, handler, write: bool = False):
    """An endpoint: the access check, the JSON body (a write's), the handler off the event loop,
    and the review layer's errors as HTTP statuses."""
    async def endpoint(request: Request) -> Response:
        denied = access.denied(request, write)
        if denied is not None:
            return denied
        try:
            body = {}
            if write:
                raw = await request.body()
                if len(raw) > MAX_BODY:
                    return _refuse(413, "request too large")
                import json

                body = json.loads(raw or b"{}")
                if not isinstance(body, dict):
                    return _refuse(400, "send a JSON object")
                body.setdefault("author", author)
            response = await _in_thread(handler, request, body)
        except (ConflictsPending, EditConflict) as exc:
            return _refuse(409, str(exc))
        except LayerUnreadable as exc:  # the rapporteur's work is in it: say so, reset nothing
            return _refuse(500, str(exc))
        except (ReviewError, ValueError, KeyError) as exc:
            return _refuse(400, str(exc) or type(exc).__name__)
        response.headers.update(HEADERS)
        return response
    return endpoint


def _stages_of(results) -> dict:
    return {r.name: r.status for r in results}


class _Handlers:
    """What each address of the page does with the run: read its state, change it, re-draft."""

    def __init__(self, work: WorkDir, author: str):
        from pipeline.minutes import render

        self.work, self.author, self.render = work, author, render
        self.review = Review(work)
        self.transcripts = _Transcripts(self.review)
        self.env = render.environment(True)
        self.env.loader.searchpath.append(str(WEB))

    def page(self, token: str) -> Response:
        page = self.env.get_template("review.html").render(token=token,
                                                            meeting_id=self.transcripts.get()["meeting_id"])
        return HTMLResponse(page, headers=HEADERS)

    def state(self, request: Request, body: dict) -> Response:
        review, data = self.review, self.transcripts.get()
        minutes, conflicts = review.reviewed()
        rows = data["rows"]
        fixed = review.corrections().speakers
        speakers = [{"id": s, "label": label, "corrected": s in fixed,
                     "seconds": round(sum(r["end"] - r["start"] for r in rows if r["speaker"] == s), 1)}
                    for s, label in review.speaker_labels(rows).items()]
        return JSONResponse({
            "meeting_id": data["meeting_id"], "duration": data["duration"], "labels": review.labels(),
            "speakers": speakers, "utterances": len(rows), "flagged": sum(r["review"] for r in rows),
            "page_size": PAGE_SIZE, "minutes_html": self.render.html_body(minutes, "/audio"),
            "conflicts": [c.__dict__ for c in conflicts], "journal": review.journal(limit=50)[::-1],
            # what the page shows of each point, sent back with an edit (version check, base)
            "points": {p["id"]: {"version": p.get("edited", {}).get("version", 0), "draft": p.get("draft_text", p["text"])}
                       for p in iter_points(minutes)},
            "author": self.author,
        })

    def utterances(self, request: Request, body: dict) -> Response:
        rows = self.transcripts.get()["rows"]
        limit = max(1, min(int(request.query_params.get("limit", PAGE_SIZE)), 1000))
        if "at" in request.query_params:
            at = float(request.query_params["at"])
            index = next((i for i, r in enumerate(rows) if r["end"] > at), max(0, len(rows) - 1))
            offset = index - index % limit
        else:
            offset = max(0, int(request.query_params.get("offset", 0)))
        return JSONResponse({"offset": offset, "total": len(rows), "rows": rows[offset:offset + limit]})

    def timeline(self, request: Request, body: dict) -> Response:
        """Every turn as [start, end, speaker, label, flagged]: compact enough for three hours."""
        data = self.transcripts.get()
        return JSONResponse({"duration": data["duration"],
                             "turns": [[round(r["start"], 2), round(r["end"], 2), r["speaker"], r["attribution"],
                                        bool(r["review"])] for r in data["rows"]]})

    def audio(self, request: Request, body: dict) -> Response:
        return FileResponse(self.work.path(A.AUDIO), media_type="audio/wav")  # honours Range requests

    def relabel(self, request: Request, body: dict) -> Response:
        self.review.relabel(str(body["scope"]), str(body["target"]), str(body["label"]), str(body["author"]))
        return JSONResponse({"ok": True, "stages": _stages_of(self.review.redraft(str(body["author"])))})

    def edit(self, request: Request, body: dict) -> Response:
        version, base = body.get("version"), body.get("base")
        saved = self.review.edit(str(body["point"]), str(body["text"]), str(body["author"]),
                                 version=None if version is None else int(version),
                                 base=None if base is None else str(base))
        return JSONResponse({"ok": True, "version": saved.version})

    def resolve(self, request: Request, body: dict) -> Response:
        self.review.resolve(str(body["point"]), str(body["keep"]), str(body["author"]))
        return JSONResponse({"ok": True})

    def redraft(self, request: Request, body: dict) -> Response:
        return JSONResponse({"ok": True, "stages": _stages_of(self.review.redraft(str(body["author"])))})

    def export(self, request: Request, body: dict) -> Response:
        data = self.review.export(request.query_params.get("author") or self.author)
        name = f"minutes-{self.work.root.name}-reviewed.docx".replace('"', "")
        return Response(data, media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})

    def static(self, request: Request, body: dict) -> Response:
        name = request.path_params["name"]
        if name not in ("review.js", "review.css"):
            return _refuse(404, "not found")
        media = "text/javascript" if name.endswith(".js") else "text/css"
        return FileResponse(WEB / name, media_type=media)


def create_app(run_dir: Path, token: str, host: str, port: int, author: str) -> Starlette:
    """The review page's app: :class:`_Handlers` behind :class:`_Access` at each address."""
    import pipeline.engine.runner  # noqa: F401  (its imports take ~0.3 s: at start, not in the first request)

    access = _Access(token, host, port)
    handlers = _Handlers(WorkDir(Path(run_dir)), author)

    async def index(request: Request) -> Response:
        given = request.query_params.get("token")
        if given is not None:
            return access.login(request, given)
        denied = access.denied(request, False)
        return denied if denied is not None else handlers.page(token)

    read = lambda handler: _guarded(access, author, handler)  # noqa: E731
    write = lambda handler: _guarded(access, author, handler, write=True)  # noqa: E731
    routes = [
        Route("/", index), Route("/api/state", read(handlers.state)),
        Route("/api/utterances", read(handlers.utterances)), Route("/api/timeline", read(handlers.timeline)),
        Route("/audio", read(handlers.audio)), Route("/export.docx", read(handlers.export)),
        Route("/static/{name}", read(handlers.static)),
        Route("/api/relabel", write(handlers.relabel), methods=["POST"]),
        Route("/api/edit", write(handlers.edit), methods=["POST"]),
        Route("/api/resolve", write(handlers.resolve), methods=["POST"]),
        Route("/api/redraft", write(handlers.redraft), methods=["POST"]),
    ]
    return Starlette(routes=routes)


async def _in_thread(handler, request, body):
    """Handlers read and write files: run them off the event loop."""
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(handler, request, body)


def serve(run_dir: Path, host: str = "127.0.0.1", port: int = 8765, author: str = "",
          token: str | None = None) -> None:
    """Serve the review page until interrupted; prints the address to open (with its token)."""
    import uvicorn

    work = WorkDir(Path(run_dir))
    review = Review(work)
    review.draft()  # refuse a run without a draft before listening
    token = token or secrets.token_urlsafe(24)
    app = create_app(work.root, token, host, port, author)
    shown = f"[{host}]" if ":" in host else host
    print(f"review: http://{shown}:{port}/?token={token}", flush=True)
    uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False)).run()
