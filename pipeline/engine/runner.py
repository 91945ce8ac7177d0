"""Running a stage against a work folder: reuse it if nothing it depends on changed, else redo it.

The manifest (``manifest.json``) records, per stage, its status, the cache key it ran with
(hash of input artifacts + parameters + the stage's version and source code), the hash of each output, the library
versions and the seconds taken. A stage is reused only if its key matches and every output is
still there with the recorded hash. When a stage starts running, every later stage is marked
``stale`` (a run killed then leaves no old ``minutes.md`` that the manifest calls current); when
a stage fails, the later stages' outputs are removed. A stage that reruns and writes the same
bytes leaves later stages reusable (their keys match, and they are marked done again).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import logging
import time
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

from pipeline import __version__
from pipeline import artifacts as A
from pipeline.artifacts import WorkDir, sha256_json
from pipeline.errors import UserError
from pipeline.spec import load_spec
from pipeline.engine.registry import STAGES, Context, RunOptions, Stage


@dataclass
class StageResult:
    name: str
    reused: bool
    seconds: float
    info: dict

    @property
    def status(self) -> str:
        """How the stage went, as every report says it: "reused" or "ran"."""
        return "reused" if self.reused else "ran"


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _versions(stage: Stage) -> dict:
    versions = {"rapporteur": __version__}
    for name in stage.libraries:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


class ManifestError(UserError):
    """A manifest that cannot be trusted: re-running would silently redo (or skip) stages."""


def read_manifest(work: WorkDir) -> dict:
    """The work folder's manifest, or {} when there is none; a truncated one, or one written by
    a newer rapporteur, is an error naming the file and what to do, never a silent re-process."""
    if not work.exists(A.MANIFEST):
        return {}
    path = work.path(A.MANIFEST)
    try:
        data = work.read_json(A.MANIFEST)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ManifestError(f"{path}: unreadable ({exc}); restore it from a backup, or move the work "
                            "folder aside and run the meeting again") from None
    if not isinstance(data, dict) or not isinstance(data.get("stages", {}), dict):
        raise ManifestError(f"{path}: not a rapporteur manifest; move the work folder aside and run again")
    written = str(data.get("pipeline_version", "0"))
    if _newer(written, __version__):
        raise ManifestError(f"{path}: written by rapporteur {written}, newer than this {__version__}; "
                            "upgrade rapporteur to reprocess it")
    return data


def _newer(version: str, than: str) -> bool:
    def parts(v: str) -> tuple[int, ...]:
        return tuple(int(p) if p.isdigit() else 0 for p in v.split(".")[:3])

    return parts(version) > parts(than)


class Manifest:
    """The work folder's record of finished stages; every update is an atomic rewrite."""

    def __init__(self, work: WorkDir, meeting_id: str):
        self.work = work
        data = read_manifest(work)
        self.data = {"meeting_id": meeting_id, "pipeline_version": __version__,
                     "run": data.get("run", {}), "stages": data.get("stages", {})}

    def entry(self, name: str) -> dict:
        return self.data["stages"].get(name, {})

    def save(self) -> None:
        self.work.write_json(A.MANIFEST, self.data)

    def set(self, name: str, **fields) -> None:
        self.data["stages"][name] = fields
        self.save()

    def is_fresh(self, stage: Stage, key: str) -> bool:
        """Done (or marked stale while an earlier stage reran) with this very key, and every
        output still there as written: the key covers the inputs, so such outputs are current."""
        entry = self.entry(stage.name)
        if entry.get("status") not in ("done", "stale") or entry.get("key") != key:
            return False
        recorded = entry.get("outputs", {})
        return all(self.work.exists(name) and recorded.get(name) == self.work.hash(name)
                   for name in stage.outputs)


@contextlib.contextmanager
def heavy_slot(heavy: bool, poll: float = 1.0):
    """Hold one of this machine's slots for heavy stages while one runs.

    Transcription and diarization each use every core and a gigabyte or more; several meetings
    processed at once on one machine (Prefect workers, ``serve``) would thrash. The slots are
    lock files in ``$RAPPORTEUR_SLOTS_DIR`` (default: the temp folder, i.e. per machine),
    ``$RAPPORTEUR_HEAVY_SLOTS`` of them (default 1); locks die with their process.
    """
    if not heavy:
        yield
        return
    import fcntl
    import os
    import tempfile

    slots = max(1, int(os.environ.get("RAPPORTEUR_HEAVY_SLOTS", "1")))
    folder = Path(os.environ.get("RAPPORTEUR_SLOTS_DIR") or Path(tempfile.gettempdir()) / f"rapporteur-slots-{os.getuid()}")
    folder.mkdir(parents=True, exist_ok=True)
    waited = False
    while True:
        for index in range(slots):
            handle = open(folder / f"heavy-{index}.lock", "a")
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.close()
                continue
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
                handle.close()
            return
        if not waited:
            logging.getLogger("rapporteur.runner").info("waiting for a heavy-stage slot on this machine")
            waited = True
        time.sleep(poll)


