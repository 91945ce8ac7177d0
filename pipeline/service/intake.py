"""Finding new sessions: a folder specs are dropped into, and HTTP(S) listings of recordings.

A secretariat's service config (``rapporteur.yaml``, :class:`ServiceConfig`) names the sources,
the work root and the schedule. :func:`discover` looks at every source once and returns the
recordings never processed before, each already claimed in the :class:`~pipeline.service.ledger.Ledger`
under its content hash, with the spec to run it from. A listing found on the web becomes a spec
by filling the source's template (values from outside are set as data, never pasted into YAML).
"""

from __future__ import annotations

import datetime as dt
import html.parser
import json
import re
import shutil
import string
import tempfile
import urllib.parse
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal, Optional, Union

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pipeline.artifacts import sha256_file
from pipeline.service.ledger import Ledger, recording_key
from pipeline.spec import SpecError, load_spec, parse_spec, slugify

INTAKE_DIR = ".intake"
LISTING_MAX_BYTES = 10 * 1024**2
AUDIO_LINK = r"\.(mp3|m4a|wav|ogg|opus|flac|aac)$"
TEMPLATE_FIELDS = ("stem", "date", "title", "sha8")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class FolderSource(_Strict):
    """Meeting specs (``*.yaml``) dropped into ``path``, each beside its recording or naming a URL."""

    kind: Literal["folder"]
    path: str


class HttpSource(_Strict):
    """A JSON list, RSS/Atom feed or HTML index of recordings; each becomes a spec from ``template``."""

    kind: Literal["http"]
    url: str
    template: str
    links: str = AUDIO_LINK  # which links are recordings (regex on the URL path)


class Notify(_Strict):
    webhook: Optional[str] = None  # POSTed a JSON summary when a draft is ready or a run fails


class ServiceConfig(_Strict):
    work_root: str = "runs"
    schedule: str = "*/30 * * * *"  # cron for `rapporteur serve`
    sources: list[Annotated[Union[FolderSource, HttpSource], Field(discriminator="kind")]]
    notify: Notify = Field(default_factory=Notify)
    model: Optional[str] = None
    concurrency: int = Field(default=2, ge=1)  # meetings at once under `rapporteur serve`
    base: Path = Field(default=Path("."), exclude=True)  # the config's folder: relative paths start here

    def resolve(self, path: str) -> Path:
        return (self.base / path).resolve()


def load_config(path: Path) -> ServiceConfig:
    path = Path(path)
    if not path.is_file():
        raise SpecError(f"{path}: service config not found")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        config = ServiceConfig.model_validate(data)
    except yaml.YAMLError as exc:
        raise SpecError(f"{path}: not valid YAML ({exc})") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise SpecError(f"{path}: {where}: {first['msg']}") from None
    config.base = path.resolve().parent
    for source in config.sources:
        if isinstance(source, HttpSource):
            _template(config.resolve(source.template))  # a bad template fails now, not at 3 a.m.
            if urllib.parse.urlparse(source.url).scheme not in ("http", "https"):
                raise SpecError(f"{path}: sources: {source.url!r} is not an http(s) address")
    return config


@dataclass
class NewRecording:
    key: str
    spec: Path
    run_dir: Path
    origin: str
    attempt: int = 1  # the ledger's count: a retry is submitted as a new flow run
    abandoned_flow_runs: list = field(default_factory=list)  # flow runs of a process that died with it


@dataclass
class Listed:
    url: str
    title: str = ""
    date: str = ""


# ---- listings ----------------------------------------------------------------------------------

class _Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[list[str]] = []
        self._open: Optional[list[str]] = None

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self._open = [href, ""]
                self.links.append(self._open)

    def handle_data(self, data):
        if self._open is not None:
            self._open[1] += data

    def handle_endtag(self, tag):
        if tag == "a":
            self._open = None


