"""Compose a meeting script at random: who sits, in which voice, who speaks when, in what words.

Usage: python audio_samples/compose.py NAME [NAME ...]   (then generate.py renders the folder)
       python audio_samples/compose.py NAME --seed N --into DIR [--phrasebook wide]   (a held-out
       meeting of the same kind, drawn from another seed, written outside the repo: nothing was
       tuned on it; ``wide``: the chair gives the floor in more ways than the samples do)

The hand-written samples were built with the pipeline in mind: their voices were chosen to be
distinct. These are not. Each plan below fixes only the kind of meeting (its size, languages, how
its members are named); everything else is drawn from a seeded generator: each role's espeak-ng
voice and variant from the full lists the installed espeak-ng reports, its pitch and speed, the
order of speakers, how the chair gives the floor (from many phrasings, some of which no cue
pattern knows), whether a speaker names themselves, pauses, asides that give no floor, how the
chair states a decision. Lines that only run the meeting are marked ``kind: floor`` and decisions
``kind: decision`` (what ``rapporteur evaluate`` checks the minutes against). A plan may
force two roles into one voice so that no diarization can tell them apart.

Writes ``meeting.yaml`` and ``script.yaml`` into ``audio_samples/NAME/``; ``script.yaml`` lists
the roles whose rendered voices are identical (espeak-ng 1.51 ignores some variants).
"""

from __future__ import annotations

import hashlib
import random
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
BASE_LANGUAGE = {"en": "en", "es": "es", "pt": "pt", "fr": "fr"}
# Variants that do not make speech (no voicing) are left out; every other one may be drawn.
UNVOICED = {"whisper", "whisperf"}


def espeak_voices(language: str) -> list[str]:
    """The installed espeak-ng voices of a language (not mbrola's, which need other data)."""
    listing = subprocess.run(["espeak-ng", f"--voices={language}"], capture_output=True, text=True, check=True)
    voices = []
    for line in listing.stdout.splitlines()[1:]:
        parts = line.split()
        if len(parts) >= 5 and not parts[4].startswith("mb/") and not parts[4].startswith("!v/"):
            voices.append(parts[4].split("/", 1)[1].lower())
    return sorted(set(voices))


def espeak_variants() -> list[str]:
    listing = subprocess.run(["espeak-ng", "--voices=variant"], capture_output=True, text=True, check=True)
    names = [line.split()[4].split("/", 1)[1] for line in listing.stdout.splitlines()[1:] if len(line.split()) >= 5]
    return sorted(n for n in names if n not in UNVOICED)


