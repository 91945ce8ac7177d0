"""The rapporteur's layer over a run: corrected speakers, edited sentences, and who did what.

Nothing here is a stage output, so no re-run overwrites it (see :mod:`pipeline.artifacts`):

- **corrections** (``review/corrections.json``): a voice or one turn relabelled; an input of the
  attribute stage, so :meth:`Review.redraft` re-attributes, re-aligns and re-drafts from them;
- **edits** (``review/edits.json``): a point's text as the rapporteur rewrote it, with the draft
  text it was written against (``base``) and a version number. Applied over every new draft: if
  the draft's text of that point is still ``base`` the edit applies; if the draft changed, both
  are shown as a :class:`Conflict` until the rapporteur chooses; the edit is never dropped silently;
- **journal** (``review/journal.jsonl``): every change, with author, time, before and after;
  what :meth:`Review.recover` rebuilds the other two from when one is unreadable.

Several reviewers may work on one run at once, from one review server or several: every change
is made under a lock on ``review/.lock`` held across processes, and an edit carries the version
of the point the page showed, so the second of two writers is told (:class:`EditConflict`)
instead of overwriting the first.
"""

from __future__ import annotations

import copy
import datetime as dt
import fcntl
import json
import os
import threading
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Iterator, Optional

from pipeline import artifacts as A
from pipeline.artifacts import Corrections, WorkDir, utterance_key
from pipeline.errors import UserError

EDITABLE = ("remarks", "requests", "points", "closing_points", "decisions")  # presenters are names, not sentences
MAX_TEXT = 5000
MAX_AUTHOR = 80


class ReviewError(UserError, ValueError):
    """A request the review layer refuses (unknown point, label not on the roster, ...)."""


class ConflictsPending(ReviewError):
    pass


class EditConflict(ReviewError):
    """Someone saved this point after the page was loaded: the second writer reloads, not overwrites."""


@dataclass
class Edit:
    point: str
    text: str
    base: str  # the draft's text of the point when the rapporteur edited it
    author: str
    at: str
    version: int = 1


@dataclass
class Conflict:
    """A point the draft changed after the rapporteur edited it: both texts are kept."""

    point: str
    mine: str
    draft: Optional[str]  # None: the new draft no longer has this point
    base: str
    author: str


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def iter_points(minutes: dict, editable_only: bool = True) -> Iterator[dict]:
    """Every point of ``minutes.json`` (dicts, so callers may change them in place)."""
    for item in minutes["items"]:
        for key in EDITABLE:
            yield from item.get(key, [])
        for block in item["blocks"]:
            if not editable_only:
                yield from block["presenters"]
            yield from block["points"]


LOCK = "review/.lock"


def _edits_from(data: dict) -> dict[str, "Edit"]:
    points = data["points"]
    if not isinstance(points, dict):
        raise ValueError("'points' is not a map")
    edits = {point: Edit(**fields) for point, fields in points.items()}
    for edit in edits.values():
        if not all(isinstance(getattr(edit, f), str) for f in ("point", "text", "base", "author", "at")) \
                or not isinstance(edit.version, int):
            raise ValueError(f"edit of {edit.point!r} is malformed")
    return edits


def _clean_author(author: str) -> str:
    author = " ".join(str(author or "").split())[:MAX_AUTHOR]
    return author or "unknown"


