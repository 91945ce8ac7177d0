"""The meeting spec: the one YAML file that says what was recorded and who was in the room.

Validated strictly (unknown keys are errors, with the nearest known key suggested) because a typo
in a spec must stop a run with one clear line, not produce minutes with a silently missing field.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from pathlib import Path
from typing import Annotated, Literal, Optional

import yaml
from pydantic import (AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator,
                      model_validator)

from pipeline.errors import UserError

LANGUAGES = ("en", "es", "pt", "fr", "auto")


class SpecError(UserError, ValueError):
    """A spec that cannot be used; the message is one line naming the file and the field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Meeting(_Strict):
    id: str = Field(min_length=1)
    body: str = ""
    kind: str = "meeting"
    date: Optional[dt.date] = None
    recording: str = Field(min_length=1)
    link: Optional[str] = None  # the public address the minutes cite, when not `recording`
    language: Literal["en", "es", "pt", "fr", "auto"] = "en"
    languages: list[Literal["en", "es", "pt", "fr"]] = Field(default_factory=list)


class Person(_Strict):
    name: str = Field(min_length=1)
    role: str = ""
    title: str = ""


def _member_state(name: str) -> str:
    from pipeline.text.roster import member_state, nearest_member_state

    if member_state(name) is None:
        near = nearest_member_state(name)
        hint = f" (did you mean {near!r}?)" if near else ""
        raise ValueError(f"{name!r} is not an OAS member state{hint}; "
                         "list permanent observers and guests under participants.observers")
    return name


class Participants(_Strict):
    """Who is present. ``delegations`` are OAS member states (the quorum list); permanent
    observers and other guest delegations go under ``observers``."""

    delegations: list[Annotated[str, AfterValidator(_member_state)]] = Field(default_factory=list)
    observers: list[str] = Field(default_factory=list)
    officials: list[Person] = Field(default_factory=list)

    @field_validator("delegations", "observers")
    @classmethod
    def _no_duplicates(cls, value: list[str]) -> list[str]:
        seen: set[str] = set()
        for name in value:
            key = name.casefold()
            if key in seen:
                raise ValueError(f"delegation {name!r} is listed twice")
            seen.add(key)
        return value



class Block(_Strict):
    title: str = Field(min_length=1)
    guiding_question: str = ""
    presenters: list[str] = Field(default_factory=list)


class Item(_Strict):
    title: str = Field(min_length=1)
    moderator: Optional[str] = None
    blocks: list[Block] = Field(default_factory=list)


class OrderOfBusiness(_Strict):
    document: str = ""
    items: list[Item] = Field(min_length=1)


class MinutesStyle(_Strict):
    """How the minutes list delegations. The secretariat's own minutes list those that spoke in
    Spanish alphabetical order (Estados Unidos under E) and the quorum in English order."""

    speakers_order: Literal["spanish", "english", "spoken"] = "spanish"
    quorum_order: Literal["english", "spanish"] = "english"


class MeetingSpec(_Strict):
    meeting: Meeting
    presiding: Person
    participants: Participants = Field(default_factory=Participants)
    order_of_business: OrderOfBusiness
    minutes: MinutesStyle = Field(default_factory=MinutesStyle)
    # Terms the recording uses that the spec does not otherwise name (acronyms such as CICTE,
    # document symbols, place names): transcription is biased towards hearing them.
    vocabulary: list[Annotated[str, Field(min_length=1, max_length=80)]] = Field(default_factory=list, max_length=200)

    @model_validator(mode="after")
    def _names_are_unique(self) -> "MeetingSpec":
        labels = self.roster_labels()
        seen: set[str] = set()
        for label in labels:
            if label.casefold() in seen:
                raise ValueError(f"{label!r} is named twice in the roster")
            seen.add(label.casefold())
        return self

    # The roster: everything an utterance can be attributed to.
    def people(self) -> list[Person]:
        """Officials, moderators and presenters, each once, with the role the spec gives them."""
        found: dict[str, Person] = {}
        for person in self.participants.officials:
            found.setdefault(person.name, person)
        for item in self.order_of_business.items:
            if item.moderator:
                found.setdefault(item.moderator, Person(name=item.moderator, role="moderator"))
            for block in item.blocks:
                for name in block.presenters:
                    found.setdefault(name, Person(name=name, role="presenter"))
        return list(found.values())

    def roster_labels(self) -> list[str]:
        """Every legal value of an utterance's ``attribution``: "Chair", delegations, people."""
        people = [p.name for p in self.people() if p.name != self.presiding.name]
        return ["Chair", *self.participants.delegations, *self.participants.observers, *people]

    def languages(self) -> list[str]:
        """Languages spoken: ``meeting.languages`` if given, all four for ``auto``, else the one."""
        if self.meeting.languages:
            return list(dict.fromkeys(self.meeting.languages))
        if self.meeting.language == "auto":
            return ["en", "es", "pt", "fr"]
        return [self.meeting.language]

    @property
    def slug(self) -> str:
        return slugify(self.meeting.id)


def slugify(text: str) -> str:
    """A file-name-safe, traversal-free folder name: ``CP/CSH-1942/19`` -> ``cp-csh-1942-19``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if not slug:
        raise SpecError(f"meeting.id {text!r} has no letters or digits to name a folder with")
    return slug[:120]


def _location(loc: tuple) -> str:
    parts: list[str] = []
    for part in loc:
        if isinstance(part, int):
            parts[-1] = f"{parts[-1]}[{part}]" if parts else f"[{part}]"
        else:
            parts.append(str(part))
    return ".".join(parts) or "(top level)"


def _known_keys(loc: tuple) -> list[str]:
    """Field names allowed at the parent of ``loc``, to suggest the one a typo meant."""
    model: type[BaseModel] | None = MeetingSpec
    for part in loc[:-1]:
        if isinstance(part, int) or model is None:
            continue
        field = model.model_fields.get(str(part))
        if field is None:
            return []
        annotation = field.annotation
        args = getattr(annotation, "__args__", ())
        candidates = [annotation, *args]
        model = next((c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None)
    return list(model.model_fields) if model else []


def _describe(error: dict) -> str:
    loc = tuple(error["loc"])
    where = _location(loc)
    if error["type"] == "extra_forbidden":
        close = difflib.get_close_matches(str(loc[-1]), _known_keys(loc), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return f"{where}: unknown key{hint}"
    if error["type"] == "missing":
        return f"{where}: required field is missing"
    message = error["msg"].removeprefix("Value error, ")
    return f"{where}: {message}"


def parse_spec(data: object, source: str = "spec") -> MeetingSpec:
    """Validate already-loaded YAML data; raise :class:`SpecError` with a one-line message."""
    if not isinstance(data, dict):
        raise SpecError(f"{source}: expected a mapping with meeting, presiding, order_of_business")
    try:
        return MeetingSpec.model_validate(data)
    except ValidationError as exc:
        # A misspelt key also makes its field "missing": report the misspelling first.
        errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
        problems = [_describe(e) for e in errors]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise SpecError(f"{source}: {problems[0]}{more}") from None


def load_spec(path: Path) -> MeetingSpec:
    """Read and validate a spec file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError(f"{path}: spec file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"{path}: cannot read spec ({exc})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise SpecError(f"{path}: YAML syntax error{where}: {problem}") from None
    return parse_spec(data, str(path))

