"""One style sheet for every figure: applied while drawing, and matplotlib's settings restored."""

import matplotlib

from minimodels.base.display import draw_as, drawer
from minimodels.plotting import STYLE, styled


def _sheet() -> dict[str, str]:
    """The sheet's settings, read as plain text (the reference, independent of matplotlib)."""
    pairs = {}
    for line in STYLE.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            key, value = (part.strip() for part in line.split(":", 1))
            pairs[key] = value
    return pairs


def test_styled_applies_the_sheet_and_restores_the_callers_settings():
    sheet = _sheet()
    assert float(sheet["font.size"]) >= 9 and float(sheet["xtick.labelsize"]) >= 8
    before = dict(matplotlib.rcParams)
    matplotlib.rcParams["font.size"] = 17.0  # a notebook's own choice
    try:
        with styled():
            assert matplotlib.rcParams["font.size"] == float(sheet["font.size"])
            colours = [c["color"] for c in matplotlib.rcParams["axes.prop_cycle"]]
            assert colours[:3] == ["#0072B2", "#D55E00", "#009E73"]  # Okabe–Ito first
            assert matplotlib.rcParams["axes.formatter.use_mathtext"] is True
        assert matplotlib.rcParams["font.size"] == 17.0
    finally:
        matplotlib.rcParams.update(before)


def test_results_draw_themselves_in_the_style():
    drawer("test-style-probe")(lambda: matplotlib.rcParams["legend.fontsize"])
    assert draw_as("test-style-probe") == float(_sheet()["legend.fontsize"])
