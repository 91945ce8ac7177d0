"""The draft in every format the secretariat uses, from one :class:`pipeline.draft.Minutes`.

Markdown and HTML come from Jinja2 templates in ``prompts/`` (wording without code; HTML with
autoescaping, since everything in it came from a recording and a spec from outside), Word from
python-docx, JSON is the structure itself; subtitles (SRT, WebVTT) come from the transcript.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import jinja2

from pipeline.artifacts import Utterance
from pipeline.report import join_names, timestamp

def _prompts() -> Path:
    """The templates: ``prompts/`` of the source tree, or the installed ``rapporteur_prompts``."""
    source = Path(__file__).resolve().parent.parent / "prompts"
    if (source / "minutes.md.j2").is_file():
        return source
    import importlib.util

    spec = importlib.util.find_spec("rapporteur_prompts")
    return Path(spec.origin).parent if spec and spec.origin else source


PROMPTS = _prompts()


def environment(autoescape: bool) -> jinja2.Environment:
    """The templates of ``prompts/``, with the minutes' filters; ``autoescape`` for HTML."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(PROMPTS)), autoescape=autoescape,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                             undefined=jinja2.StrictUndefined)
    env.filters["join_names"] = join_names
    env.filters["stamp"] = timestamp
    return env


def markdown(minutes) -> str:
    return environment(False).get_template("minutes.md.j2").render(m=minutes)


def html(minutes, audio_href: str) -> str:
    """A self-contained page; each point links to its moment (``audio#t=seconds``)."""
    return environment(True).get_template("minutes.html.j2").render(m=minutes, audio=audio_href)


def html_body(minutes, audio_href: str) -> str:
    """The minutes' body alone (no page around it), for the review page; ``minutes`` may be the
    JSON form with the review layer applied."""
    if isinstance(minutes, dict):
        minutes = _namespace(minutes)  # `m.items` must be the list, not dict.items
    return environment(True).get_template("minutes_body.html.j2").render(m=minutes, audio=audio_href)


def _namespace(value):
    from types import SimpleNamespace

    if isinstance(value, dict):
        return SimpleNamespace(**{k: _namespace(v) for k, v in value.items()})
    if isinstance(value, list):
        return [_namespace(v) for v in value]
    return value


def as_json(minutes) -> str:
    return json.dumps(dataclasses.asdict(minutes), indent=1, ensure_ascii=False) + "\n"


def docx_bytes(minutes) -> bytes:
    """The minutes as a Word document: numbered item headings, bullets, the recording link."""
    import io

    from docx import Document
    from docx.shared import Pt


    doc = Document()
    doc.styles["Normal"].font.name = "Calibri"
    doc.styles["Normal"].font.size = Pt(11)
    doc.core_properties.title = f"Draft minutes: {minutes.meeting_id}"
    # Dated by the meeting, not by when it was drafted: the same minutes give the same file.
    import datetime as dt

    when = dt.datetime.fromisoformat(minutes.date) if minutes.date else dt.datetime(2000, 1, 1)
    doc.core_properties.created = doc.core_properties.modified = when
    doc.core_properties.last_modified_by = doc.core_properties.author = "rapporteur"
    doc.add_heading(f"Draft minutes: {minutes.meeting_id}", level=1)
    p = minutes.presiding
    title = f", {p['title']}" if p.get("title") else ""
    doc.add_paragraph(f"This {minutes.kind} of the {minutes.body} was presided over by the "
                      f"{p.get('role') or 'Chair'}, {p['name']}{title}.")
    if minutes.quorum:
        doc.add_paragraph("The statutory quorum was established with the presence of representatives of "
                          f"{join_names(minutes.quorum)}.")
    doc.add_paragraph("The recording of the meeting can be found at the following link:")
    doc.add_paragraph(minutes.recording)

    def stamped(paragraph_style, text, stamp, flag=""):
        para = doc.add_paragraph(style=paragraph_style)
        para.add_run(text)
        para.add_run(f" [{stamp}]").italic = True
        if flag:
            para.add_run(f" (check: {flag})").italic = True

    for item in minutes.items:
        doc.add_heading(f"{item.number}. {item.title}", level=2)
        if item.decision:
            verb = "was adopted by the Committee with no changes" if item.decision == "adopted" else \
                "was considered by the Committee; no decision was heard in the recording"
            document = f", document {minutes.document}," if minutes.document else ""
            doc.add_paragraph(f"The order of business for the meeting{document} {verb}.")
        if item.moderator:
            doc.add_paragraph(f"The dialogue was moderated by {item.moderator}.")
        for point in item.remarks:
            stamped(None, point.text, point.stamp, point.flag)
        for point in item.requests:
            stamped(None, point.text, point.stamp, point.flag)
        if item.closing_points:
            doc.add_paragraph(f"{minutes.chair_subject} highlighted the following points:")
            for point in item.closing_points:
                stamped("List Number", point.text, point.stamp, point.flag)
        if item.delegations:
            doc.add_paragraph(f"The delegation{'s' if len(item.delegations) > 1 else ''} of {join_names(item.delegations)} referred to the item. "
                              "The points made included the following:")
            for point in item.points:
                stamped("List Bullet", point.text, point.stamp, point.flag)
        for block in item.blocks:
            doc.add_heading(f"Block {block.number}: {block.title}", level=3)
            if block.guiding_question:
                doc.add_paragraph(f"Guiding Question: {block.guiding_question}")
            for point in block.presenters:
                doc.add_paragraph(f"{point.text} gave a presentation on the topic [{point.stamp}].")
            if block.delegations:
                moderator = "the moderator and " if item.moderator and item.moderator in block.others else ""
                doc.add_paragraph(f"Subsequently, in the dialogue, {moderator}the delegation{'s' if len(block.delegations) > 1 else ''} "
                                  f"of {join_names(block.delegations)} "
                                  "referred to the item under consideration. The points made during the "
                                  "dialogue included the following:")
                for point in block.points:
                    stamped("List Bullet", point.text, point.stamp, point.flag)
        for point in item.decisions:
            stamped(None, point.text, point.stamp, point.flag)
    buffer = io.BytesIO()
    doc.save(buffer)
    return _reproducible_zip(buffer.getvalue())


def _reproducible_zip(data: bytes) -> bytes:
    """The same .docx bytes for the same minutes: zip entries without the time they were
    written (a re-run that changes nothing then leaves the file, and its hash, unchanged)."""
    import io
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


def _clock(seconds: float, separator: str) -> str:
    millis = int(round(seconds * 1000))
    h, rest = divmod(millis, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{separator}{ms:03d}"


def _cue_lines(utterances: list[Utterance]) -> list[tuple[float, float, str]]:
    return [(u.start, u.end, f"{u.attribution or u.speaker}: {u.text}") for u in utterances]


def srt(utterances: list[Utterance]) -> str:
    blocks = [f"{i}\n{_clock(a, ',')} --> {_clock(b, ',')}\n{text}\n"
              for i, (a, b, text) in enumerate(_cue_lines(utterances), 1)]
    return "\n".join(blocks)


def vtt(utterances: list[Utterance]) -> str:
    def voice(u: Utterance) -> str:
        name = (u.attribution or u.speaker).replace(">", "")
        text = u.text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return f"<v {name}>{text}"

    blocks = [f"{_clock(u.start, '.')} --> {_clock(u.end, '.')}\n{voice(u)}\n" for u in utterances]
    return "WEBVTT\n\n" + "\n".join(blocks)
