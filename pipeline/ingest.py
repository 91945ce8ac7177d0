"""Stage 1, ingest: fetch the recording (URL or file) and decode it to 16 kHz mono WAV.

The source's sha256 is recorded so a re-run can tell a new recording from the same one. Downloads
are bounded in size and time; decoding goes through ffmpeg-python (argument lists, never a shell)
after probing that the file really holds audio.
"""

from __future__ import annotations

import hashlib
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import ffmpeg

from pipeline.artifacts import AUDIO, DOWNLOAD_DIR, WorkDir

SAMPLE_RATE = 16000
MAX_DOWNLOAD_BYTES = 2 * 1024**3  # a 3-hour MP3 at 320 kb/s is ~430 MB; a WAV can be larger
DOWNLOAD_TIMEOUT_S = 60.0  # per network operation (connect, each read)


class IngestError(RuntimeError):
    """The recording cannot be fetched or is not usable audio."""


@dataclass
class IngestResult:
    source: str
    sha256: str
    bytes: int
    duration: float
    codec: str
    sample_rate: int
    channels: int


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


def download(url: str, dest: Path, *, max_bytes: int = MAX_DOWNLOAD_BYTES,
             timeout: float = DOWNLOAD_TIMEOUT_S) -> tuple[str, int]:
    """Stream ``url`` into ``dest``; return (sha256, size). Raises :class:`IngestError`."""
    request = urllib.request.Request(url, headers={"User-Agent": "rapporteur"})
    digest, size = hashlib.sha256(), 0
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise IngestError(f"{url}: {int(declared)} bytes is over the {max_bytes}-byte limit")
            with open(dest, "wb") as handle:
                while chunk := response.read(1 << 16):
                    size += len(chunk)
                    if size > max_bytes:
                        raise IngestError(f"{url}: download passed the {max_bytes}-byte limit")
                    digest.update(chunk)
                    handle.write(chunk)
    except urllib.error.HTTPError as exc:
        raise IngestError(f"{url}: HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        raise IngestError(f"{url}: cannot fetch ({exc.reason})") from None
    except TimeoutError:
        raise IngestError(f"{url}: timed out after {timeout:.0f} s") from None
    if size == 0:
        raise IngestError(f"{url}: the server sent an empty file")
    return digest.hexdigest(), size


def probe(path: Path, label: str) -> dict:
    """The first audio stream of ``path``, or :class:`IngestError` if there is none."""
    try:
        info = ffmpeg.probe(str(path))
    except ffmpeg.Error as exc:
        detail = (exc.stderr or b"").decode(errors="replace").strip().splitlines()
        reason = detail[-1] if detail else "ffprobe failed"
        raise IngestError(f"{label}: not a readable audio file ({reason})") from None
    streams = [s for s in info.get("streams", []) if s.get("codec_type") == "audio"]
    if not streams:
        raise IngestError(f"{label}: no audio stream in this file")
    duration = float(info.get("format", {}).get("duration") or streams[0].get("duration") or 0)
    if duration <= 0:
        raise IngestError(f"{label}: the audio stream is empty")
    return {**streams[0], "duration": duration}


def decode(source: Path, dest: Path, label: str) -> None:
    """Decode any audio ffmpeg reads to 16 kHz mono 16-bit WAV."""
    try:
        (
            ffmpeg.input(str(source))
            .output(str(dest), format="wav", acodec="pcm_s16le", ac=1, ar=SAMPLE_RATE,
                    map="0:a:0", vn=None)
            .overwrite_output()
            .global_args("-nostdin", "-loglevel", "error")
            .run(capture_stdout=True, capture_stderr=True)
        )
    except ffmpeg.Error as exc:
        detail = (exc.stderr or b"").decode(errors="replace").strip().splitlines()
        raise IngestError(f"{label}: ffmpeg could not decode it ({detail[-1] if detail else exc})") from None


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
        digest = hashlib.sha256()
        with open(source, "rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
        sha, size = digest.hexdigest(), source.stat().st_size
        if size == 0:
            raise IngestError(f"{label}: the file is empty")
    stream = probe(source, label)
    partial = work.temp_path(AUDIO)
    try:
        decode(source, partial, label)
        work.commit(partial, AUDIO)
    finally:
        partial.unlink(missing_ok=True)
    return IngestResult(
        source=recording, sha256=sha, bytes=size, duration=round(stream["duration"], 3),
        codec=str(stream.get("codec_name", "")), sample_rate=int(stream.get("sample_rate", 0) or 0),
        channels=int(stream.get("channels", 0) or 0),
    )


def load_audio(path: Path):
    """The decoded WAV (16-bit mono, as :func:`decode` writes it) as float32 numpy in [-1, 1]."""
    import wave

    import numpy as np

    with wave.open(str(path), "rb") as handle:
        if handle.getframerate() != SAMPLE_RATE or handle.getnchannels() != 1:
            raise IngestError(f"{path}: expected {SAMPLE_RATE} Hz mono audio")
        pcm = np.frombuffer(handle.readframes(handle.getnframes()), dtype=np.int16)
    return pcm.astype(np.float32) / 32768.0
