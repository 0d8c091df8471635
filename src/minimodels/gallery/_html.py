"""Render gallery sections as HTML: one fragment per section (kept in the section's folder),
joined into one self-contained page (figures are sibling PNG files)."""

from __future__ import annotations

import dataclasses
import datetime as _dt
import html
import json
import math
import re
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from minimodels._version import __version__
from minimodels.gallery import claims
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
@media (max-width:40rem) { header, nav, main, footer { padding-left:1rem;
                                                     padding-right:1rem; } }
section { margin-top:2.6rem; padding-top:.4rem; }
h2 { font-size:1.45rem; margin:.2rem 0 .6rem; }
h2 small { font-weight:normal; color:var(--muted); font-size:.8rem; margin-left:.6rem; }
.intro p, .intro ul, .intro ol { max-width:56rem; margin:.3rem 0 .7rem; }
.figures { display:flex; flex-wrap:wrap; gap:1.2rem; margin:1rem 0; align-items:flex-start; }
figure { margin:0; background:#fff; border:1px solid var(--rule); border-radius:6px; padding:.6rem;
         max-width:100%; flex:0 1 auto; }
figure.wide { flex:1 1 100%; }
figure a { display:block; cursor:zoom-in; }
figure img { display:block; max-width:100%; height:auto; }
figcaption { font-size:.85rem; color:var(--muted); margin-top:.4rem; max-width:56rem; }
.table-wrap { max-width:100%; overflow-x:auto; margin:.6rem 0 1rem; }
.table-wrap table { margin:0; }
.verdict { color:#fff; border-radius:3px; padding:.05rem .45rem; font-size:.8rem;
           font-weight:600; white-space:nowrap; }
