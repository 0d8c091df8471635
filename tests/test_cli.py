"""The command line as a user meets it: help, exit codes, one-line errors."""

from conftest import run_cli


def test_help_lists_the_gallery_command():
    result = run_cli("--help")
    assert result.returncode == 0
    assert "gallery" in result.stdout


def test_bad_option_value_exits_2_without_traceback():
    result = run_cli("gallery", "--only", "no-such-section")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "unknown gallery section 'no-such-section'" in result.stderr.lower()
    assert len(result.stderr.strip().splitlines()) == 1


def test_gallery_into_a_file_path_is_refused_cleanly(tmp_path):
    (tmp_path / "file").write_text("x")
    result = run_cli("gallery", "--quick", "--out", str(tmp_path / "file" / "g"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_typer_usage_errors_are_one_line_with_exit_2(tmp_path):
    out = str(tmp_path / "x.png")
    for args, fragment in [
        (("ca", "--rule", "30", "--out", out, "--width", "abc"), "--width"),
        (("ca", "--rule"), "--rule"),  # an option without its value
        (("ca", "--rule", "30", "--out", out, "--bogus"), "--bogus"),
        (("no-such-command",), "no-such-command"),
    ]:
        result = run_cli(*args)
        assert result.returncode == 2, args
        assert "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert fragment in result.stderr
    assert not (tmp_path / "x.png").exists()


def test_help_groups_every_command_under_a_topic():
    result = run_cli("--help")
    assert result.returncode == 0
    for panel in (
        "The report",
        "Cellular automata and rule arrays",
        "Neural nets",
        "Simplicity bias and Bayesian sampling",
    ):
        assert panel in result.stdout
    assert "More commands" not in result.stdout  # a new command should be given a topic


def test_the_cli_starts_without_jax_or_numba():
    # every command's options are built at start-up from its config; JAX takes 1.7 s and numba
    # 0.3 s to import, so they load only in a command that trains or runs a kernel
    import subprocess
    import sys

    code = (
        "import sys; from minimodels import cli; cli._load_commands(); "
        "import minimodels.learners.grokking as g; g.GrokConfig.gromov(); "
        "print(sorted(m for m in ('jax', 'optax', 'numba') if m in sys.modules))"
    )
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert shown.stdout.strip() == "[]"
