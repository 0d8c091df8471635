import pytest

from minimodels import gallery
from minimodels.base.errors import UsageError
from minimodels.plotting import new_figure


def _write_gif(path):
    from PIL import Image

    frames = [Image.new("P", (40, 30), color) for color in (0, 255)]
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=200)


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
        s.add_animation("blink", _write_gif, "a blinking square")
        s.numbers["answer"] = 42
        s.config = {"seed": context.seed, "quick": context.quick}
        s.command = "minimodels something --seed 0"
        verdict = "supported" if context.seed % 2 else "refuted"
        s.claims = [
            gallery.Claim("Seeds are odd", "a test", verdict, f"seed {context.seed}", "line")
        ]
        return s

    @gallery.section("zz-bad", title="A broken section", order=2)
    def bad(context):
        raise RuntimeError("boom")

    return ["zz-good", "zz-bad"]


def test_gallery_writes_page_and_figures_and_reports_a_broken_section(tmp_path, fake_sections):
    report = gallery.build(tmp_path / "g", quick=True, seed=3, only=fake_sections)
    page = (tmp_path / "g" / "index.html").read_text()
    assert (tmp_path / "g" / "zz-good" / "line.png").read_bytes()[:4] == b"\x89PNG"
    assert (tmp_path / "g" / "zz-good" / "blink.gif").read_bytes()[:6] == b"GIF89a"
    assert '<img src="zz-good/blink.gif" alt="a blinking square" loading="lazy" width="40"' in page
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
        "claims.md", "index.html", "notes.txt", "run.json", "zz-good"
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
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "claims.md", "index.html", "run.json", "zz-good"
    ]  # fmt: skip
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


def test_claims_are_gathered_at_the_top_and_in_claims_md_and_survive_partial_rebuilds(
    tmp_path, fake_sections
):
    gallery.build(tmp_path / "g", only=fake_sections, seed=3)
    page = (tmp_path / "g" / "index.html").read_text()
    claims_at = page.index('<section id="claims">')
    assert claims_at < page.index('<section id="zz-good">')
    row = page[claims_at : page.index("</section>", claims_at)]
    assert "Seeds are odd" in row and ">supported<" in row and "seed 3" in row
    assert 'href="zz-good/line.png"' in row and "1 supported" in row
    markdown = (tmp_path / "g" / "claims.md").read_text()
    assert "| Seeds are odd | a test | **supported** | seed 3 | A good section |" in markdown
    # rebuilding only the broken section keeps the good one's claim (from its section.json)
    gallery.build(tmp_path / "g", only=["zz-bad"], seed=4)
    assert "**supported** | seed 3 |" in (tmp_path / "g" / "claims.md").read_text()
    gallery.build(tmp_path / "g", only=["zz-good"], seed=4)
    assert "**refuted** | seed 4 |" in (tmp_path / "g" / "claims.md").read_text()


def test_a_claim_refuses_a_verdict_it_does_not_know():
    with pytest.raises(ValueError, match="verdict"):
        gallery.Claim("x", "y", "probably", "z")


def test_section_claims_read_their_verdicts_off_the_numbers():
    from types import SimpleNamespace

    import numpy as np

    from minimodels.gallery.sections.bio import bio_claim
    from minimodels.gallery.sections.grokking import grokking_claims
    from minimodels.gallery.sections.simplicity import simplicity_claim

    assert bio_claim({"median_lifetime_k3": 38.0, "lifetime_range_k3": [20, 55]}).verdict == (
        "supported"
    )
    assert bio_claim({"median_lifetime_k3": 1.0, "lifetime_range_k3": [1, 1]}).verdict == (
        "refuted"
    )

    def grok(memorised, generalised, ipr):
        summary = {"step_memorised": memorised, "step_generalised": generalised, "ipr": ipr,
                   "key_frequencies": [3, 7]}  # fmt: skip
        return [c.verdict for c in grokking_claims(SimpleNamespace(summary=summary), "accuracy")]

    assert grok(100, 1000, 0.8) == ["supported", "supported"]
    assert grok(100, 150, 0.3) == ["refuted", "mixed"]
    assert grok(100, None, 0.1) == ["refuted", "refuted"]
    assert grok(None, None, 0.1)[0] == "untested"

    def bias(p, k, a):
        return SimpleNamespace(probabilities=np.array(p), k_lz=np.array(k), bound_a=a,
                               bound_b=1.0, random_p_k=np.array([0.5, 0.5]),
                               random_k_values=np.array([90.0, 110.0]))  # fmt: skip

    # mean K of the sampled functions 0.9·7 + 0.1·50 = 11.3 < 100 of random strings
    assert simplicity_claim(bias([0.9, 0.1], [7.0, 50.0], 0.2), "x", "y", "z").verdict == (
        "supported"
    )
    assert simplicity_claim(bias([0.9, 0.1], [7.0, 50.0], 0.0), "x", "y", "z").verdict == "mixed"
    assert simplicity_claim(bias([1.0], [120.0], 0.0), "x", "y", "z").verdict == "refuted"


