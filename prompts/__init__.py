"""The minutes' templates (Jinja2). A package only so that an installed rapporteur (a wheel, not
the source tree) carries them: it installs as ``rapporteur_prompts`` (see pyproject.toml), and
:data:`pipeline.minutes.render.PROMPTS` finds them there when there is no source tree around."""
