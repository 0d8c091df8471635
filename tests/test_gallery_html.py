"""The gallery's HTML: Markdown prose, figures that open full size, numbers as a reader expects."""

import struct
import zlib

from minimodels.gallery import FigureItem, Section, SectionOutcome, SectionSpec, _html


def _outcome(section, files=(), key="demo"):
    spec = SectionSpec(key, section.title, 1.0, lambda context: section)
    return SectionOutcome(spec, section, 1.5, None, list(files))


def _png(path, width, height):
    """A tiny valid PNG header (IHDR chunk) of the given pixel size."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + struct.pack(">I", len(ihdr))
        + chunk
        + struct.pack(">I", zlib.crc32(chunk))
    )


INTRO = (
    "Evolution is *roughly* a Bayesian sampler (see `--bayes rejection`),\n"
    "after 10^3 attempts and 2×10^-4 error.\n\n"
    "A second paragraph with 10^(−3) and <script>alert(1)</script> in it."
)


def test_intro_markdown_renders_emphasis_code_and_powers_of_ten():
    page = _html._section(_outcome(Section("Demo", INTRO)))
    assert "<em>roughly</em>" in page and "*roughly*" not in page
    assert "<code>--bayes rejection</code>" in page and "`" not in page
    assert "10<sup>3</sup>" in page and "10^3" not in page
    assert "2×10<sup>−4</sup>" in page
    assert "10<sup>−3</sup>" in page
    # two paragraphs; the single newline stays inside the first one
    assert page.count("<p>") == 2
    assert "<p>Evolution is" in page and "<p>A second paragraph" in page


def test_user_text_cannot_inject_markup():
    section = Section("Demo", INTRO)
    section.figures = [FigureItem("f", None, 'a <img src=x onerror="alert(1)"> caption')]
    section.numbers = {"<b>label</b>": "<i>value</i>"}
    section.tables = [("<script>t</script>", [{"<u>col</u>": "<s>cell</s>"}])]
    page = _html._section(_outcome(section, ["demo/f.png"]))
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;script&gt;t&lt;/script&gt;" in page
    for tag in ("<b>", "<i>", "<u>", "<s>", "<img src=x"):
        assert tag not in page
    assert "&lt;b&gt;label&lt;/b&gt;" in page and "&lt;s&gt;cell&lt;/s&gt;" in page


def test_powers_of_ten_are_left_alone_inside_code_and_longer_numbers():
    html = _html._inline("`10^3` and 210^3 and x^2")
    assert "<code>10^3</code>" in html and "210^3" in html and "x^2" in html
    assert "<sup>" not in html


def test_captions_labels_and_cells_render_inline_markdown():
    section = Section("Demo", "Intro.")
    section.figures = [FigureItem("f", None, "Loss after *many* steps, `--quick`")]
    section.numbers = {"runs at `--quick`": "~2×10^3"}
    section.tables = [("Runs of *one* size", [{"flag": "`--seed`", "attempts": 20000}])]
    page = _html._section(_outcome(section, ["demo/f.png"]))
    assert "<figcaption>Loss after <em>many</em> steps, <code>--quick</code></figcaption>" in page
    assert "<th>runs at <code>--quick</code></th><td>~2×10<sup>3</sup></td>" in page
    assert '<p class="caption">Runs of <em>one</em> size</p>' in page
    assert "<td><code>--seed</code></td>" in page
    assert '<td class="num">20,000</td>' in page
    # inline rendering: no paragraph wrapped around a caption or a cell
    assert "<figcaption><p>" not in page and "<td><p>" not in page


def test_tables_scroll_sideways_instead_of_overflowing():
    section = Section("Demo", "Intro.", numbers={"a": 1}, tables=[("t", [{"x": 1}])])
    page = _html._section(_outcome(section))
    assert page.count('<div class="table-wrap"><table>') == 2


def test_figures_link_to_themselves_and_carry_their_pixel_size(tmp_path):
    gallery = tmp_path / "gallery"
    _png(gallery / "demo" / "wide.png", 1600, 400)
    _png(gallery / "demo" / "small.png", 600, 450)
    section = Section("Demo", "Intro.")
    section.figures = [
        FigureItem("wide", None, "A wide one."),
        FigureItem("small", None, ""),
        FigureItem("gone", None, "Never written."),
    ]
    outcome = _outcome(section, ["demo/wide.png", "demo/small.png", "demo/gone.png"])
    _html.write_fragment(gallery / "demo", outcome, quick=True, seed=0)
    page = (gallery / "demo" / _html.FRAGMENT).read_text(encoding="utf-8")
    assert (
        '<figure class="wide"><a href="demo/wide.png" target="_blank" title="open full size">'
        '<img src="demo/wide.png" alt="A wide one." loading="lazy" width="1600" height="400">'
        "</a><figcaption>A wide one.</figcaption></figure>"
    ) in page
    # a small figure may share a row; a missing file costs only its size, not the page
    assert '<figure><a href="demo/small.png"' in page
    assert 'width="600" height="450"' in page
    assert '<a href="demo/gone.png" target="_blank"' in page
    assert '<img src="demo/gone.png" alt="Never written." loading="lazy">' in page
    assert "max-height" not in _html._CSS


def test_image_size_reads_png_and_gif_headers_and_rejects_anything_else(tmp_path):
    from PIL import Image

    _png(tmp_path / "a.png", 1669, 1201)
    Image.new("P", (321, 123)).save(tmp_path / "c.gif")  # Pillow as the independent writer
    (tmp_path / "b.png").write_bytes(b"not a png at all, just some bytes")
    assert _html.image_size(tmp_path / "a.png") == (1669, 1201)
    assert _html.image_size(tmp_path / "c.gif") == (321, 123)
    assert _html.image_size(tmp_path / "b.png") is None
    assert _html.image_size(tmp_path / "missing.png") is None


def test_seeds_print_without_thousands_separators():
    assert _html.format_number(3757552657, "seed") == "3757552657"
    assert _html.format_number(3757552657, "Seed B") == "3757552657"
    assert _html.format_number(3757552657, "attempts") == "3,757,552,657"
    assert _html.format_number(3757552657) == "3,757,552,657"
    section = Section("Demo", "Intro.", numbers={"seed": 3757552657, "runs": 12000})
    section.tables = [("t", [{"data seed": 3757552657, "steps": 12000}])]
    page = _html._section(_outcome(section))
    assert "3,757,552,657" not in page and page.count(">3757552657<") == 2
    assert page.count(">12,000<") == 2


def test_format_number_keeps_its_other_behaviour():
    f = _html.format_number
    assert f(None) == "—" and f(True) == "True" and f(42) == "42"
    assert f(float("nan")) == "NaN" and f(float("inf")) == "∞" and f(float("-inf")) == "−∞"
    assert f(0.5) == "0.5" and f(1234.5678) == "1,235" and f(12345.6) == "12,346"
    assert f(2.5e7) == "2.5e+07" and f(1e-4) == "0.0001" and f(0.0) == "0"
    assert f("text") == "text" and f(7, "seed") == "7" and f(1.5, "seed") == "1.5"