class WorkFolderBusy(UserError):
    """Another process is running a stage of this work folder."""


# In the work folder, held (flock) by the process running a stage of it. Named here, not in
# pipeline.artifacts: every stage's cache key hashes that module, and the lock is no artifact.
LOCK = ".run.lock"
_HELD: set[Path] = set()  # work folders whose lock this process holds


@contextlib.contextmanager
def work_folder_lock(work: WorkDir):
    """Hold the work folder's lock (:data:`LOCK`) while a stage runs or the
    folder is prepared, or refuse at once: two runs of one meeting at a time (a scheduled run and
    a CLI reprocess) would remove each other's half-written files and overwrite each other's
    manifest. Taken again by the process that holds it, it is a no-op; it dies with its process,
    so a killed run leaves nothing to clean up."""
    import fcntl

    if work.root in _HELD:
        yield
        return
    handle = open(work.path(LOCK), "a")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise WorkFolderBusy(f"{work.root}: another rapporteur run is using this work folder; wait for it to "
                             "finish (or stop it) and run again") from None
    _HELD.add(work.root)
    try:
        yield
    finally:
        _HELD.discard(work.root)
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


def stage_key(ctx: Context, stage: Stage) -> tuple[str, dict]:
    inputs = {name: ctx.work.hash(name) for name in stage.inputs}
    key = sha256_json({"stage": stage.name, "code": stage.code_hash(), "inputs": inputs,
                       "params": stage.params(ctx)})
    return key, inputs


def _later(stage: Stage) -> tuple[Stage, ...]:
    return STAGES[[s.name for s in STAGES].index(stage.name) + 1:]


def _mark_later_stale(manifest: Manifest, stage: Stage) -> None:
    changed = False
    for other in _later(stage):
        entry = manifest.data["stages"].get(other.name)
        if entry and entry.get("status") == "done":
            entry["status"] = "stale"
            changed = True
    if changed:
        manifest.save()


def _invalidate_after(ctx: Context, manifest: Manifest, stage: Stage) -> None:
    for other in _later(stage):
        for name in other.outputs:
            ctx.work.path(name).unlink(missing_ok=True)
        if other.name in manifest.data["stages"]:
            manifest.data["stages"][other.name]["status"] = "stale"
    manifest.save()


def run_stage(ctx: Context, stage: Stage, force: bool = False) -> StageResult:
    """Run one stage unless its outputs are fresh; record the outcome in the manifest. Refused
    (:class:`WorkFolderBusy`) while another process runs a stage of the same folder."""
    with work_folder_lock(ctx.work):
        return _run_stage(ctx, stage, force)


def _run_stage(ctx: Context, stage: Stage, force: bool) -> StageResult:
    manifest = Manifest(ctx.work, ctx.spec.meeting.id)
    key, inputs = stage_key(ctx, stage)
    if not force and manifest.is_fresh(stage, key):
        entry = manifest.entry(stage.name)
        if entry.get("status") != "done":
            manifest.set(stage.name, **{**entry, "status": "done"})
        return StageResult(stage.name, True, entry.get("seconds", 0.0), entry.get("info", {}))
    # Later stages' outputs no longer follow from what is on disk until they are checked again:
    # say so before starting, so that a run killed here never leaves them looking current.
    _mark_later_stale(manifest, stage)
    for name in stage.outputs:
        ctx.work.path(name).unlink(missing_ok=True)
    queued, started = time.perf_counter(), _now()
    manifest.set(stage.name, status="waiting" if stage.heavy else "running", key=key, inputs=inputs,
                 started_at=started)
    try:
        with heavy_slot(stage.heavy):
            # Times count from when the stage holds its slot: waiting is recorded on its own.
            started, clock = _now(), time.perf_counter()
            waited = round(clock - queued, 3)
            manifest.set(stage.name, status="running", key=key, inputs=inputs, started_at=started,
                         slot_wait=waited)
            info = stage.run(ctx) or {}
            finished = _now()
    except BaseException as exc:
        manifest.set(stage.name, status="failed", key=key, inputs=inputs, started_at=started,
                     finished_at=_now(), error=f"{type(exc).__name__}: {exc}")
        _invalidate_after(ctx, manifest, stage)
        raise
    seconds = round(time.perf_counter() - clock, 3)
    manifest.set(stage.name, status="done", key=key, inputs=inputs,
                 outputs={name: ctx.work.hash(name) for name in stage.outputs},
                 versions=_versions(stage), seconds=seconds, info=info,
                 started_at=started, finished_at=finished, slot_wait=waited)
    return StageResult(stage.name, False, seconds, info)


