"""Every command spelled the same way: flags, --out, progress bars, help a user can follow."""

from pathlib import Path

import pytest
import typer.main
from conftest import run_cli
from typer.testing import CliRunner

from minimodels import cli

cli._load_commands()
COMMANDS = sorted(typer.main.get_command(cli.app).commands)  # type: ignore[attr-defined]
# the commands whose --out is not a run directory: a report, figures added to a run, one figure
NOT_RUN_DIRECTORIES = {"gallery", "bias-plots", "bayes-plots"}


def _help(*args: str) -> str:
    result = CliRunner().invoke(cli.app, [*args, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.output


def test_every_command_is_checked():
    assert {"ca", "rulearray", "multiway", "evolve", "grok", "sample", "landscape"} <= set(COMMANDS)


@pytest.mark.parametrize("command", [(), *((name,) for name in COMMANDS)])
def test_flags_show_no_metavar_in_help(command):
    shown = _help(*command)
    assert "<bool>" not in shown
    assert "--help" in shown


@pytest.mark.parametrize("command", [(), *((name,) for name in COMMANDS)])
def test_help_cites_no_file_users_do_not_have(command):
    shown = _help(*command)
    assert "DESIGN.md" not in shown and "SCIENCE.md" not in shown


def test_a_field_help_citing_the_design_notes_is_shown_without_the_citation():
    from minimodels.cli._options import for_users

    assert for_users("gaussian or uniform (DESIGN.md §4).") == "gaussian or uniform."
    assert for_users("1 on [-1/3, 1/3] (SCIENCE.md §A.1), else 0") == "1 on [-1/3, 1/3], else 0"


@pytest.mark.parametrize("name", sorted(set(COMMANDS) - NOT_RUN_DIRECTORIES))
def test_every_run_directory_defaults_to_runs_slash_the_command(name):
    command = typer.main.get_command(cli.app).commands[name]  # type: ignore[attr-defined]
    (out,) = [p for p in command.params if p.name == "out"]
    assert not out.required
    assert Path(out.default) == Path("runs") / name


def test_ca_without_out_writes_runs_ca_and_another_command_is_refused_there(tmp_path):
    done = run_cli("ca", "--rule", "30", "--width", "11", "--steps", "5", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    run = tmp_path / "runs" / "ca"
    assert (run / "ca.png").is_file() and (run / "run.json").is_file()
    before = sorted(p.name for p in run.iterdir())
    refused = run_cli("rulearray", "--out", str(run), "--overwrite", cwd=tmp_path)
    assert refused.returncode == 2
    assert len(refused.stderr.strip().splitlines()) == 1
    assert "holds a 'ca' run" in refused.stderr
    assert sorted(p.name for p in run.iterdir()) == before  # nothing of the ca run touched


def test_multiway_takes_quiet_and_reports_progress(tmp_path, monkeypatch, capsys):
    from minimodels.base import progress

    real, seen = progress.progress_bar, []

    def recording(description, *, enabled=True):
        seen.append(enabled)
        bar = real(description, enabled=enabled)

        class Wrapped:
            def __enter__(self):
                inner = bar.__enter__()

                def on_progress(done, total):
                    seen.append((done, total))
                    inner(done, total)

                return on_progress

            def __exit__(self, *exc):
                return bar.__exit__(*exc)

        return Wrapped()

    monkeypatch.setattr(progress, "progress_bar", recording)
    args = ["multiway", "--width", "3", "--depth", "2", "--runs", "2", "--steps", "20"]
    for flag, out in (("-q", "a"), ("--quiet", "b")):
        cli.main([*args, "--out", str(tmp_path / out), flag])  # success: no SystemExit
        assert capsys.readouterr().err == ""  # quiet: no bar
        assert (tmp_path / out / "graph.graphml").is_file()
    assert seen.count(False) == 2 and True not in seen
    assert (2, 2) in seen  # one report per checked evolution run
    assert "-q" in _help("multiway") and "--quiet" in _help("multiway")
