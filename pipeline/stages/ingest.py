"""Stage 1, ingest: fetch the recording (URL or file) and decode it to 16 kHz mono WAV.

The source's sha256 is recorded so a re-run can tell a new recording from the same one. Downloads
are bounded in size and time; decoding goes through ffmpeg-python (argument lists, never a shell)
after probing that the file really holds audio, both tools bounded in time and memory.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import http.client
import os
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
import wave
from dataclasses import dataclass
from pathlib import Path

import ffmpeg

from pipeline.artifacts import AUDIO, DOWNLOAD_DIR, WorkDir, sha256_file
from pipeline.audio import SAMPLE_RATE
from pipeline.errors import UserError

log = logging.getLogger("rapporteur.ingest")

MAX_DOWNLOAD_BYTES = 2 * 1024**3  # a 3-hour MP3 at 320 kb/s is ~430 MB; a WAV can be larger
DOWNLOAD_TIMEOUT_S = 60.0  # per network operation (connect, each read)


class IngestError(UserError, RuntimeError):
    """The recording cannot be fetched or is not usable audio.

    ``transient``: the server failed or did not answer (worth a later retry, which the
    scheduled flow does with backoff); otherwise retrying cannot help (404, not audio, too big).
    """

    def __init__(self, message: str, transient: bool = False):
        super().__init__(message)
        self.transient = transient


@dataclass
class IngestResult:
    source: str
    sha256: str
    bytes: int
    duration: float
    codec: str
    sample_rate: int
    channels: int
    declared_duration: float = 0.0  # what the container says; more than decoded = truncated
    truncated: bool = False


def is_url(recording: str) -> bool:
    return urllib.parse.urlparse(recording).scheme in ("http", "https")


def resolve_local(recording: str, spec_dir: Path) -> Path:
    """A recording path relative to the spec, which must stay inside the spec's folder."""
    base = Path(spec_dir).resolve()
    path = (base / recording).resolve()
    if base not in path.parents:
        raise IngestError(f"recording {recording!r} points outside the spec's folder {base}")
    if not path.is_file():
        raise IngestError(f"recording {recording!r} not found (looked for {path})")
    return path


@dataclass
class DownloadLimits:
    """Bounds on fetching a recording; each can be set from the environment for a deployment.

    Parameters
    ----------
    max_bytes : int
        Largest file accepted (``RAPPORTEUR_MAX_DOWNLOAD_BYTES``).
    read_timeout : float
        Seconds a connect or a single read may wait (``RAPPORTEUR_READ_TIMEOUT``).
    total_timeout : float
        Seconds the whole download may take, so a server dripping a byte at a time cannot hold
        a run forever (``RAPPORTEUR_DOWNLOAD_TIMEOUT``).
    attempts : int
        Tries for a 5xx answer or a dropped connection, with exponential backoff from
        ``backoff`` seconds (``RAPPORTEUR_DOWNLOAD_ATTEMPTS``); a 4xx is final at once.
    """

    max_bytes: int = MAX_DOWNLOAD_BYTES
    read_timeout: float = DOWNLOAD_TIMEOUT_S
    total_timeout: float = 3 * 3600.0
    attempts: int = 3
    backoff: float = 1.0

    @classmethod
    def from_env(cls) -> "DownloadLimits":
        env = os.environ.get
        return cls(max_bytes=int(env("RAPPORTEUR_MAX_DOWNLOAD_BYTES", MAX_DOWNLOAD_BYTES)),
                   read_timeout=float(env("RAPPORTEUR_READ_TIMEOUT", DOWNLOAD_TIMEOUT_S)),
                   total_timeout=float(env("RAPPORTEUR_DOWNLOAD_TIMEOUT", 3 * 3600.0)),
                   attempts=max(1, int(env("RAPPORTEUR_DOWNLOAD_ATTEMPTS", 3))),
                   backoff=float(env("RAPPORTEUR_DOWNLOAD_BACKOFF", 1.0)))


class _Retry(Exception):
    """A failure worth another try (server error, dropped connection)."""


