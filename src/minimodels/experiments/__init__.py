"""One module per canonical experiment: pure compute.

Each module holds a frozen config dataclass (defaults finish in seconds; a ``paper`` preset
reproduces the published scale), a pure ``run(config, *, on_progress=None) -> Result``, and
its result classes.  No prose, report section or page is built here: the report layer above
imports these modules, never the other way round.
"""
