"""The draft in every format the secretariat uses, from one :class:`pipeline.stages.draft.Minutes`.

Markdown and HTML come from Jinja2 templates in ``prompts/`` (wording without code; HTML with
autoescaping, since everything in it came from a recording and a spec from outside), Word from
python-docx, JSON is the structure itself; subtitles (SRT, WebVTT) come from the transcript.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import jinja2
import markupsafe

from pipeline.artifacts import Utterance
from pipeline.text.report import join_names, timestamp

# Characters that change how text is shown or parsed and never belong in minutes: C0 and C1
# controls (newline and tab aside; python-docx refuses them outright) and the bidirectional
# embeddings, overrides and isolates that can make a name display as something else.
_UNSEEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# What makes markup in Markdown inline text: raw HTML, links and images, code spans, escapes.
_MARKDOWN = re.compile(r"([\\`<>\[\]])")
# What a spreadsheet opening a cue file would run as a formula when a cell starts with it.
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def plain(value):
    """``value`` with :data:`_UNSEEN` characters removed, recursively through dicts and lists:
    what every output of the draft is made of, since names, titles and transcript text all
    come from outside."""
    if isinstance(value, str):
        return _UNSEEN.sub("", value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def _markdown_text(value):
    """Jinja's ``finalize`` for Markdown: every value printed is plain and inert text."""
    return _MARKDOWN.sub(r"\\\1", plain(value)) if isinstance(value, str) else value


def _html_text(value):
    """Jinja's ``finalize`` for HTML (autoescaping does the rest; markup our filters built stays
    markup, its text escaped when built)."""
    if isinstance(value, markupsafe.Markup):
        return markupsafe.Markup(plain(str(value)))
    return plain(value) if isinstance(value, str) else value


def _cue_text(text: str) -> str:
    """One line of a subtitle cue: plain, on one line, never a cue timing ("-->"), never a
    spreadsheet formula."""
    text = " ".join(plain(text).split()).replace("-->", "->")
    return "'" + text if text.startswith(_FORMULA) else text


def _prompts() -> Path:
    """The templates: ``prompts/`` of the source tree, or the installed ``rapporteur_prompts``."""
    source = Path(__file__).resolve().parents[2] / "prompts"
    if (source / "minutes.md.j2").is_file():
        return source
    import importlib.util

    spec = importlib.util.find_spec("rapporteur_prompts")
    return Path(spec.origin).parent if spec and spec.origin else source


PROMPTS = _prompts()


def environment(autoescape: bool) -> jinja2.Environment:
    """The templates of ``prompts/``, with the minutes' filters; ``autoescape`` for HTML, and
    every printed value made inert text for its format (:func:`plain`; Markdown's markup escaped)."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(PROMPTS)), autoescape=autoescape,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                             undefined=jinja2.StrictUndefined,
                             finalize=_html_text if autoescape else _markdown_text)
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
    return json.dumps(plain(dataclasses.asdict(minutes)), indent=1, ensure_ascii=False) + "\n"


def docx_bytes(minutes) -> bytes:
    """The minutes as a Word document: numbered item headings, bullets, the recording link."""
    import io

    from docx import Document
    from docx.shared import Pt


    doc = Document()
    add_paragraph, add_heading = doc.add_paragraph, doc.add_heading
    doc.add_paragraph = lambda text="", style=None: add_paragraph(plain(text), style)
    doc.add_heading = lambda text="", level=1: add_heading(plain(text), level)
    doc.styles["Normal"].font.name = "Calibri"
    doc.styles["Normal"].font.size = Pt(11)
    doc.core_properties.title = plain(f"Draft minutes: {minutes.meeting_id}")
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
        para.add_run(plain(text))
        para.add_run(f" [{stamp}]").italic = True
        if flag:
            para.add_run(plain(f" (check: {flag})")).italic = True

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
    return [(u.start, u.end, _cue_text(f"{u.attribution or u.speaker}: {u.text}")) for u in utterances]


def srt(utterances: list[Utterance]) -> str:
    blocks = [f"{i}\n{_clock(a, ',')} --> {_clock(b, ',')}\n{text}\n"
              for i, (a, b, text) in enumerate(_cue_lines(utterances), 1)]
    return "\n".join(blocks)


def vtt(utterances: list[Utterance]) -> str:
    def voice(u: Utterance) -> str:
        name = _cue_text(u.attribution or u.speaker).replace(">", "")
        text = _cue_text(u.text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return f"<v {name}>{text}"

    blocks = [f"{_clock(u.start, '.')} --> {_clock(u.end, '.')}\n{voice(u)}\n" for u in utterances]
    return "WEBVTT\n\n" + "\n".join(blocks)
