"""Prefect flows: wiring of the stages in ``pipeline/``, no logic of their own."""
