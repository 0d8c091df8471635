"""One module per canonical experiment.

Each module holds a frozen config dataclass (defaults finish in seconds; a ``paper`` preset
reproduces the published scale), a pure ``run(config, *, on_progress=None) -> Result``, and
the gallery section(s) it contributes, registered with :func:`minimodels.gallery.section`.
The gallery imports every module here, so adding a file adds a section.
"""