def download(url: str, dest: Path, limits: DownloadLimits | None = None) -> tuple[str, int]:
    """Stream ``url`` into ``dest``; return (sha256, size). Raises :class:`IngestError`."""
    limits = limits or DownloadLimits.from_env()
    last = ""
    for attempt in range(1, limits.attempts + 1):
        try:
            return _download_once(url, dest, limits)
        except _Retry as exc:
            last = str(exc)
            if attempt < limits.attempts:
                time.sleep(limits.backoff * 2 ** (attempt - 1))
    raise IngestError(f"{url}: {last} (gave up after {limits.attempts} attempts)", transient=True)


def _download_once(url: str, dest: Path, limits: DownloadLimits) -> tuple[str, int]:
    request = urllib.request.Request(url, headers={"User-Agent": "rapporteur"})
    digest, size = hashlib.sha256(), 0
    deadline = time.monotonic() + limits.total_timeout
    try:
        with urllib.request.urlopen(request, timeout=limits.read_timeout) as response:
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > limits.max_bytes:
                raise IngestError(f"{url}: {int(declared)} bytes is over the {limits.max_bytes}-byte limit")
            with open(dest, "wb") as handle:
                while chunk := response.read(1 << 16):
                    size += len(chunk)
                    if size > limits.max_bytes:
                        raise IngestError(f"{url}: download passed the {limits.max_bytes}-byte limit")
                    if time.monotonic() > deadline:
                        raise IngestError(f"{url}: download took longer than {limits.total_timeout:.0f} s "
                                          f"({size} bytes received)")
                    digest.update(chunk)
                    handle.write(chunk)
    except urllib.error.HTTPError as exc:
        if exc.code >= 500:
            raise _Retry(f"HTTP {exc.code} {exc.reason}") from None
        if exc.code in (301, 302, 303, 307, 308):
            raise IngestError(f"{url}: too many redirects (HTTP {exc.code}); a redirect loop?") from None
        raise IngestError(f"{url}: HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, ssl.SSLError):
            raise IngestError(f"{url}: TLS error ({reason.reason or reason})") from None
        if isinstance(reason, (TimeoutError, socket.timeout)):
            raise _Retry(f"no answer within {limits.read_timeout:.0f} s") from None
        if isinstance(reason, ConnectionRefusedError) or "refused" in str(reason):
            raise _Retry("connection refused") from None
        raise IngestError(f"{url}: cannot fetch ({reason})") from None
    except (TimeoutError, socket.timeout):
        raise _Retry(f"no data for {limits.read_timeout:.0f} s") from None
    except (ConnectionError, http.client.HTTPException) as exc:
        raise _Retry(f"connection dropped ({type(exc).__name__})") from None
    except ssl.SSLError as exc:
        raise IngestError(f"{url}: TLS error ({exc.reason or exc})") from None
    if size == 0:
        raise IngestError(f"{url}: the server sent an empty file")
    return digest.hexdigest(), size


# ffprobe and ffmpeg read files from outside: each runs under a time limit and an address-space
# limit, and may open local files only (a playlist or concat script named .mp3 could otherwise
# make ffmpeg fetch URLs or read devices). Decoding runs far faster than real time (six hours of
# MP3 in about 11 s here), so its limit grows with the declared duration from a generous base.
PROBE_TIMEOUT_S = 60.0
DECODE_TIMEOUT_S = 300.0  # ... plus DECODE_SECONDS_PER_HOUR for each declared hour
DECODE_SECONDS_PER_HOUR = 120.0
TOOL_MEMORY_BYTES = 2 * 1024**3
PROTOCOLS = "file"


def _bounded() -> None:
    """In the child, before exec: cap the address space of ffprobe/ffmpeg."""
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (TOOL_MEMORY_BYTES, TOOL_MEMORY_BYTES))


def _tool(args: list[str], timeout: float, label: str, what: str):
    """Run ffprobe/ffmpeg ``args`` (a list, never a shell) within ``timeout`` seconds and the
    memory cap; a run past its limit is killed and refused in one line."""
    import subprocess

    timeout = float(os.environ.get("RAPPORTEUR_TOOL_TIMEOUT", timeout))
    try:
        return subprocess.run(args, capture_output=True, stdin=subprocess.DEVNULL, timeout=timeout,
                              preexec_fn=_bounded if os.name == "posix" else None)
    except subprocess.TimeoutExpired:
        raise IngestError(f"{label}: {what} took longer than {timeout:g} s and was stopped "
                          "(a damaged or crafted file?)") from None
    except OSError as exc:  # not installed, or could not start within the memory cap
        raise IngestError(f"{label}: {what} could not run ({exc.strerror or exc})") from None