# ---------------------------------------------------------------------------------------------
# What is said. {name} is how the speaker is called; {title} an agenda item's title.
FLOOR = {
    "en": ["{name}, you have the floor.", "I give the floor to {name}.", "We'll now go to {name}.",
           "Over to {name}.", "Next on my list is {name}.", "{name}, please.", "I recognize {name}.",
           "The next question goes to {name}.", "Let's hear from {name}.", "{name}, the floor is yours.",
           "I now invite {name} to take the floor.", "Now {name}. Go ahead."],
    "es": ["Tiene la palabra {name}.", "Le doy la palabra a {name}.", "A continuación, {name}.",
           "Cedo la palabra a {name}.", "{name}, tiene usted la palabra.", "Ofrezco la palabra a {name}.",
           "Adelante, {name}.", "El siguiente orador es {name}."],
    "pt": ["Passo a palavra a {name}.", "Tem a palavra {name}.", "Concedo a palavra a {name}."],
    "fr": ["Je donne la parole à {name}.", "La parole est à {name}.", "{name}, vous avez la parole."],
}
# A wider phrasebook (``--phrasebook wide``), for held-out meetings whose chair gives the floor in
# ways the committed samples never use: a check that the floor cue is a class of phrasings.
# The committed samples keep the plain one, so their seeds draw the same meeting as before.
WIDE_FLOOR = {
    "en": FLOOR["en"] + ["The floor goes to {name}.", "I'll now give the floor to {name}.", "{name}, over to you.",
                         "{name}, you have five minutes.", "We'll start with {name}.", "Up next is {name}.",
                         "I call upon {name}.", "Go ahead, {name}.", "{name} has asked for the floor. Please.",
                         "Let's go to {name}.", "I now hand the floor to {name}.", "{name}, you may proceed."],
    "es": FLOOR["es"] + ["Le damos la palabra a {name}.", "Cedo ahora la palabra a {name}.", "Con la palabra, {name}.",
                         "Invito a {name} a tomar la palabra.", "Corresponde el turno a {name}.",
                         "Seguidamente, {name}.", "Escuchamos ahora a {name}.", "Le ofrezco la palabra a {name}."],
    "pt": FLOOR["pt"] + ["Passo agora a palavra a {name}.", "Com a palavra, {name}.", "Convido {name} a fazer uso da palavra."],
    "fr": FLOOR["fr"] + ["Je donne maintenant la parole à {name}.", "J'invite {name} à prendre la parole.",
                         "C'est au tour de {name}."],
}
PHRASEBOOKS = {"plain": FLOOR, "wide": WIDE_FLOOR}
THANKS = {
    "en": ["Thank you, {name}.", "Thank you very much, {name}.", "Thanks, {name}.", "I thank {name}."],
    "es": ["Gracias, {name}.", "Muchas gracias, {name}.", "Agradezco a {name}."],
    "pt": ["Obrigado, {name}."], "fr": ["Merci, {name}."],
}
NO_NAME = {"en": ["Go ahead, please.", "Yes, please go ahead.", "Please."],
           "es": ["Adelante, por favor.", "Sí, adelante."], "pt": ["Por favor."], "fr": ["Je vous en prie."]}
ASIDE = {"en": ["{name}, please wait a moment; I will come back to you.", "{name}, one moment please, we have a speakers' list."],
         "es": ["{name}, un momento por favor, enseguida le doy la palabra."]}
OPEN = {"en": ["Thank you, Chair.", "Thank you, Mr. Chair.", "Thank you very much, Chair.", "Good afternoon.", ""],
        "es": ["Gracias, Presidente.", "Muchas gracias, señor Presidente.", "Gracias.", ""],
        "pt": ["Obrigado, senhor Presidente.", "Muito obrigado, Presidente.", ""],
        "fr": ["Merci, Monsieur le Président.", ""]}
SELF = {"en": ["{name} welcomes the report.", "{name} supports this initiative.", "{name} would like to make three points."],
        "es": ["{name} agradece el informe.", "{name} apoya esta iniciativa.", "{name} desea formular dos comentarios."],
        "pt": ["{name} agradece o relatório.", "{name} apoia esta iniciativa."],
        "fr": ["{name} remercie le Secrétariat.", "{name} appuie cette initiative."]}
DECISION = {"en": ["The Committee takes note of the report and of the comments of delegations.", "It is so decided."],
            "es": ["La Comisión toma nota del informe y de los comentarios de las delegaciones.", "Así queda decidido."]}
ITEM = {"en": ["We now move to item {n}, {title}.", "Let us turn to the next item, {title}.", "Item {n}: {title}.",
               "We'll now proceed to {title}."],
        "es": ["Pasamos al punto {n} del orden del día, {title}.", "Tenemos a consideración el punto {n}, {title}.",
               "A continuación, {title}."]}
