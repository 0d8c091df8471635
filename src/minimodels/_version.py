"""The installed package's version, on the ground floor so that what records it in a run
(storage's manifests, the gallery's footer) need not import the package's top."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("minimodels")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
