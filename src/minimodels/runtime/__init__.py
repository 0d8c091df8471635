"""The run protocol: a :class:`~minimodels.runtime.plans.Plan` (tasks, worker, merge) run by one
executor (serial, process pool or Ray) into one run directory (config check, refusal to
overwrite, resume, checksums, atomic tables).  Imports only :mod:`minimodels.base`.
"""