def _date_in(text: str) -> str:
    match = re.search(r"(20\d\d)[-_./]?(0[1-9]|1[0-2])[-_./]?(0[1-9]|[12]\d|3[01])", text)
    return "-".join(match.groups()) if match else ""


def parse_listing(body: bytes, base_url: str, links: str = AUDIO_LINK) -> list[Listed]:
    """The recordings a listing names: JSON (a list of URLs or of objects with ``url``), RSS or
    Atom (enclosures and links) or HTML (anchors). Relative links are resolved; http(s) only."""
    text = body.decode("utf-8", errors="replace").lstrip("\ufeff").strip()
    found: list[Listed] = []
    if text[:1] in "[{":
        data = json.loads(text)
        if isinstance(data, dict):
            data = next((data[k] for k in ("recordings", "items", "files", "data") if isinstance(data.get(k), list)), [])
        for entry in data:
            if isinstance(entry, str):
                found.append(Listed(entry))
            elif isinstance(entry, dict) and isinstance(entry.get("url"), str):
                found.append(Listed(entry["url"], str(entry.get("title", "")), str(entry.get("date", ""))))
    elif text.startswith("<?xml") or re.match(r"<(rss|feed)\b", text):
        root = ET.fromstring(text.encode())
        for item in root.iter():
            tag = item.tag.rsplit("}", 1)[-1]
            if tag not in ("item", "entry"):
                continue
            title = next((c.text or "" for c in item if c.tag.rsplit("}", 1)[-1] == "title"), "")
            when = next((c.text or "" for c in item if c.tag.rsplit("}", 1)[-1] in ("pubDate", "published", "updated")), "")
            for child in item:
                name = child.tag.rsplit("}", 1)[-1]
                if name == "enclosure":
                    url = child.get("url")
                elif name == "link":
                    url = child.get("href") or (child.text or "").strip()
                else:
                    url = None
                if url:
                    found.append(Listed(url, title.strip(), _rss_date(when)))
    else:
        parser = _Links()
        parser.feed(text)
        found = [Listed(href, " ".join(label.split())) for href, label in parser.links]
    pattern = re.compile(links, re.IGNORECASE)
    out, seen = [], set()
    for entry in found:
        url = urllib.parse.urljoin(base_url, entry.url.strip())
        parsed = urllib.parse.urlparse(url)
        if parsed.scheme not in ("http", "https") or not pattern.search(parsed.path) or url in seen:
            continue
        seen.add(url)
        out.append(Listed(url, entry.title[:200], entry.date or _date_in(entry.title) or _date_in(parsed.path)))
    return out


def _rss_date(text: str) -> str:
    from email.utils import parsedate_to_datetime

    text = (text or "").strip()
    if not text:
        return ""
    try:
        return parsedate_to_datetime(text).date().isoformat()
    except (TypeError, ValueError):
        return _date_in(text)


# ---- specs from a template -----------------------------------------------------------------------

def _template(path: Path) -> dict:
    if not path.is_file():
        raise SpecError(f"{path}: spec template not found")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("meeting"), dict):
        raise SpecError(f"{path}: a spec template needs a `meeting:` section")
    for name in _placeholders(str(data["meeting"].get("id", ""))):
        if name not in TEMPLATE_FIELDS:
            raise SpecError(f"{path}: meeting.id: unknown placeholder {{{name}}}; "
                            f"use {', '.join('{' + f + '}' for f in TEMPLATE_FIELDS)}")
    return data


def _placeholders(text: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(text) if name]


def spec_from_template(template: Path, listed: Listed, recording: str, sha256: str) -> dict:
    """A spec for one listed recording: the template, with the meeting's id, date and title
    filled from the listing (as values: nothing from outside is parsed as YAML)."""
    data = _template(template)
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", Path(urllib.parse.urlparse(listed.url).path).stem)[:80] or "recording"
    values = {"stem": stem, "date": listed.date or "undated", "title": " ".join(listed.title.split())[:200],
              "sha8": sha256[:8]}
    meeting = data["meeting"]
    meeting["id"] = str(meeting.get("id") or "{stem}").format(**values)
    if listed.date and not meeting.get("date"):
        meeting["date"] = dt.date.fromisoformat(listed.date)
    meeting["recording"] = recording
    meeting["link"] = listed.url
    return data


