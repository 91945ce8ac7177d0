"""Drafting points with a language model, when the user has one, without trusting it.

Any OpenAI-compatible endpoint (Ollama, vLLM, llama.cpp's server, a hosted API) given with
``--llm URL`` rewrites each intervention as minutes points; the prompt is
``prompts/points.md.j2``. Every point it returns is checked against the utterance it came from
(:func:`support`): its numbers and names must be in the source, and most of its content words
too. A point that fails is not published as the model wrote it: the extractive point is used, with
a flag saying what the model added (so the rapporteur sees it, in every format). Long
interventions are sent in chunks of whole sentences.

The API key, if any, comes from ``RAPPORTEUR_LLM_API_KEY`` and is never written to a work folder.
"""

from __future__ import annotations

import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Optional

from pipeline.errors import UserError
from pipeline.text.roster import fold

CHUNK_CHARS = 2400
# Words minutes add around what was said: reporting verbs, the subject, connectives.
FRAME = set("""the a an of and or to in on for with that this these those its their his her it they he she
delegation delegations representative chair chairman chairwoman committee council member state states
stated said noted indicated highlighted emphasized emphasised underscored stressed expressed
mentioned recalled added explained reiterated affirmed considered called urged supported welcomed
thanked proposed requested suggested reported informed observed pointed out also would could should
which who whom whose as by at from be is are was were been being has have had not no all any its
there here than then such importance important need needs continue continued further""".split())


class LLMError(UserError, RuntimeError):
    pass


@dataclass
class LLMOptions:
    """``url``: the endpoint's base (``http://127.0.0.1:8080/v1``); ``model``: the name it serves."""

    url: str
    model: str = "default"
    timeout: float = 120.0
    max_tokens: int = 150
    min_support: float = 0.75

    def cache_key(self) -> dict:
        return {"url": self.url, "model": self.model, "max_tokens": self.max_tokens,
                "min_support": self.min_support}


@dataclass
class Drafted:
    text: str
    supported: bool
    unsupported: list[str] = field(default_factory=list)


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+(?:[.,][0-9]+)*", fold(text))


def _numbers(text: str) -> set[str]:
    return {n.replace(",", "") for n in re.findall(r"\d[\d,]*(?:\.\d+)?", text)}


def support(point: str, source: str, allowed: list[str] = ()) -> tuple[float, list[str]]:
    """How much of ``point`` is in ``source``: (share of its content words found there, the words
    that are not). A number absent from the source makes the share 0: no figure is ever invented."""
    from rapidfuzz import fuzz

    source_words = set(_words(source))
    allowed_words = set(FRAME) | {w for name in allowed for w in _words(name)}
    content = [w for w in _words(point) if w not in allowed_words and len(w) > 2]
    missing = []
    for word in content:
        if word in source_words or any(w[:5] == word[:5] and len(word) > 4 for w in source_words):
            continue
        if not word.isdigit() and any(fuzz.ratio(word, w) >= 85 for w in source_words):
            continue
        missing.append(word)
    invented = _numbers(point) - _numbers(source)
    missing += [number for number in sorted(invented) if number not in missing]
    share = 0.0 if invented else 1.0 - len(missing) / max(1, len(content))
    return share, missing


class Client:
    """The smallest OpenAI-compatible chat client: one POST per request, no retries hidden."""

    def __init__(self, options: LLMOptions):
        if urllib.parse.urlparse(options.url).scheme not in ("http", "https"):
            raise LLMError(f"--llm {options.url!r}: give an http(s) address of an OpenAI-compatible API")
        self.options = options

    def chat(self, system: str, user: str) -> str:
        body = {"model": self.options.model, "temperature": 0, "seed": 0, "max_tokens": self.options.max_tokens,
                "messages": [{"role": "system", "content": system}, {"role": "user", "content": user}]}
        headers = {"Content-Type": "application/json"}
        key = os.environ.get("RAPPORTEUR_LLM_API_KEY")
        if key:
            headers["Authorization"] = f"Bearer {key}"
        request = urllib.request.Request(self.options.url.rstrip("/") + "/chat/completions",
                                         data=json.dumps(body).encode(), headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.options.timeout) as response:
                data = json.loads(response.read())
        except urllib.error.HTTPError as exc:
            raise LLMError(f"{self.options.url}: HTTP {exc.code} {exc.reason}") from None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            raise LLMError(f"{self.options.url}: cannot reach the language model ({exc})") from None
        except ValueError:
            raise LLMError(f"{self.options.url}: the answer is not JSON") from None
        try:
            return str(data["choices"][0]["message"]["content"] or "")
        except (KeyError, IndexError, TypeError):
            raise LLMError(f"{self.options.url}: no choices[0].message.content in the answer") from None


def _chunks(text: str, size: int = CHUNK_CHARS) -> list[str]:
    from pipeline.text.report import sentences

    chunks, current = [], ""
    for sentence in sentences(text):
        if current and len(current) + len(sentence) + 1 > size:
            chunks.append(current)
            current = ""
        current = f"{current} {sentence}".strip()
    return chunks + ([current] if current else [])


BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+(.+)$")


def _bullets(answer: str) -> list[str]:
    """The answer's bullet lines (the prompt asks for nothing else; other lines are ignored)."""
    found = [BULLET.match(line) for line in answer.splitlines()]
    return [m.group(1).strip() for m in found if m and len(m.group(1).split()) >= 4]


class LLMDrafter:
    """Points for one intervention, from the model, each checked against the intervention."""

    def __init__(self, options: LLMOptions):
        from pipeline.minutes.render import environment

        self.options = options
        self.client = Client(options)
        self.template = environment(False).get_template("points.md.j2")
        self.stats = {"requests": 0, "answers_without_points": 0, "accepted": 0, "rejected": 0}

    def points(self, text: str, subject: str, limit: int, allowed: list[str]) -> list[Drafted]:
        drafted: list[Drafted] = []
        for chunk in _chunks(text):
            prompt = self.template.render(subject=subject, text=chunk, limit=limit)
            system, _, user = prompt.partition("\n---\n")
            self.stats["requests"] += 1
            bullets = _bullets(self.client.chat(system.strip(), user.strip()))[:limit]
            self.stats["answers_without_points"] += not bullets
            for bullet in bullets:
                share, missing = support(bullet, chunk, [subject, *allowed])
                ok = share >= self.options.min_support
                self.stats["accepted" if ok else "rejected"] += 1
                drafted.append(Drafted(bullet, ok, missing))
        return drafted[:limit]


def options_from(url: Optional[str], model: Optional[str]) -> Optional[LLMOptions]:
    if not url:
        return None
    return LLMOptions(url=url, model=model or "default")