STATEMENT = {
    "en": ["We believe that cooperation among member states is essential to address these challenges.",
           "The report shows real progress, but implementation remains uneven across the region.",
           "My government has adopted a national strategy and we are ready to share our experience.",
           "We ask the Secretariat to present a timeline and a budget for the next phase.",
           "Resources are limited, so we must set clear priorities for the coming year.",
           "Small states need technical assistance to meet these commitments.",
           "We support the proposal to create a working group open to all delegations.",
           "Data collection must improve before we can measure results.",
           "We are concerned that the mandate has grown faster than the funding.",
           "Civil society should be consulted at every stage of this process.",
           "Our ministry of justice trained more than two hundred officials last year.",
           "We propose that the draft resolution include a reference to gender equality.",
           "The timetable is ambitious, and we ask for flexibility on the reporting dates.",
           "We reiterate our commitment to the inter-American system.",
           "Regional training centres have proven to be a good investment.",
           "We need a clearer division of labour between the Secretariat and the member states."],
    "es": ["Consideramos que la cooperación entre los Estados miembros es esencial.",
           "El informe muestra avances, pero la implementación sigue siendo desigual en la región.",
           "Mi gobierno adoptó una estrategia nacional y estamos dispuestos a compartir nuestra experiencia.",
           "Solicitamos a la Secretaría un calendario y un presupuesto para la próxima etapa.",
           "Los recursos son limitados y debemos fijar prioridades claras.",
           "Apoyamos la propuesta de crear un grupo de trabajo abierto a todas las delegaciones.",
           "Es necesario mejorar la recolección de datos para medir los resultados.",
           "Proponemos incluir en el proyecto de resolución una referencia a la igualdad de género.",
           "Reiteramos nuestro compromiso con el sistema interamericano.",
           "La sociedad civil debe ser consultada en todas las etapas de este proceso."],
    "pt": ["Consideramos que a cooperação entre os Estados membros é essencial.",
           "O relatório mostra avanços, mas a implementação ainda é desigual na região.",
           "O meu governo adotou uma estratégia nacional e está disposto a compartilhar a sua experiência.",
           "Solicitamos à Secretaria um calendário e um orçamento para a próxima etapa.",
           "Apoiamos a proposta de criar um grupo de trabalho aberto a todas as delegações.",
           "Reiteramos o nosso compromisso com o sistema interamericano."],
    "fr": ["Nous estimons que la coopération entre les États membres est essentielle.",
           "Le rapport montre des progrès, mais la mise en œuvre reste inégale dans la région."],
}
QUESTION = ["Minister, how many new inspectors will be hired under this plan, and when?",
            "Can you tell the committee why the program was delayed by two years?",
            "What share of the funding has actually been spent in rural communities?",
            "Will the department publish the evaluation that was completed last spring?",
            "How will small businesses be consulted before the regulations come into force?",
            "My constituents are waiting for answers on the backlog of applications.",
            "The numbers in your report do not match the figures in the estimates.",
            "Has the department assessed the impact of these changes on indigenous communities?",
            "Why were the targets lowered in the latest plan?",
            "I would like to follow up on the question of housing for veterans."]
ANSWER = ["Thank you for the question. The department has hired one hundred and twenty inspectors so far.",
          "That is a fair point, and we expect the evaluation to be published before the summer.",
          "We are working with the provinces to reduce the backlog, and the numbers are improving.",
          "The funding is committed, and most of it will flow in the next fiscal year.",
          "I will ask my officials to provide the committee with the detailed figures in writing.",
          "The targets were adjusted after consultations with industry and communities."]
SURNAMES = ["Epp", "McKinnon", "Barrett", "Nguyen", "Lapointe", "Okafor", "Brunelle", "Sidhu", "Kowalski",
            "Desjardins", "Morrison", "Tremblay", "Achebe", "Fraser", "Gallant", "Hussain", "Ivanova", "Jensen",
            "Kapoor", "Larsen", "Mendes", "Nakamura", "Oduya", "Petrov", "Quigley", "Rasmussen", "Santos",
            "Thibault", "Umarov", "Vasquez", "Whitford", "Yazzie", "Zielinski", "Carrier", "Dhaliwal"]
GIVEN = ["Dave", "Karen", "Michael", "Anita", "Louis", "Grace", "Pierre", "Jasraj", "Tom", "Julie", "Scott",
         "Marie", "Chidi", "Heather", "Rob", "Salma", "Elena", "Kirsten", "Ravi", "Anders", "Sofia", "Ken",
         "Amara", "Igor", "Sean", "Nils", "Paula", "Luc", "Timur", "Rosa", "Gordon", "Leah", "Piotr", "Anne"]