def test_the_lifetime_section_evolves_arrays_whose_pattern_dies_at_the_wanted_row(monkeypatch):

    from minimodels.gallery.sections import evolution as section_module

    kept = {}
    real_run = section_module.run

    def keep(config, **kwargs):
        kept["many"] = real_run(config, **kwargs)
        return kept["many"]

    monkeypatch.setattr(section_module, "run", keep)
    section = section_module.lifetime_section(gallery.Context(quick=True))
    target = section_module.LIFETIME
    solved = [r for r in kept["many"].results if r.final_loss == 0]
    assert solved and section.claims[0].verdict in ("supported", "mixed")
    for result in solved:  # run the array independently: first all-zero row is the target
        states = result.array.run(result.task.inputs[0])
        alive = states.any(axis=1)
        assert alive[:target].all() and not alive[target:].any()
    assert [f.name for f in section.figures] == ["decreases", "learning-curves"]


def test_ladder_and_bias_claims_read_their_verdicts_off_the_numbers():
    from minimodels.gallery.sections.bayes import ladder_claim
    from minimodels.gallery.sections.why_nets import bias_claim

    def rows(errors):
        return [{"target": f"x1, {k} flipped", "k_lz": 20.0 + 30 * i, "test_error": e}
                for i, (k, e) in enumerate(zip((0, 8, 16, 64), errors, strict=True))]  # fmt: skip

    assert ladder_claim(rows([0.0, 0.1, 0.2, 0.5])).verdict == "supported"  # ρ = 1
    assert ladder_claim(rows([0.5, 0.3, 0.2, 0.1])).verdict == "refuted"  # ρ = −1
    assert ladder_claim(rows([0.1, 0.3, 0.0, 0.2])).verdict == "mixed"  # ρ = 0.2
    assert ladder_claim(rows([0.1, None, None, None])).verdict == "untested"
    simple = {"mlp": 0.05, "gp-nngp": 0.07, "knn1": 0.2, "poly": 0.3}
    claim = bias_claim(simple, ["mlp", "gp-nngp"], ["knn1", "poly"])
    assert claim.verdict == "supported" and "0.060" in claim.evidence and "0.250" in claim.evidence
    assert bias_claim(simple, ["knn1"], ["mlp"]).verdict == "refuted"
    assert bias_claim(simple, [], ["mlp"]).verdict == "untested"


def test_the_why_nets_prior_and_extrapolation_claims_read_their_verdicts_off_the_numbers():
    from minimodels.gallery.sections.why_nets import extrapolation_claim, prior_claim

    priors = {"mlp": 23.4, "gp-nngp": 24.3, "poly": 100.3, "tree": 86.6}
    claim = prior_claim(priors, 148.8)
    assert claim.verdict == "supported" and "mlp 23.4" in claim.evidence
    assert prior_claim({**priors, "poly": 50.0}, 148.8).verdict == "mixed"
    assert prior_claim({**priors, "mlp": 80.0}, 148.8).verdict == "refuted"
    assert prior_claim({"mlp": 23.4}, 148.8).verdict == "untested"
    inside = {"tree": 0.02, "poly": 0.03, "mlp": 0.01, "svm-poly": 0.28}
    outside = {"tree": 0.0, "poly": 6.5e7, "mlp": 0.038, "svm-poly": 0.01}
    claim = extrapolation_claim(inside, outside)
    assert claim.verdict == "supported"
    assert "3 of 4 learners" in claim.evidence and "poly 6.5e+07" in claim.evidence
    assert extrapolation_claim(inside, {k: 0.0 for k in outside}).verdict == "refuted"
    # the learner that does not fit inside cannot carry the verdict outside
    only_misfit_wild = {**outside, "poly": 0.0, "mlp": 0.0, "svm-poly": 5.0}
    assert extrapolation_claim(inside, only_misfit_wild).verdict == "refuted"
    assert extrapolation_claim({**inside, "mlp": 0.5}, outside).verdict == "inconclusive"
