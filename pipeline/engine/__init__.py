"""What runs the stages: the stage list with each stage's inputs, outputs and cache key
(:mod:`~pipeline.engine.registry`), and the runner that checks the manifest, reuses what is
current, runs the rest and holds the heavy-stage slots (:mod:`~pipeline.engine.runner`)."""