def probe(path: Path, label: str) -> dict:
    """The first audio stream of ``path``, or :class:`IngestError` if there is none."""
    import json

    done = _tool(["ffprobe", "-v", "error", "-protocol_whitelist", PROTOCOLS, "-show_format", "-show_streams",
                  "-of", "json", f"file:{path}"], PROBE_TIMEOUT_S, label, "reading it (ffprobe)")
    if done.returncode != 0:
        detail = done.stderr.decode(errors="replace").strip().splitlines()
        reason = detail[-1] if detail else "ffprobe failed"
        raise IngestError(f"{label}: not a readable audio file ({reason})")
    info = json.loads(done.stdout or b"{}")
    streams = [s for s in info.get("streams", []) if s.get("codec_type") == "audio"]
    if not streams:
        raise IngestError(f"{label}: no audio stream in this file")
    duration = float(info.get("format", {}).get("duration") or streams[0].get("duration") or 0)
    if duration <= 0:
        raise IngestError(f"{label}: the audio stream is empty")
    return {**streams[0], "duration": duration}


def decode(source: Path, dest: Path, label: str, declared: float = 0.0) -> None:
    """Decode any audio ffmpeg reads to 16 kHz mono 16-bit WAV (``declared``: the duration
    ffprobe found, which sets the time limit)."""
    args = (
        ffmpeg.input(f"file:{source}", protocol_whitelist=PROTOCOLS)
        .output(f"file:{dest}", format="wav", acodec="pcm_s16le", ac=1, ar=SAMPLE_RATE, map="0:a:0", vn=None)
        .overwrite_output()
        .global_args("-nostdin", "-loglevel", "error")
        .compile()
    )
    limit = DECODE_TIMEOUT_S + DECODE_SECONDS_PER_HOUR * declared / 3600.0
    done = _tool(args, limit, label, "decoding it (ffmpeg)")
    if done.returncode != 0:
        detail = done.stderr.decode(errors="replace").strip().splitlines()
        if any("No space left" in line for line in detail):
            raise OSError(errno.ENOSPC, "No space left on device", str(dest.parent))
        raise IngestError(f"{label}: ffmpeg could not decode it ({detail[-1] if detail else 'exit status ' + str(done.returncode)})")


def ingest(recording: str, spec_dir: Path, work: WorkDir) -> IngestResult:
    """Fetch or locate the recording, check it is audio, decode it to ``audio.wav``."""
    if is_url(recording):
        name = Path(urllib.parse.urlparse(recording).path).name or "recording"
        partial = work.temp_path(f"{DOWNLOAD_DIR}/source")
        try:
            sha, size = download(recording, partial)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        source = work.commit(partial, f"{DOWNLOAD_DIR}/source")
        label = name
    else:
        source = resolve_local(recording, spec_dir)
        label = str(recording)
        sha, size = sha256_file(source), source.stat().st_size
        if size == 0:
            raise IngestError(f"{label}: the file is empty")
    stream = probe(source, label)
    partial = work.temp_path(AUDIO)
    try:
        decode(source, partial, label, float(stream["duration"]))
        with wave.open(str(partial), "rb") as handle:
            decoded = handle.getnframes() / SAMPLE_RATE
        if decoded <= 0:
            raise IngestError(f"{label}: no audio could be decoded from it")
        work.commit(partial, AUDIO)
    finally:
        partial.unlink(missing_ok=True)
    declared = float(stream["duration"])
    truncated = declared - decoded > max(2.0, 0.02 * declared)
    if truncated:  # keep what is there, and say so
        log.warning("%s: declares %.0f s but only %.0f s could be decoded (truncated file?)",
                    label, declared, decoded)
    return IngestResult(
        source=recording, sha256=sha, bytes=size, duration=round(decoded, 3),
        codec=str(stream.get("codec_name", "")), sample_rate=int(stream.get("sample_rate", 0) or 0),
        channels=int(stream.get("channels", 0) or 0), declared_duration=round(declared, 3),
        truncated=truncated,
    )