def default_out(spec) -> Path:
    return Path("runs") / spec.slug


def prepare(spec_path: str | Path, out: str | Path | None = None,
            options: RunOptions | None = None) -> Context:
    """Load the spec and open (create) its work folder, recording how it was run so that
    ``rapporteur reprocess`` can run it again the same way."""
    spec_path = Path(spec_path).resolve()
    spec = load_spec(spec_path)
    root = Path(out) if out else default_out(spec)
    root.mkdir(parents=True, exist_ok=True)
    ctx = Context(spec=spec, spec_path=spec_path, work=WorkDir(root), options=options or RunOptions())
    with work_folder_lock(ctx.work):  # the leftovers of a killed run, not a live run's writes
        for leftover in root.glob(".*.tmp"):  # a write cut short by a killed run: never an artifact
            leftover.unlink(missing_ok=True)
        manifest = Manifest(ctx.work, spec.meeting.id)
        manifest.data["run"] = {"spec": str(spec_path), "options": asdict(ctx.options)}
        manifest.save()
    return ctx


def _recorded_run(run_dir: str | Path) -> dict:
    """What the manifest of an existing work folder says it was run with (spec, options)."""
    work = WorkDir(Path(run_dir))
    if not work.exists(A.MANIFEST):
        raise FileNotFoundError(f"{work.root}: not a rapporteur work folder (no {A.MANIFEST})")
    run = read_manifest(work).get("run") or {}
    if "spec" not in run:
        raise FileNotFoundError(f"{work.root}: its manifest does not say which spec it was run from")
    return run


def recorded_spec(run_dir: str | Path):
    """The spec an existing work folder was run from, read only (the review page asks often;
    :func:`reopen` would rewrite the manifest each time)."""
    return load_spec(Path(_recorded_run(run_dir)["spec"]))


def reopen(run_dir: str | Path) -> Context:
    """The context of an existing work folder, from what its manifest recorded."""
    from pipeline.stages.diarize import DiarizeOptions

    work = WorkDir(Path(run_dir))
    run = _recorded_run(work.root)
    known = {f.name for f in dataclasses.fields(RunOptions)}
    saved = {k: v for k, v in run.get("options", {}).items() if k in known}  # an older version's too
    options = RunOptions(**{**saved, "diarize": DiarizeOptions(**saved.get("diarize", {}))})
    return prepare(run["spec"], work.root, options)


def find_runs(root: Path) -> list[tuple[Path, "dt.date | None"]]:
    """The work folders under ``root`` with the date of their meeting (from the spec they were
    run from, else the day they were first run), oldest first."""
    import json

    runs = []
    for manifest in sorted(Path(root).glob(f"*/{A.MANIFEST}")):
        if manifest.parent.name.startswith("."):
            continue
        try:
            data = json.loads(manifest.read_text())
        except ValueError:
            continue
        date = None
        try:
            date = load_spec(Path(data["run"]["spec"])).meeting.date
        except Exception:  # noqa: BLE001  (spec gone or changed: fall back to the run's own date)
            pass
        if date is None:
            first = min((s.get("started_at", "") for s in data.get("stages", {}).values()), default="")
            date = dt.date.fromisoformat(first[:10]) if first else None
        runs.append((manifest.parent, date))
    return sorted(runs, key=lambda r: (r[1] or dt.date.min, r[0].name))


def stages_to_force(from_stage: str | None) -> set[str]:
    """The named stage and every stage after it."""
    if from_stage is None:
        return set()
    names = [stage.name for stage in STAGES]
    if from_stage not in names:
        raise KeyError(f"unknown stage {from_stage!r}; stages are: {', '.join(names)}")
    return set(names[names.index(from_stage):])


def run_all(ctx: Context, force_from: str | None = None) -> list[StageResult]:
    """Every stage in order, without Prefect (the flow in ``flows/`` does the same, as tasks);
    ``force_from`` reruns that stage and the ones after it even if nothing changed."""
    forced = stages_to_force(force_from)
    return [run_stage(ctx, stage, force=stage.name in forced) for stage in STAGES]
