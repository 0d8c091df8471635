"""The gallery opened in a real browser (headless Chromium), as a reader would open it.

A small quick gallery of real sections (wide figures, tables, claims) is served over HTTP on
localhost; a probe page loads it in a same-origin frame and reports, per image, whether it loaded
and at what width it is shown, and per link, whether its target exists.  Chromium's console
goes to stderr, where errors are looked for.  Skipped where no Chromium is installed, except
where ``MINIMODELS_REQUIRE_BROWSER=1`` (set by ``.ci/run``, which installs Debian's ``chromium``
package): there a missing browser fails the test, so a green CI means the browser test ran.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from minimodels import gallery

CHROMIUM = next(
    (path for name in ("chromium", "chromium-browser", "google-chrome")
     if (path := shutil.which(name))), None,
)  # fmt: skip
REQUIRED = os.environ.get("MINIMODELS_REQUIRE_BROWSER") == "1"
pytestmark = pytest.mark.skipif(
    CHROMIUM is None and not REQUIRED, reason="no Chromium on this machine"
)


def test_chromium_is_installed_where_the_browser_test_is_required():
    assert CHROMIUM is not None, "MINIMODELS_REQUIRE_BROWSER=1 but no Chromium is installed"


SECTIONS = [  # nets-insides: its film strips and the animated GIF
    "engine-speed", "evolution-lifetime", "nets-insides", "simplicity-substrates", "sgd-vs-bayes",
]  # fmt: skip
# figures are written at 100 dpi with text of at least 8 pt = 11 px; shown narrower than this
# share of their natural width, their smallest text would fall under 9 px
LEGIBLE_SHARE = 9 / 11

PROBE = """<!doctype html><html><body><iframe id="page" src="{page}"
 style="width:1280px;height:900px"></iframe><pre id="out">pending</pre><script>
const frame = document.getElementById("page");
frame.addEventListener("load", async () => {
  const doc = frame.contentDocument;
  const images = await Promise.all([...doc.images].map(async img => {
    if (!img.complete) await new Promise(done => { img.onload = img.onerror = done; });
    const link = img.closest("a");
    return {src: img.getAttribute("src"), natural: img.naturalWidth,
            shown: img.getBoundingClientRect().width,
            linked: !!link && link.getAttribute("href") === img.getAttribute("src")};
  }));
  const links = await Promise.all([...doc.querySelectorAll("a[href]")].map(async a => {
    const href = a.getAttribute("href");
    if (href === "#") return {href, ok: true};
    if (href.startsWith("#")) return {href, ok: !!doc.getElementById(href.slice(1))};
    const target = new URL(a.href);  // resolved against the page, not the probe
    if (target.origin !== location.origin) return {href, ok: true, external: true};
    const response = await fetch(target, {method: "HEAD"});
    return {href, ok: response.ok};
  }));
  document.getElementById("out").textContent = JSON.stringify({images, links});
});
</script></body></html>"""


@pytest.fixture(scope="module")
def probed(tmp_path_factory):
    """Build the small gallery, serve it, let Chromium run the probe; return its report."""
    root = tmp_path_factory.mktemp("browser") / "gallery"
    report = gallery.build(root, quick=True, only=SECTIONS)
    assert not report.failures, [o.error for o in report.failures]
    report, stderr = probe(root, "index.html")
    return report, stderr, root


def probe(root, page: str) -> tuple[dict, str]:
    """Serve ``root`` on localhost and let Chromium run the probe on ``page``: its images (did
    each load, at what width is it shown, does it link to itself) and its links (does the
    target exist); returns the report and Chromium's stderr (its console)."""
    name = f"probe-{page.replace('/', '-')}"
    (root / name).write_text(PROBE.replace("{page}", page), encoding="utf-8")
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/{name}"
        done = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom",
             "--virtual-time-budget=20000", "--enable-logging=stderr", "--v=0", url],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    finally:
        server.shutdown()
        server.server_close()
        (root / name).unlink()
    found = re.search(r'<pre id="out">(.*?)</pre>', done.stdout, re.S)
    assert found and found.group(1) != "pending", done.stderr[-2000:]
    return json.loads(found.group(1).replace("&amp;", "&")), done.stderr


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep pytest's output clean
        pass


def test_every_figure_loads_and_is_legible_or_opens_full_size(probed):
    report, _, root = probed
    figures = [i for i in report["images"] if i["src"].endswith((".png", ".gif"))]
    on_disk = sorted(p.relative_to(root).as_posix() for p in root.glob("*/*.[pg][ni][gf]"))
    assert sorted(i["src"] for i in figures) == on_disk  # every figure written is shown
    assert any(src.endswith(".gif") for src in on_disk)  # the animation too
    for image in figures:
        assert image["natural"] > 0, f"{image['src']} did not load"
        legible = image["shown"] >= LEGIBLE_SHARE * image["natural"]
        assert legible or image["linked"], f"{image['src']} shown at {image['shown']:.0f} px"


def test_no_link_is_broken_and_the_claims_lead_the_page(probed):
    report, _, root = probed
    broken = [link["href"] for link in report["links"] if not link["ok"]]
    assert not broken
    hrefs = [link["href"] for link in report["links"]]
    assert "#claims" in hrefs and any(h.endswith(".png") for h in hrefs)
    page = (root / "index.html").read_text(encoding="utf-8")
    assert page.index('id="claims"') < page.index('id="engine-speed"')


def test_the_console_shows_no_errors(probed):
    _, stderr, _ = probed
    console = [line for line in stderr.splitlines() if "CONSOLE" in line]
    assert not [line for line in console if re.search(r"Uncaught|Failed to load|Error", line)]


def test_no_raw_markdown_or_design_notes_reach_the_reader(probed):
    _, _, root = probed
    text = re.sub(r"<[^>]+>", " ", (root / "index.html").read_text(encoding="utf-8"))
    assert "SCIENCE.md" not in text and "DESIGN.md" not in text
    assert not re.search(r"(?<![\w*])\*[A-Za-z][^*\n]*\*(?![\w*])", text)  # *emphasis*
    assert "`" not in text and not re.search(r"\b10\^", text)


MKDOCS = shutil.which("mkdocs")


@pytest.mark.skipif(MKDOCS is None, reason="mkdocs is not installed")
@pytest.mark.parametrize("page", ["index.html", "claims/index.html", "wolfram/index.html"])
def test_the_docs_site_opens_with_no_broken_link_or_console_error(page, tmp_path_factory):
    site = _docs_site(tmp_path_factory)
    report, stderr = probe(site, page)
    internal = [link for link in report["links"] if not link.get("external")]
    assert internal and not [link["href"] for link in internal if not link["ok"]]
    assert all(image["natural"] > 0 for image in report["images"])
    console = [line for line in stderr.splitlines() if "CONSOLE" in line]
    assert not [line for line in console if re.search(r"Uncaught|Failed to load", line)]


def _docs_site(factory) -> Path:
    """The documentation site, built once per session (``mkdocs build``)."""
    cached = _SITE.get("path")
    if cached is not None:
        return cached
    site = factory.mktemp("docs") / "site"
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run([MKDOCS, "build", "--quiet", "--site-dir", str(site)], cwd=root,
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    _SITE["path"] = site
    return site


_SITE: dict[str, Path] = {}