@dataclass
class Plan:
    """The kind of meeting: everything not drawn at random."""

    seed: int
    meeting_id: str
    body: str
    chair_language: str
    delegations: dict[str, str] = field(default_factory=dict)  # delegation -> language it speaks
    members: int = 0  # members of a parliamentary committee, called by title and surname
    witnesses: list[tuple[str, str]] = field(default_factory=list)  # (name, role) answering questions
    items: list[str] = field(default_factory=list)
    rounds: int = 1  # how many times each member/delegation speaks on the substantive item
    same_voice: tuple[str, ...] = ()  # roles forced into one voice
    languages: tuple[str, ...] = ("en",)
    bitrate: str = "48k"  # of the MP3: the long sessions are kept small
    comment: str = ""


PLANS = {
    "cp-cajp-spanish-chair": Plan(
        seed=1701, meeting_id="CP/CAJP-3850/25", body="Committee on Juridical and Political Affairs",
        chair_language="es", languages=("es", "pt", "en"),
        delegations={"Argentina": "es", "Brazil": "pt", "Ecuador": "es", "Canada": "en", "Paraguay": "es",
                     "Uruguay": "es", "Peru": "es"},
        items=["Aprobación del orden del día", "Informe sobre el Programa Interamericano de Facilitadores Judiciales",
               "Otros asuntos"], rounds=2,
        comment="A meeting chaired in Spanish: delegations speak Spanish, Portuguese and English."),
    "cp-csh-merged-voices": Plan(
        seed=2203, meeting_id="CP/CSH-2077/25", body="Committee on Hemispheric Security", chair_language="en",
        delegations={"Mexico": "en", "Chile": "en", "Jamaica": "en", "Colombia": "en", "Guatemala": "en",
                     "Barbados": "en"},
        items=["Adoption of the order of business", "Report of the Inter-American Drug Abuse Control Commission",
               "Other business"], rounds=2, same_voice=("Mexico", "Chile"),
        comment="Two delegations (Mexico, Chile) speak in exactly the same espeak-ng voice: no voice model can "
                "tell them apart, only what is said can."),
    "committee-members-25": Plan(
        seed=3307, meeting_id="FINA-42/26", body="Standing Committee on Public Accounts", chair_language="en",
        members=22, witnesses=[("Helen Abara", "Minister of Public Works"), ("Marc Olsen", "Deputy Minister of Public Works")],
        items=["Adoption of the agenda", "Questions to the Minister on the main estimates", "Committee business"],
        rounds=2, bitrate="24k",
        comment="A parliamentary committee: 22 members called by title and surname, two witnesses answering."),
}


class Composer:
    def __init__(self, plan: Plan, floor: dict[str, list[str]] = FLOOR):
        self.plan = plan
        self.floor = floor
        self.rng = random.Random(plan.seed)
        self.lines: list[dict] = []
        self.item: int | None = None

    def pick(self, options: list[str]) -> str:
        return self.rng.choice(options)

    def say(self, who: str, text: str, language: str, **extra) -> None:
        text = " ".join(text.split())
        line = {"who": who, "item": self.item, "text": text[:1].upper() + text[1:]}
        if language != "en":
            line["language"] = language
        line.update(extra)
        self.lines.append(line)

    def chair(self, text: str, **extra) -> None:
        self.say("Chair", text, self.plan.chair_language, **extra)


def _called(composer: Composer, who: str, people: dict[str, str], language: str) -> str:
    """How the chair calls ``who``: a delegation by its name in the chair's language, sometimes
    with "the delegation of"; a person by title and surname."""
    from pipeline.text.roster import name_in  # the project's names of member states in the four languages

    if who in people:
        surname = who.split()[-1]
        return composer.pick([f"{people[who]} {surname}", f"{people[who]} {surname}", who])
    name = name_in(who, language)
    if language == "es":
        return composer.pick([name, name, f"la delegación de {name}", f"la distinguida delegación de {name}"])
    if language == "pt":
        return composer.pick([name, f"a delegação de {name}"])
    return composer.pick([name, name, f"the delegation of {name}", f"the distinguished delegation of {name}"])


