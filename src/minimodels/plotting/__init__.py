"""Pictures, drawn with matplotlib's object-oriented API and never with pyplot.

Every plotting function takes an optional ``ax`` and returns the ``Figure`` it drew on.  A new
figure is a bare :class:`matplotlib.figure.Figure` (Agg canvas), so nothing here opens a window
or touches global state, and matplotlib is imported only when a picture is actually drawn.

Results draw themselves (``result.plot()``, and in Jupyter) through :mod:`minimodels.base.display`:
each module here registers, with ``@drawer``, the picture of the result types it draws, so
compute modules never import this package.
"""

from __future__ import annotations

from minimodels.base.display import (
    Drawable as Drawable,  # the old home of the mixin
    set_style,
)

# Each plotting module registers the drawers of the results it draws (minimodels.base.display).
from minimodels.plotting import (
    automata as automata,
    bayes as bayes,
    bias as bias,
    debate as debate,
    evolution as evolution,
    grokking as grokking,
    insides as insides,
    nets as nets,
    occam as occam,
    spacetime as spacetime,
    why_nets as why_nets,
)
from minimodels.plotting.canvas import (
    CA_COLOURS as CA_COLOURS,
    RULE_PAIRS as RULE_PAIRS,
    STYLE as STYLE,
    axes_or_new as axes_or_new,
    new_figure as new_figure,
    png_bytes as png_bytes,
    styled as styled,
)

set_style(styled)  # every result draws itself in the lab's style sheet (minimodels.mplstyle)
