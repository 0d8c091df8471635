"""Render gallery sections as HTML: one fragment per section (kept in the section's folder),
joined into one self-contained page (figures are sibling PNG files)."""

from __future__ import annotations

import datetime as _dt
import html
import json
import math
from pathlib import Path
from typing import Any

from minimodels._version import __version__
from minimodels.runtime.storage import to_jsonable

_CSS = """
:root { --ink:#1d2327; --muted:#5f6b73; --rule:#e3e6e8; --accent:#b5651d; --bg:#fbfaf7; }
* { box-sizing: border-box; }
body { margin:0; font:16px/1.55 system-ui,-apple-system,"Segoe UI",sans-serif; color:var(--ink);
       background:var(--bg); }
header { padding:2.2rem 3rem 1.2rem; border-bottom:1px solid var(--rule); background:#fff; }
header h1 { margin:0; font-size:2rem; letter-spacing:-0.01em; }
header h1 span { color:var(--accent); }
header p { margin:.4rem 0 0; color:var(--muted); max-width:60rem; }
nav { padding:.8rem 3rem; border-bottom:1px solid var(--rule); background:#fff; font-size:.9rem;
      display:flex; flex-wrap:wrap; gap:.35rem 1.2rem; }
nav a { color:var(--ink); text-decoration:none; }
nav a:hover { color:var(--accent); }
main { padding:0 3rem 4rem; max-width:88rem; }
section { margin-top:2.6rem; padding-top:.4rem; }
h2 { font-size:1.45rem; margin:.2rem 0 .6rem; }
h2 small { font-weight:normal; color:var(--muted); font-size:.8rem; margin-left:.6rem; }
.intro p { max-width:56rem; margin:.3rem 0 .7rem; }
.figures { display:flex; flex-wrap:wrap; gap:1.2rem; margin:1rem 0; }
figure { margin:0; background:#fff; border:1px solid var(--rule); border-radius:6px; padding:.6rem;
         max-width:100%; }
figure img { display:block; max-width:100%; max-height:34rem; }
figcaption { font-size:.85rem; color:var(--muted); margin-top:.4rem; max-width:40rem; }
table { border-collapse:collapse; font-size:.9rem; margin:.6rem 0 1rem; background:#fff; }
th, td { border:1px solid var(--rule); padding:.25rem .7rem; text-align:left; }
th { background:#f3f1ec; font-weight:600; }
td.num { text-align:right; font-variant-numeric:tabular-nums; }
.caption { font-size:.85rem; color:var(--muted); margin:.8rem 0 .1rem; }
details { margin:.6rem 0; font-size:.85rem; }
summary { cursor:pointer; color:var(--muted); }
pre { background:#f3f1ec; padding:.7rem; border-radius:4px; overflow-x:auto; font-size:.8rem; }
.error { border-left:4px solid #c0392b; background:#fdf0ee; padding:.6rem 1rem; }
footer { padding:1.5rem 3rem; color:var(--muted); font-size:.85rem;
         border-top:1px solid var(--rule); }
"""


