"""Multiway mutation graphs and what tiny rule arrays can learn (SCIENCE.md §A.5, §A.7).

One section, ``evolution-multiway`` (26), built from :mod:`minimodels.experiments.multiway`:
the multiway graph of a tiny bump learner, reachability of zero loss, and the tables of what
And/Xor and {4, 146} arrays can represent and learn.
"""

from __future__ import annotations

from dataclasses import asdict, replace

from minimodels import gallery
from minimodels.experiments.multiway import (
    LearnabilityConfig,
    MultiwayConfig,
    learnability_tables,
    run,
)


@gallery.section("evolution-multiway", title="Multiway graphs and what can be learned", order=26)
def multiway_section(context: gallery.Context) -> gallery.Section:
    config = replace(MultiwayConfig(), seed=context.seed)
    result = run(config)
    summary = result.summary
    learn_config = replace(LearnabilityConfig(), seed=context.seed)
    if context.quick:
        learn_config = replace(learn_config, sizes=learn_config.sizes[:1], steps=5000)
    tables = learnability_tables(learn_config)
    section = gallery.Section(
        title="Multiway graphs and what can be learned",
        intro=(
            "Every possible training trajectory at once: for a 4-wide, 3-deep {4, 146} array "
            "on the 4-input bump, all 4096 arrays are enumerated with their losses, and an "
            "edge joins two arrays when one mutation leads from one to the other and the "
            "acceptance rule (loss ≤) keeps it. Paths branch and merge; there are many "
            "distinct solutions. Random evolution runs are walks on this graph.\n\n"
            "What can be learned: rules that map 000 to 0 can only make functions with "
            "f(0…0) = 0. And/Xor expression trees reach exactly the 8 two-input functions "
            "with f(0,0) = 0, with the minimum leaf counts Wolfram lists; brick And/Xor "
            "arrays reach them as they get deeper. Asking for f(0,0) = 1 is refused up front."
        ),
        numbers={
            "arrays": summary["arrays"],
            "graph edges": summary["edges"],
            "zero-loss arrays": summary["zero_loss_arrays"],
            "starts from which zero loss is reachable": (
                f"{100 * summary['fraction_of_starts_reaching_zero']:.1f} %"
            ),
            "mean shortest path to zero loss": round(summary["mean_shortest_path"], 2),
            "evolution runs that walk only along graph edges": (
                f"{result.walks_on_edges} of {result.runs}"
            ),
        },
        tables=[
            (
                "Shortest path to zero loss (mutations): number of starting arrays",
                [
                    {"mutations": i, "arrays": n}
                    for i, n in enumerate(summary["shortest_path_histogram"])
                    if n
                ],
            ),
            ("And/Xor trees and brick arrays: the 8 functions with f(0,0) = 0", tables["and_xor"]),
            (
                "Functions {4, 146} arrays can represent (exhaustive enumeration) and learn "
                "(one evolution run per function, same array size)",
                tables["sizes"],
            ),
        ],  # fmt: skip
        config={"multiway": asdict(config), "learnability": asdict(learn_config)},
        command="minimodels multiway --width 4 --depth 3 --rules 4,146 --out runs/multiway",
    )
    section.add_figure(
        "graph",
        result.multiway.plot(),
        "The multiway graph from a worst start (circled) that can still reach zero loss "
        "(green), in layers of loss.",
    )
    return section
