import pytest

from minimodels import gallery
from minimodels.plotting import new_figure


@pytest.fixture
def fake_sections(monkeypatch):
    registry = dict(gallery._REGISTRY)
    monkeypatch.setattr(gallery, "_REGISTRY", registry)
    monkeypatch.setattr(gallery, "discover", lambda: None)

    @gallery.section("zz-good", title="A good section", order=1)
    def good(context):
        figure = new_figure(2, 2)
        figure.add_subplot().plot([0, 1], [0, 1])
        s = gallery.Section("A good section", "What it asks.\n\nSecond <paragraph>.")
        s.add_figure("line", figure, "a line")
        s.numbers["answer"] = 42
        s.config = {"seed": context.seed, "quick": context.quick}
        s.command = "minimodels something --seed 0"
        return s

    @gallery.section("zz-bad", title="A broken section", order=2)
    def bad(context):
        raise RuntimeError("boom")

    return ["zz-good", "zz-bad"]


def test_gallery_writes_page_and_figures_and_reports_a_broken_section(tmp_path, fake_sections):
    report = gallery.build(tmp_path / "g", quick=True, seed=3, only=fake_sections)
    page = (tmp_path / "g" / "index.html").read_text()
    assert (tmp_path / "g" / "zz-good" / "line.png").read_bytes()[:4] == b"\x89PNG"
    assert "A good section" in page and "42" in page and "&lt;paragraph&gt;" in page
    assert "This section failed: RuntimeError: boom" in page
    assert [o.spec.key for o in report.failures] == ["zz-bad"]
    # nothing but the report is left beside it (the staging directory was renamed away)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g"]


def test_gallery_rebuild_replaces_the_old_report(tmp_path, fake_sections):
    gallery.build(tmp_path / "g", only=["zz-good"])
    (tmp_path / "g" / "stale.txt").write_text("old")
    gallery.build(tmp_path / "g", only=["zz-good"])
    assert not (tmp_path / "g" / "stale.txt").exists()


def test_unknown_section_is_a_one_line_error(fake_sections):
    with pytest.raises(ValueError, match="unknown gallery section 'nope'"):
        gallery.select(["nope"])


def test_sections_built_in_worker_processes_give_the_same_page(tmp_path):
    keys = ["ca-classes", "brick-array"]
    serial = gallery.build(tmp_path / "a", quick=True, only=keys, jobs=1)
    pooled = gallery.build(tmp_path / "b", quick=True, only=keys, jobs=2)
    assert [o.spec.key for o in pooled.outcomes] == keys  # page order, not finishing order
    assert not pooled.failures
    assert [o.figure_files for o in pooled.outcomes] == [o.figure_files for o in serial.outcomes]
    for outcome in pooled.outcomes:
        for name in outcome.figure_files:
            assert (tmp_path / "b" / name).read_bytes()[:4] == b"\x89PNG"
    numbers = [o.section.numbers for o in serial.outcomes]
    assert [o.section.numbers for o in pooled.outcomes] == numbers