def format_number(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return "—" if value is None else str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "∞" if value > 0 else "−∞"
        if value != 0 and (abs(value) >= 1e6 or abs(value) < 1e-3):
            return f"{value:.3g}"
        return f"{value:,.4g}" if abs(value) < 1e4 else f"{value:,.0f}"
    return str(value)


def _cell(value: Any) -> str:
    css = ' class="num"' if isinstance(value, int | float) and not isinstance(value, bool) else ""
    return f"<td{css}>{html.escape(format_number(value))}</td>"


def _paragraphs(text: str) -> str:
    blocks = [b.strip() for b in text.strip().split("\n\n") if b.strip()]
    return "".join(f"<p>{html.escape(' '.join(b.split()))}</p>" for b in blocks)


def _table(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return ""
    columns = list(dict.fromkeys(key for row in rows for key in row))
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in columns)
    body = "".join("<tr>" + "".join(_cell(row.get(c)) for c in columns) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _section(outcome: Any) -> str:
    spec = outcome.spec
    timing = f"<small>{outcome.seconds:.1f} s</small>"
    parts = [f'<section id="{html.escape(spec.key)}">']
    if outcome.error is not None:
        parts.append(f"<h2>{html.escape(spec.title)}{timing}</h2>")
        first, _, rest = outcome.error.partition("\n")
        parts.append(f'<div class="error"><p>This section failed: {html.escape(first)}</p>')
        parts.append(f"<details><summary>traceback</summary><pre>{html.escape(rest)}</pre>")
        parts.append("</details></div></section>")
        return "".join(parts)
    result = outcome.section
    parts.append(f"<h2>{html.escape(result.title)}{timing}</h2>")
    parts.append(f'<div class="intro">{_paragraphs(result.intro)}</div>')
    if outcome.figure_files:
        parts.append('<div class="figures">')
        for item, path in zip(result.figures, outcome.figure_files, strict=True):
            caption = (
                f"<figcaption>{html.escape(item.caption)}</figcaption>" if item.caption else ""
            )
            alt = html.escape(item.caption or item.name)
            parts.append(f'<figure><img src="{html.escape(path)}" alt="{alt}">{caption}</figure>')
        parts.append("</div>")
    if result.numbers:
        rows = "".join(
            f"<tr><th>{html.escape(str(k))}</th>{_cell(v)}</tr>" for k, v in result.numbers.items()
        )
        parts.append(f'<p class="caption">Headline numbers</p><table>{rows}</table>')
    for caption, rows in result.tables:
        parts.append(f'<p class="caption">{html.escape(caption)}</p>{_table(rows)}')
    if result.config or result.command:
        parts.append("<details><summary>reproduce</summary>")
        if result.command:
            parts.append(f"<pre>{html.escape(result.command)}</pre>")
        if result.config:
            text = json.dumps(to_jsonable(result.config), indent=2)
            parts.append(f"<pre>{html.escape(text)}</pre>")
        parts.append("</details>")
    parts.append("</section>")
    return "".join(parts)


FRAGMENT = "section.html"  # a section's rendered HTML, in its own folder
META = "section.json"  # its title, timing and the scale and seed it was built at


def write_fragment(folder: Path, outcome: Any, *, quick: bool, seed: int) -> None:
    """Render one section into ``folder`` (created), so any later page can include it."""
    folder.mkdir(exist_ok=True)
    (folder / FRAGMENT).write_text(_section(outcome), encoding="utf-8")
    meta = {
        "key": outcome.spec.key,
        "title": outcome.spec.title,
        "seconds": outcome.seconds,
        "failed": outcome.error is not None,
        "quick": quick,
        "seed": seed,
    }
    (folder / META).write_text(json.dumps(meta), encoding="utf-8")


def has_fragment(folder: Path) -> bool:
    return (folder / FRAGMENT).is_file() and (folder / META).is_file()


def render_page(folders: list[Path], *, quick: bool, seed: int, seconds: float) -> str:
    """The page: every section whose fragment is in ``folders``, in that order."""

    metas = [json.loads((f / META).read_text(encoding="utf-8")) for f in folders]
    fragments = [(f / FRAGMENT).read_text(encoding="utf-8") for f in folders]
    when = _dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    scale = "quick scale" if quick else "laptop scale"
    nav = "".join(
        f'<a href="#{html.escape(m["key"])}">{html.escape(m["title"])}</a>' for m in metas
    )
    failed = sum(m["failed"] for m in metas)
    status = f" — {failed} section(s) failed" if failed else ""
    other = sum(m["quick"] != quick or m["seed"] != seed for m in metas)
    mixed = f" ({other} kept from a build at another scale or seed)" if other else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>minimodels gallery</title><style>{_CSS}</style></head>
<body>
<header><h1>mini<span>models</span> gallery</h1>
<p>Minimal models of machine learning, run on this machine: rule arrays trained by mutation,
simple functions dominating parameter space, nets seen from the inside.</p>
<p>{len(metas)} sections at {scale}, seed {seed}{mixed}, {seconds:.1f} s{status}.</p></header>
<nav>{nav}</nav>
<main>{"".join(fragments)}</main>
<footer>minimodels {html.escape(__version__)} · built {when} ·
rerun with <code>minimodels gallery{" --quick" if quick else ""} --seed {seed}</code></footer>
</body></html>
"""
