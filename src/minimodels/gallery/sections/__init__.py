"""The gallery's sections: one module per experiment family.

Each module builds its sections from the experiment module of the same name in
:mod:`minimodels.experiments` (which is pure compute and never imports the gallery) and
registers them with :func:`minimodels.gallery.section`; the prose, captions, headline numbers
and reproducing commands live here.  :func:`minimodels.gallery.discover` imports every module
of this package, so adding a module adds its sections.
"""