# ---- discovery -----------------------------------------------------------------------------------

def _run_dir(config: ServiceConfig, slug: str, sha256: str) -> Path:
    """The meeting's folder: its slug, or slug-<sha8> when another recording has that one; a
    folder that already holds this recording (a run whose ledger entry was lost) is resumed."""
    root = config.resolve(config.work_root)
    for path in (root / slug, root / f"{slug}-{sha256[:8]}"):
        if not path.exists() or _recording_of(path) == sha256:
            return path
    return root / f"{slug}-{sha256[:8]}"


def _recording_of(run_dir: Path) -> str | None:
    from pipeline.artifacts import INGEST

    try:
        return json.loads((run_dir / INGEST).read_text()).get("sha256")
    except (OSError, ValueError, AttributeError):
        return None


def _fetch(url: str, dest: Path, max_bytes: int | None = None) -> tuple[str, int]:
    from pipeline.stages.ingest import DownloadLimits, download

    limits = DownloadLimits.from_env()
    if max_bytes:
        limits.max_bytes = max_bytes
    return download(url, dest, limits)


def _stage(config: ServiceConfig, url: str) -> tuple[Path, str]:
    """Download ``url`` into the intake folder under its content hash; (folder, sha256)."""
    intake = config.resolve(config.work_root) / INTAKE_DIR
    intake.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=intake, prefix=".fetch-") as tmp:
        part = Path(tmp) / "recording"
        sha256, _ = _fetch(url, part)
        folder = intake / sha256[:16]
        folder.mkdir(exist_ok=True)
        suffix = Path(urllib.parse.urlparse(url).path).suffix.lower()
        suffix = suffix if re.fullmatch(r"\.[a-z0-9]{1,5}", suffix) else ".audio"
        target = folder / f"recording{suffix}"
        if not target.exists():
            shutil.move(str(part), target)
    return folder, sha256


def _write_spec(folder: Path, data: dict) -> Path:
    from pipeline.artifacts import atomic_write_bytes

    plain = json.loads(json.dumps(data, default=str))  # dates as text, as YAML reads them back
    path = folder / "meeting.yaml"
    parse_spec(plain, str(path))  # valid before written
    atomic_write_bytes(path, yaml.safe_dump(plain, sort_keys=False, allow_unicode=True).encode())
    return path


def discover(config: ServiceConfig, log=print) -> list[NewRecording]:
    """Every recording in the sources not processed before (by content), claimed for processing.

    A problem with one spec or one link is logged and skipped; the others still come through.
    """
    discovery = _Discovery(config, log)
    for source in config.sources:
        if isinstance(source, FolderSource):
            discovery.folder(source)
        else:
            discovery.listing(source)
    return discovery.new