def compose(plan: Plan, phrasebook: str = "plain") -> tuple[dict, dict]:
    c = Composer(plan, PHRASEBOOKS[phrasebook])
    rng = c.rng
    lang = plan.chair_language
    people: dict[str, str] = {}  # person -> the title the chair uses
    officials = []
    if plan.members:
        surnames = rng.sample(SURNAMES, plan.members)
        for surname in surnames:
            name = f"{rng.choice(GIVEN)} {surname}"
            people[name] = rng.choice(["Mr.", "Ms.", "Mr.", "Ms.", "Dr."])
            officials.append({"name": name, "title": "Member of the Committee"})
    for name, role in plan.witnesses:
        people[name] = rng.choice(["Minister", "Mr.", "Ms."]) if "Deputy" not in role else rng.choice(["Mr.", "Ms."])
        officials.append({"name": name, "role": role})
    speakers = list(plan.delegations) + [p for p in people if p not in dict(plan.witnesses)]
    speaks = {**plan.delegations, **{p: "en" for p in people}}
    # Voices first: a later change to what is said does not redraw them.
    roles = ["Chair", *plan.delegations, *people]
    voices = draw_voices(rng, roles, {r: (lang if r == "Chair" else speaks[r]) for r in roles}, plan.same_voice)

    c.chair({"es": "Buenos días. Declaro abierta la sesión.", "en": "Good morning, everyone. I call this meeting to order."}[lang],
            kind="floor")
    for n, title in enumerate(plan.items, start=1):
        c.item = n
        c.chair(c.pick(ITEM[lang]).format(n=n, title=title), kind="floor")
        if n == 1:
            c.chair({"es": "Si no hay objeciones, queda aprobado.", "en": "Is it agreed? It is agreed."}[lang], kind="decision")
            continue
        if n == len(plan.items):
            c.chair({"es": "No habiendo otros asuntos, se levanta la sesión. Muchas gracias.",
                     "en": "Seeing no other business, the meeting is adjourned. Thank you all."}[lang], kind="floor")
            continue
        order = [s for _ in range(plan.rounds) for s in rng.sample(speakers, len(speakers))]
        previous = None
        for who in order:
            language = speaks[who]
            prefix = c.pick(THANKS[lang]).format(name=_called(c, previous, people, lang)) + " " if previous and rng.random() < 0.6 else ""
            if rng.random() < 0.08 and plan.witnesses:
                c.chair(prefix + c.pick(ASIDE.get(lang, ASIDE["en"])).format(name=people[plan.witnesses[0][0]]), kind="floor")
                prefix = ""
            floor = c.pick(NO_NAME[lang]) if rng.random() < 0.1 else c.pick(c.floor[lang]).format(name=_called(c, who, people, lang))
            c.chair(prefix + floor, pause=round(rng.uniform(0.3, 1.0), 2), kind="floor")
            body = [c.pick(OPEN[language])]
            if who in plan.delegations and rng.random() < 0.4:
                from pipeline.text.roster import name_in
                body.append(c.pick(SELF[language]).format(name=name_in(who, language)))
            if who in people:
                if rng.random() < 0.3:
                    body.append(f"I'm {who.split()[0]} {who.split()[-1]}.")
                body += rng.sample(QUESTION, rng.randint(2, 3))
            else:
                body += rng.sample(STATEMENT[language], rng.randint(2, 4))
            c.say(who, " ".join(b for b in body if b), language, pause=round(rng.uniform(0.4, 1.2), 2))
            if plan.witnesses and who in people:
                witness = rng.choice(plan.witnesses)[0]
                if rng.random() < 0.5:
                    c.chair(c.pick(c.floor["en"]).format(name=_called(c, witness, people, "en")), kind="floor")
                c.say(witness, " ".join(rng.sample(ANSWER, rng.randint(1, 2))), "en", pause=round(rng.uniform(0.4, 1.0), 2))
            previous = who
        c.chair(c.pick(THANKS[lang]).format(name=_called(c, previous, people, lang)), kind="floor")
        c.chair(c.pick(DECISION[lang]), kind="decision")

    spec = {
        "meeting": {"id": plan.meeting_id, "body": plan.body, "kind": "regular meeting", "date": "2025-10-02",
                    "recording": "meeting.mp3", "languages": list(plan.languages)},
        "presiding": {"name": "Laura Quintero" if lang == "es" else "John Aldous", "role": "Chair"},
        "participants": {"delegations": list(plan.delegations), "officials": officials},
        "order_of_business": {"items": [{"title": t} for t in plan.items]},
    }
    if len(plan.languages) == 1:
        del spec["meeting"]["languages"]
        spec["meeting"]["language"] = plan.languages[0]
    script = {"voices": voices, "voices_speak_their_language": True, "bitrate": plan.bitrate, "pause": 0.8, "lines": c.lines}
    return spec, script


