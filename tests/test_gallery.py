import pytest

from minimodels import gallery
from minimodels.base.errors import UsageError
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


def test_gallery_rebuild_replaces_its_own_entries_and_keeps_the_users_files(
    tmp_path, fake_sections
):
    gallery.build(tmp_path / "g", only=["zz-good"], seed=1)
    (tmp_path / "g" / "notes.txt").write_text("mine")
    (tmp_path / "g" / "zz-good" / "line.png").write_bytes(b"stale")
    gallery.build(tmp_path / "g", only=["zz-good"], seed=2)
    assert (tmp_path / "g" / "notes.txt").read_text() == "mine"  # not ours: never deleted
    assert (tmp_path / "g" / "zz-good" / "line.png").read_bytes()[:4] == b"\x89PNG"
    assert "seed 2" in (tmp_path / "g" / "index.html").read_text()
    assert sorted(p.name for p in (tmp_path / "g").iterdir()) == [
        "index.html", "notes.txt", "run.json", "zz-good"
    ]  # fmt: skip


def test_gallery_only_rebuilds_one_section_and_keeps_the_others_on_the_page(
    tmp_path, fake_sections
):
    gallery.build(tmp_path / "g", only=fake_sections, seed=1)
    before = (tmp_path / "g" / "zz-bad" / "section.html").read_text()
    gallery.build(tmp_path / "g", only=["zz-good"], seed=2)
    page = (tmp_path / "g" / "index.html").read_text()
    assert "A good section" in page and "This section failed: RuntimeError: boom" in page
    assert (tmp_path / "g" / "zz-bad" / "section.html").read_text() == before
    assert "1 kept from a build at another scale or seed" in page


def test_gallery_refuses_a_folder_that_is_not_a_gallery_and_touches_nothing(
    tmp_path, fake_sections
):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "thesis.tex").write_text("years of work")
    with pytest.raises(UsageError, match="not empty and holds no minimodels gallery"):
        gallery.build(tmp_path / "docs", only=["zz-good"])
    assert [p.name for p in (tmp_path / "docs").iterdir()] == ["thesis.tex"]
    (tmp_path / "file").write_text("x")
    with pytest.raises(UsageError, match="is not a directory"):
        gallery.build(tmp_path / "file", only=["zz-good"])


def test_gallery_in_the_current_folder_works_when_it_is_empty_and_is_refused_otherwise(
    tmp_path, fake_sections, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    beside = sorted(p.name for p in tmp_path.parent.iterdir())
    gallery.build(".", only=["zz-good"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index.html", "run.json", "zz-good"]
    gallery.build(".", only=["zz-good"])  # an earlier gallery: rebuilt in place
    assert sorted(p.name for p in tmp_path.parent.iterdir()) == beside  # nothing written outside
    other = tmp_path / "other"
    other.mkdir()
    (other / "data.csv").write_text("1,2")
    monkeypatch.chdir(other)
    with pytest.raises(UsageError, match="holds no minimodels gallery"):
        gallery.build(".", only=["zz-good"])
    assert [p.name for p in other.iterdir()] == ["data.csv"]


def test_an_interrupted_gallery_build_leaves_the_old_gallery_as_it_was(
    tmp_path, fake_sections, monkeypatch
):
    gallery.build(tmp_path / "g", only=["zz-good"], seed=1)
    snapshot = {p: p.read_bytes() for p in (tmp_path / "g").rglob("*") if p.is_file()}

    def interrupted(context):
        raise KeyboardInterrupt

    monkeypatch.setitem(
        gallery._REGISTRY,
        "zz-good",
        gallery.SectionSpec("zz-good", "A good section", 1, interrupted),
    )
    with pytest.raises(KeyboardInterrupt):
        gallery.build(tmp_path / "g", only=["zz-good"], seed=2)
    after = {p: p.read_bytes() for p in (tmp_path / "g").rglob("*") if p.is_file()}
    assert after == snapshot


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