class Review:
    """One work folder's review state. Methods are safe to call from several request threads."""

    _locks: dict[str, threading.Lock] = {}

    def __init__(self, work: WorkDir):
        self.work = work
        self._thread_lock = self._locks.setdefault(str(work.root), threading.Lock())

    @contextmanager
    def lock(self) -> Iterator[None]:
        """This run's review layer, for one change at a time: threads of this process, and other
        processes (a second review server, a ``rapporteur export``) by ``flock`` on ``review/.lock``."""
        path = self.work.path(LOCK)
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._thread_lock, open(path, "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    # ---- reading -------------------------------------------------------------------------
    def corrections(self) -> Corrections:
        return A.load_layer(self.work, A.CORRECTIONS, Corrections.from_json, Corrections)

    def edits(self) -> dict[str, Edit]:
        return A.load_layer(self.work, A.EDITS, _edits_from, dict)

    def journal(self, limit: int | None = None) -> list[dict]:
        if not self.work.exists(A.JOURNAL):
            return []
        lines = self.work.read_text(A.JOURNAL).splitlines()
        entries = []
        for line in lines[-limit:] if limit else lines:
            try:
                entries.append(json.loads(line))
            except ValueError:
                continue
        return entries

    def draft(self) -> dict:
        if not self.work.exists(A.MINUTES_JSON):
            raise ReviewError("this run has no draft yet; run `rapporteur run` first")
        return self.work.read_json(A.MINUTES_JSON)

    def transcript(self) -> dict:
        if not self.work.exists(A.TRANSCRIPT):
            raise ReviewError("this run has no transcript yet; run `rapporteur run` first")
        return self.work.read_json(A.TRANSCRIPT)

    def reviewed(self) -> tuple[dict, list[Conflict]]:
        """The draft with every edit applied, and the edits in conflict with it.

        A point in conflict shows the rapporteur's text (``edited``/``conflict`` set on it), so
        what they wrote is what they see until they choose.
        """
        minutes = copy.deepcopy(self.draft())
        edits = self.edits()
        conflicts, placed = [], set()
        for point in iter_points(minutes):
            edit = edits.get(point["id"])
            if edit is None:
                continue
            placed.add(edit.point)
            point["draft_text"] = point["text"]
            point["edited"] = {"author": edit.author, "at": edit.at, "version": edit.version}
            if point["text"] != edit.base:
                point["conflict"] = True
                conflicts.append(Conflict(edit.point, edit.text, point["text"], edit.base, edit.author))
            point["text"] = edit.text
        for edit in edits.values():
            if edit.point not in placed:
                conflicts.append(Conflict(edit.point, edit.text, None, edit.base, edit.author))
        return minutes, conflicts

    def speaker_labels(self, utterances: list[dict] | None = None) -> dict[str, Optional[str]]:
        """Each diarized voice's label now: the rapporteur's if corrected, else the commonest.
        ``utterances``: the transcript's, when the caller has them parsed already."""
        counts: dict[str, dict[Optional[str], float]] = {}
        for u in utterances if utterances is not None else self.transcript()["utterances"]:
            votes = counts.setdefault(u["speaker"], {})
            votes[u["attribution"]] = votes.get(u["attribution"], 0.0) + u["end"] - u["start"]
        fixed = self.corrections().speakers
        return {s: fixed.get(s) or max(v, key=v.get) for s, v in sorted(counts.items())}

    # ---- changing ------------------------------------------------------------------------
    def _log(self, action: str, author: str, target: str, before, after, **more) -> None:
        entry = {"at": _now(), "author": author, "action": action, "target": target,
                 "before": before, "after": after, **more}
        self.work.append_line(A.JOURNAL, json.dumps(entry, ensure_ascii=False))

    def labels(self) -> list[str]:
        """Every label this meeting's roster allows (read-only: no run is reopened)."""
        from pipeline.engine.runner import recorded_spec

        return recorded_spec(self.work.root).roster_labels()

    def relabel(self, scope: str, target: str, label: str, author: str) -> None:
        """Attribute every turn of voice ``target`` (scope "speaker") or the one turn starting at
        ``target`` (scope "utterance", an :func:`utterance_key`) to ``label``."""
        author = _clean_author(author)
        labels = self.labels()
        if label not in labels:
            raise ReviewError(f"{label!r} is not on this meeting's roster")
        utterances = self.transcript()["utterances"]
        with self.lock():
            corrections = self.corrections()
            if scope == "speaker":
                if target not in {u["speaker"] for u in utterances}:
                    raise ReviewError(f"no voice {target!r} in this run")
                before = self.speaker_labels(utterances).get(target)
                corrections.speakers[target] = label
            elif scope == "utterance":
                match = [u for u in utterances if utterance_key(u["start"]) == target]
                if not match:
                    raise ReviewError(f"no utterance starts at {target}")
                before = match[0]["attribution"]
                corrections.utterances[target] = label
            else:
                raise ReviewError(f"scope must be 'speaker' or 'utterance', not {scope!r}")
            self.work.write_json(A.CORRECTIONS, corrections)
            self._log(f"relabel-{scope}", author, target, before, label)
        if scope == "speaker":
            from pipeline.voices import confirm

            confirm(self.work, self.transcript()["meeting_id"], target, label, author)

    def edit(self, point: str, text: str, author: str, version: int | None = None,
             base: str | None = None) -> Edit:
        """Keep ``text`` as the rapporteur's version of ``point``, over this and later drafts.

        ``version``: the point's edit version the page showed (0: not edited); if someone saved
        since, :class:`EditConflict`. ``base``: the draft's text the page showed; if a re-draft
        changed the point since, the edit is kept against what the page showed, so it appears as
        a conflict with the new draft instead of silently replacing it."""
        author = _clean_author(author)
        text = " ".join(str(text).split())
        if not text:
            raise ReviewError("an edit cannot be empty (to drop a point, write why)")
        if len(text) > MAX_TEXT:
            raise ReviewError(f"an edit is limited to {MAX_TEXT} characters")
        current = {p["id"]: p["text"] for p in iter_points(self.draft())}
        with self.lock():
            edits = self.edits()
            previous = edits.get(point)
            if point not in current and previous is None:
                raise ReviewError(f"no point {point!r} in the draft")
            now = previous.version if previous else 0
            if version is not None and int(version) != now:
                who = f" by {previous.author} at {previous.at}" if previous else " (the edit was withdrawn)"
                raise EditConflict(f"point {point} was changed{who} after this page was loaded; "
                                   "reload to see that text, then edit again")
            # Editing again keeps the first base: rewriting a point in conflict does not settle it.
            base = previous.base if previous else (base if base is not None else current[point])
            edit = Edit(point=point, text=text, base=base, author=author, at=_now(), version=now + 1)
            edits[point] = edit
            self._save_edits(edits)
            self._log("edit", author, point, previous.text if previous else current.get(point), text, base=base)
        return edit

    def resolve(self, point: str, keep: str, author: str) -> None:
        """Settle a conflict: keep the rapporteur's text ("mine") or take the new draft's ("draft")."""
        author = _clean_author(author)
        current = {p["id"]: p["text"] for p in iter_points(self.draft())}
        with self.lock():
            edits = self.edits()
            if point not in edits:
                raise ReviewError(f"no edit of point {point!r}")
            edit = edits[point]
            if keep == "mine":
                if point not in current:
                    raise ReviewError("this point is no longer in the draft; take the draft or re-draft")
                edits[point] = Edit(point, edit.text, current[point], author, _now(), edit.version + 1)
                settled = current[point]
            elif keep == "draft":
                del edits[point]
            else:
                raise ReviewError(f"keep must be 'mine' or 'draft', not {keep!r}")
            self._save_edits(edits)
            self._log(f"resolve-{keep}", author, point, edit.text, current.get(point) if keep == "draft" else edit.text,
                      **({"base": settled} if keep == "mine" else {}))

    def _save_edits(self, edits: dict[str, Edit]) -> None:
        self.work.write_json(A.EDITS, {"points": {k: asdict(v) for k, v in sorted(edits.items())}})

    def redraft(self, author: str = "") -> list:
        """Attribute, align and draft again from the corrections (sub-second); earlier stages
        must be done: a re-draft never starts a transcription."""
        from pipeline.engine.runner import Manifest, reopen, run_stage
        from pipeline.engine.registry import REDRAFT, STAGE_NAMES, get_stage

        ctx = reopen(self.work.root)
        manifest = Manifest(ctx.work, ctx.spec.meeting.id)
        for needed in STAGE_NAMES[1:STAGE_NAMES.index(REDRAFT[0])]:
            if manifest.entry(needed).get("status") != "done":
                raise ReviewError(f"stage {needed} is not done; run `rapporteur reprocess` first")
        with self.lock():
            results = [run_stage(ctx, get_stage(name)) for name in REDRAFT]
            self._log("redraft", _clean_author(author), "minutes", None,
                      {r.name: r.status for r in results})
        return results

    def recover(self, author: str = "") -> list[str]:
        """Set aside each unreadable file of the layer (kept as ``<name>.corrupt-<time>``) and
        rebuild it from the journal, which records every change; returns what was done. A
        readable file is left as it is."""
        author = _clean_author(author)
        done = []
        with self.lock():
            for name, read, rebuild in ((A.CORRECTIONS, self.corrections, self._replay_corrections),
                                        (A.EDITS, self.edits, self._replay_edits)):
                try:
                    read()
                    continue
                except A.LayerUnreadable:
                    pass
                path = self.work.path(name)
                aside = path.with_name(f"{path.name}.corrupt-{time.strftime('%Y%m%dT%H%M%S')}")
                os.replace(path, aside)
                count = rebuild()
                self._log("recover", author, name, aside.name, count)
                done.append(f"{name}: kept the unreadable file as {aside.name}; rebuilt from the journal "
                            f"({count} {'labels' if name == A.CORRECTIONS else 'edited points'})")
        return done

    def _replay_corrections(self) -> int:
        corrections = Corrections()
        for entry in self.journal():
            if entry.get("action") == "relabel-speaker":
                corrections.speakers[str(entry["target"])] = str(entry["after"])
            elif entry.get("action") == "relabel-utterance":
                corrections.utterances[str(entry["target"])] = str(entry["after"])
        self.work.write_json(A.CORRECTIONS, corrections)
        return len(corrections.speakers) + len(corrections.utterances)

    def _replay_edits(self) -> int:
        """Each point's edits in the order made. An edit's base is the one it recorded; journals
        written before bases were recorded give the text the first edit replaced (the draft's
        then), so a draft changed since shows as a conflict: never applied over it silently."""
        edits: dict[str, Edit] = {}
        for entry in self.journal():
            action, point = entry.get("action"), str(entry.get("target"))
            previous = edits.get(point)
            if action == "edit":
                base = entry.get("base") or (previous.base if previous else str(entry.get("before") or ""))
                edits[point] = Edit(point, str(entry["after"]), base, str(entry.get("author", "unknown")),
                                    str(entry.get("at", "")), (previous.version + 1) if previous else 1)
            elif action == "resolve-mine" and previous is not None:
                edits[point] = Edit(point, previous.text, entry.get("base") or previous.base,
                                    str(entry.get("author", "unknown")), str(entry.get("at", "")), previous.version + 1)
            elif action == "resolve-draft":
                edits.pop(point, None)
        self._save_edits(edits)
        return len(edits)

    def export(self, author: str = "") -> bytes:
        """The reviewed minutes as Word (and Markdown beside it); refused while conflicts remain."""
        from pipeline.minutes import render
        from pipeline.stages.draft import minutes_from_dict

        minutes, conflicts = self.reviewed()
        if conflicts:
            raise ConflictsPending(f"{len(conflicts)} edited point(s) conflict with the new draft; "
                                   "choose a version for each before exporting")
        for point in iter_points(minutes):
            for extra in ("draft_text", "edited", "conflict"):
                point.pop(extra, None)
        structure = minutes_from_dict(minutes)
        data = render.docx_bytes(structure)
        self.work.write_bytes(A.REVIEWED_DOCX, data)
        self.work.write_text(A.REVIEWED_MD, render.markdown(structure))
        self._log("export", _clean_author(author), A.REVIEWED_DOCX, None, len(data))
        return data