def draw_voices(rng: random.Random, roles: list[str], language: dict[str, str], same: tuple[str, ...]) -> dict:
    variants = espeak_variants()
    voices = {}
    for role in roles:
        base = rng.choice(espeak_voices(BASE_LANGUAGE[language[role]]))
        voices[role] = {"voice": f"{base}+{rng.choice(variants)}", "pitch": rng.randint(25, 75),
                        "speed": rng.randint(135, 170)}
    for role in same[1:]:
        voices[role] = dict(voices[same[0]])
    return voices


def identical_voices(voices: dict) -> list[list[str]]:
    """Roles whose voices render a test sentence to the same samples (same voice, or a variant
    espeak-ng ignores, at the same pitch and speed)."""
    groups: dict[str, list[str]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for role, voice in voices.items():
            out = Path(tmp) / "probe.wav"
            subprocess.run(["espeak-ng", "-v", voice["voice"], "-p", str(voice["pitch"]), "-s", str(voice["speed"]),
                            "-w", str(out), "--", "one two three four five"], check=True)
            groups.setdefault(hashlib.sha256(out.read_bytes()[44:]).hexdigest(), []).append(role)
    return [g for g in groups.values() if len(g) > 1]


def write(name: str, seed: int | None = None, into: Path | None = None, phrasebook: str = "plain") -> None:
    plan = PLANS[name] if seed is None else replace(PLANS[name], seed=seed)
    folder = into or HERE / name
    folder.mkdir(parents=True, exist_ok=True)
    spec, script = compose(plan, phrasebook)
    same = identical_voices(script["voices"])
    book = "" if phrasebook == "plain" else f", phrasebook {phrasebook!r}"
    header = (f"# Composed at random by audio_samples/compose.py (plan {name!r}, seed {plan.seed}{book}); rendered by\n"
              f"# audio_samples/generate.py. {plan.comment}\n")
    (folder / "meeting.yaml").write_text(header + yaml.safe_dump(spec, sort_keys=False, allow_unicode=True, width=110))
    note = "; ".join(" = ".join(g) for g in same) or "none"
    (folder / "script.yaml").write_text(
        header + f"# Voices drawn at random; roles that render identically: {note}.\n"
        + yaml.safe_dump(script, sort_keys=False, allow_unicode=True, width=110))
    print(f"{name}: {len(script['lines'])} lines, {len(script['voices'])} voices, identical: {note}")


if __name__ == "__main__":
    import argparse

    sys.path.insert(0, str(HERE.parent))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="+", choices=sorted(PLANS))
    parser.add_argument("--seed", type=int, help="draw from this seed instead of the plan's")
    parser.add_argument("--into", type=Path, help="folder to write (with one name only)")
    parser.add_argument("--phrasebook", choices=sorted(PHRASEBOOKS), default="plain",
                        help="how the chair gives the floor: the samples' phrasings, or a wider set (held-out meetings)")
    args = parser.parse_args()
    if args.into and len(args.names) > 1:
        parser.error("--into takes one plan")
    for name in args.names:
        write(name, args.seed, args.into, args.phrasebook)