class _Discovery:
    """One pass over the sources: what is new, staged and claimed in the ledger."""

    def __init__(self, config: ServiceConfig, log):
        self.config, self.log = config, log
        self.ledger = Ledger(config.resolve(config.work_root), log=log)
        self.intake = config.resolve(config.work_root) / INTAKE_DIR
        self.new: list[NewRecording] = []

    def taken(self, sha256: str) -> bool:
        """Processed, or being processed: nothing to prepare for it (a failed or stale one, or
        an unreadable entry, is offered again: :meth:`Ledger.offered`)."""
        return not self.ledger.offered(self.ledger.get(recording_key(sha256)))

    def take(self, sha256: str, spec_path: Path, slug: str, origin: str) -> None:
        key = recording_key(sha256)
        entry = self.ledger.get(key)
        if not self.ledger.offered(entry):
            return
        # a failed one is retried in the folder it had
        run_dir = Path(entry["run_dir"]) if entry and entry.get("run_dir") else _run_dir(self.config, slug, sha256)
        if self.ledger.claim(key, origin=origin, spec=str(spec_path), run_dir=str(run_dir)):
            claimed = self.ledger.get(key) or {}
            self.new.append(NewRecording(key, spec_path, run_dir, origin, claimed.get("attempts", 1),
                                         claimed.get("abandoned_flow_runs") or []))

    def folder(self, source: FolderSource) -> None:
        folder = self.config.resolve(source.path)
        if not folder.is_dir():
            self.log(f"intake: {folder}: folder not found")
            return
        from pipeline.stages.ingest import IngestError

        seen = self.ledger.seen(str(folder))
        for spec_path in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
            try:
                self._folder_spec(folder, seen, spec_path)
            except (SpecError, IngestError, OSError) as exc:
                self.log(f"intake: skipped {spec_path.name}: {exc}")

    def _folder_spec(self, folder: Path, seen: dict, spec_path: Path) -> None:
        """One spec of an inbox folder: its recording a URL (fetched once, staged with a copy of
        the spec naming the staged file) or a file beside it (hashed once, then only stat'ed)."""
        from pipeline.stages.ingest import is_url, resolve_local

        spec = load_spec(spec_path)
        recording = spec.meeting.recording
        if is_url(recording):
            sha256 = seen.get(recording)
            if sha256 is None:
                _, sha256 = _stage(self.config, recording)
                self.ledger.remember(str(folder), recording, sha256)
            if self.taken(sha256):
                return
            staged = self.intake / sha256[:16]
            data = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
            data["meeting"]["recording"] = next(staged.glob("recording.*")).name
            data["meeting"].setdefault("link", recording)
            run_spec = _write_spec(staged, data)
        else:
            path = resolve_local(recording, spec_path.parent)
            stat = path.stat()
            signature = f"{path}:{stat.st_size}:{stat.st_mtime_ns}"
            sha256 = seen.get(signature)
            if sha256 is None:  # hashed once; each later pass only stats the file
                sha256 = sha256_file(path)
                self.ledger.remember(str(folder), signature, sha256)
            run_spec = spec_path
        self.take(sha256, run_spec, spec.slug, str(spec_path))

    def listing(self, source: HttpSource) -> None:
        """A published listing (JSON, RSS/Atom or an HTML index): each linked recording fetched once,
        its spec made from the source's template."""
        from pipeline.stages.ingest import IngestError

        template = self.config.resolve(source.template)
        self.intake.mkdir(parents=True, exist_ok=True)
        try:
            with tempfile.TemporaryDirectory(dir=self.intake, prefix=".listing-") as tmp:
                _fetch(source.url, Path(tmp) / "listing", LISTING_MAX_BYTES)
                listed = parse_listing((Path(tmp) / "listing").read_bytes(), source.url, source.links)
        except (IngestError, ValueError, ET.ParseError) as exc:
            self.log(f"intake: {source.url}: cannot read the listing ({exc})")
            return
        seen = self.ledger.seen(source.url)
        for entry in listed:
            try:
                sha256 = seen.get(entry.url)
                if sha256 is None:
                    _, sha256 = _stage(self.config, entry.url)
                    self.ledger.remember(source.url, entry.url, sha256)
                if self.taken(sha256):
                    continue
                staged = self.intake / sha256[:16]
                data = spec_from_template(template, entry, next(staged.glob("recording.*")).name, sha256)
                run_spec = _write_spec(staged, data)
                self.take(sha256, run_spec, slugify(data["meeting"]["id"]), entry.url)
            except (SpecError, IngestError, OSError, ValueError, StopIteration) as exc:
                self.log(f"intake: skipped {entry.url}: {exc}")
