"""The ground floor: what every layer uses — errors, progress reports, the display protocol,
config fields and memory checks.  Imports nothing else from minimodels.
"""