table { border-collapse:collapse; font-size:.9rem; margin:.6rem 0 1rem; background:#fff; }
th, td { border:1px solid var(--rule); padding:.25rem .7rem; text-align:left; }
th { background:#f3f1ec; font-weight:600; }
td.num { text-align:right; font-variant-numeric:tabular-nums; }
.caption { font-size:.85rem; color:var(--muted); margin:.8rem 0 .1rem; }
details { margin:.6rem 0; font-size:.85rem; }
summary { cursor:pointer; color:var(--muted); }
code { font:.86em/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;
       background:#f0ede6; padding:.05em .3em; border-radius:3px; }
pre { background:#f3f1ec; padding:.7rem; border-radius:4px; overflow-x:auto; font-size:.8rem; }
pre code { background:none; padding:0; font-size:inherit; }
sup { line-height:0; }
.error { border-left:4px solid #c0392b; background:#fdf0ee; padding:.6rem 1rem; }
footer { padding:1.5rem 3rem; color:var(--muted); font-size:.85rem;
         border-top:1px solid var(--rule); }
"""


def format_number(value: Any, key: str | None = None) -> str:
    """``value`` for a table cell; ``key`` (its column or label) names what it is: ints under
    a key that mentions a seed print without thousands separators (a seed is an identifier,
    not a quantity)."""
    if isinstance(value, bool) or value is None:
        return "—" if value is None else str(value)
    if isinstance(value, int):
        if key is not None and "seed" in key.lower():
            return str(value)
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


# Powers of ten written as plain text: 10^3, 10^-3, 10^−3, 10^(−3), 10^{3}.  Not after a
# digit, letter or point (so 210^3 stays as written).
_POWER = re.compile(r"(?<![\w.])10\^(?:\(\s*([−-]?\d+)\s*\)|\{\s*([−-]?\d+)\s*\}|([−-]?\d+))")


def _superscripts(state: StateCore) -> None:
    """markdown-it core rule: ``10^N`` in text (never in code) becomes 10<sup>N</sup>."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children: list[Token] = []
        for token in block.children:
            if token.type != "text" or "^" not in token.content:
                children.append(token)
                continue
            text, start = token.content, 0
            for match in _POWER.finditer(text):
                exponent = next(g for g in match.groups() if g is not None).replace("-", "−")
                children.append(_text(text[start : match.start()] + "10", token.level))
                children.append(Token("sup_open", "sup", 1, level=token.level))
                children.append(_text(exponent, token.level + 1))
                children.append(Token("sup_close", "sup", -1, level=token.level))
                start = match.end()
            if start:
                if start < len(text):
                    children.append(_text(text[start:], token.level))
            else:
                children.append(token)
        block.children = children


def _text(content: str, level: int) -> Token:
    return Token("text", "", 0, content=content, level=level)


def _markdown() -> MarkdownIt:
    # commonmark with raw HTML off: user text is Markdown, never markup of its own
    md = MarkdownIt("commonmark", {"html": False})
    md.core.ruler.push("superscripts", _superscripts)
    return md


_MD = _markdown()


def _paragraphs(text: str) -> str:
    """Prose (Markdown; blank lines separate paragraphs) as HTML blocks."""
    return _MD.render(text.strip())


def _inline(text: str) -> str:
    """One line of Markdown (a caption, a label, a table cell) as inline HTML."""
    return _MD.renderInline(" ".join(text.split()))


def _cell(value: Any, key: str | None = None) -> str:
    if isinstance(value, str):
        return f"<td>{_inline(value)}</td>"
    css = ' class="num"' if isinstance(value, int | float) and not isinstance(value, bool) else ""
    return f"<td{css}>{html.escape(format_number(value, key))}</td>"


def _table(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return ""
    columns = list(dict.fromkeys(key for row in rows for key in row))
    head = "".join(f"<th>{_inline(str(c))}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(_cell(row.get(c), str(c)) for c in columns) + "</tr>" for row in rows
    )
    return _scrolling(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


def _scrolling(table: str) -> str:
    """A table in a box that scrolls sideways when the table is wider than the page."""
    return f'<div class="table-wrap">{table}</div>'


WIDE_PX = 900  # a figure at least this many pixels wide takes a row of its own


def image_size(path: Path) -> tuple[int, int] | None:
    """(width, height) in pixels from a PNG's or a GIF's header, or None if it is missing or
    neither."""
    try:
        with open(path, "rb") as file:
            head = file.read(24)
    except OSError:
        return None
    if head[:6] in (b"GIF87a", b"GIF89a") and len(head) >= 10:
        width, height = int.from_bytes(head[6:8], "little"), int.from_bytes(head[8:10], "little")
    elif len(head) == 24 and head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR":
        width, height = int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
    else:
        return None
    return (width, height) if width > 0 and height > 0 else None


def _figure(path: str, caption: str, name: str, root: Path | None) -> str:
    """One figure: the image links to itself (full size in a new tab); a wide one (or one
    whose size is unknown) spans the content width, narrow ones may share a row."""
    size = image_size(root / path) if root is not None else None
    src = html.escape(path)
    alt = html.escape(" ".join((caption or name).split()))
    dims = f' width="{size[0]}" height="{size[1]}"' if size else ""
    css = "" if size and size[0] < WIDE_PX else ' class="wide"'
    text = f"<figcaption>{_inline(caption)}</figcaption>" if caption else ""
    return (
        f'<figure{css}><a href="{src}" target="_blank" title="open full size">'
        f'<img src="{src}" alt="{alt}" loading="lazy"{dims}></a>{text}</figure>'
    )


def _section(outcome: Any, root: Path | None = None) -> str:
    """One section's HTML; ``root`` is the folder its figure paths are relative to (the
    gallery), read for the figures' pixel sizes when given."""
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
            parts.append(_figure(path, item.caption, item.name, root))
        parts.append("</div>")
    if result.numbers:
        rows = "".join(
            f"<tr><th>{_inline(str(k))}</th>{_cell(v, str(k))}</tr>"
            for k, v in result.numbers.items()
        )
        table = _scrolling(f"<table>{rows}</table>")
        parts.append(f'<p class="caption">Headline numbers</p>{table}')
    for caption, rows in result.tables:
        parts.append(f'<p class="caption">{_inline(caption)}</p>{_table(rows)}')
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
    # figure paths are relative to the gallery, i.e. the parent of the section's folder
    (folder / FRAGMENT).write_text(_section(outcome, folder.parent), encoding="utf-8")
    meta = {
        "key": outcome.spec.key,
        "title": outcome.spec.title,
        "seconds": outcome.seconds,
        "failed": outcome.error is not None,
        "quick": quick,
        "seed": seed,
        "claims": [dataclasses.asdict(c) for c in getattr(outcome.section, "claims", None) or []],
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
    claims_html = claims.html_table(claims.collect(metas))
    nav = '<a href="#claims">Claims</a>' if claims_html else ""
    nav += "".join(
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
<main>{claims_html}{"".join(fragments)}</main>
<footer>minimodels {html.escape(__version__)} · built {when} ·
rerun with <code>minimodels gallery{" --quick" if quick else ""} --seed {seed}</code></footer>
</body></html>
"""
