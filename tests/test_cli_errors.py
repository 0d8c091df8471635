"""How the CLI names a failure: the user's bad input (exit 2), our bug (exit 1), the machine."""

import errno
import time

import pytest
import typer

from minimodels import cli
from minimodels.base.errors import UsageError
from minimodels.cli._app import parse_count


def run_main(args, capsys):
    """``minimodels ARGS`` in this process: (exit code, stderr lines)."""
    with pytest.raises(SystemExit) as stop:
        cli.main(list(args))
    code = stop.value.code or 0
    return code, capsys.readouterr().err.strip().splitlines()


@pytest.fixture
def failing_sampler(monkeypatch):
    """Make `minimodels sample` raise whatever the test puts in ``raised``."""
    from minimodels.analysis.sampling import runs

    raised = []

    def broken(*args, **kwargs):
        error = raised[0]
        raise error() if isinstance(error, type) else error  # a class: made at raise time

    monkeypatch.setattr(runs, "sample_run", broken)
    return raised


def test_an_internal_fault_exits_1_with_one_line_and_the_traceback_in_a_file(
    failing_sampler, capsys, tmp_path, monkeypatch
):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("MINIMODELS_DEBUG", raising=False)
    # numpy's own ValueError inside compute is our bug, not the user's typo
    failing_sampler.append(ValueError("cannot reshape array of size 0 into shape (0,newaxis)"))
    code, lines = run_main(["sample", "--out", str(tmp_path / "run"), "-q"], capsys)
    assert code == 1 and len(lines) == 1
    assert lines[0].startswith("Internal error") and "cannot reshape" in lines[0]
    written = list((tmp_path / "cache" / "minimodels" / "errors").iterdir())
    assert len(written) == 1 and str(written[0]) in lines[0]
    text = written[0].read_text()
    assert "Traceback" in text and "def broken" not in text and "in broken" in text


def test_minimodels_debug_shows_the_traceback(failing_sampler, capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("MINIMODELS_DEBUG", "1")
    failing_sampler.append(ZeroDivisionError("a bug"))
    with pytest.raises(ZeroDivisionError, match="a bug"):
        cli.main(["sample", "--out", str(tmp_path / "run"), "-q"])


def test_the_users_bad_input_exits_2_with_its_one_sentence(failing_sampler, capsys, tmp_path):
    failing_sampler.append(UsageError("--model 'x' is not a model"))
    code, lines = run_main(["sample", "--out", str(tmp_path / "run"), "-q"], capsys)
    assert (code, lines) == (2, ["Error: --model 'x' is not a model"])


def test_a_full_disk_exits_1_with_one_line(failing_sampler, capsys, tmp_path):
    failing_sampler.append(OSError(errno.ENOSPC, "No space left on device", "/data/x.parquet"))
    code, lines = run_main(["sample", "--out", str(tmp_path / "run"), "-q"], capsys)
    assert code == 1 and len(lines) == 1
    assert "the disk is full" in lines[0] and "/data/x.parquet" in lines[0]


@pytest.mark.parametrize(
    ("raised", "code", "line"),
    [(KeyboardInterrupt, 130, "Interrupted"), (cli.Terminated, 143, "Terminated.")],
)
def test_an_interruption_exits_130_and_sigterm_143(
    failing_sampler, capsys, tmp_path, raised, code, line
):
    failing_sampler.append(raised)
    got, lines = run_main(["sample", "--out", str(tmp_path / "run"), "-q"], capsys)
    assert got == code and len(lines) == 1 and lines[0].startswith(line)


@pytest.mark.parametrize(
    ("text", "value"), [("100000", 100000), ("1e5", 100000), ("100_000", 100000), (" 7 ", 7)]
)
def test_every_count_form_reads_the_same(text, value):
    assert parse_count(text) == value


@pytest.mark.parametrize("text", ["1.5", "1e-3", "abc", "", "1e", "0x10"])
def test_a_count_that_is_not_a_whole_number_is_refused(text):
    with pytest.raises(ValueError, match="whole number"):
        parse_count(text)


def test_counts_below_the_minimum_are_refused_and_huge_ones_read_exactly():
    with pytest.raises(ValueError, match="smallest allowed value, 1"):
        parse_count("0")
    assert parse_count("0", minimum=0) == 0
    assert parse_count("12345678901234567890") == 12345678901234567890  # no float rounding


def test_every_integer_option_of_every_command_reads_counts_the_same_way():
    cli._load_commands()
    group = typer.main.get_command(cli.app)
    checked, plain = 0, []
    for name, command in group.commands.items():
        for param in command.params:
            annotation = param.type_descriptor.annotation
            if annotation not in (int, int | None):
                continue
            parser = param.type_descriptor.parameter_info.parser
            if parser is None:
                plain.append(f"{name} {param.opts[0]}")
                continue
            assert parser("1e3") == 1000 and parser("1_000") == 1000, (name, param.opts)
            checked += 1
    assert plain == []  # none left on the plain int parser, which refuses 1e3
    assert checked > 40


def test_a_bad_count_message_names_the_option(capsys, tmp_path):
    code, lines = run_main(["evolve", "--runs", "1e", "--out", str(tmp_path / "e")], capsys)
    assert code == 2 and len(lines) == 1 and "'--runs'" in lines[0]
    code, lines = run_main(["sample", "--seed", "-1", "--out", str(tmp_path / "s")], capsys)
    assert code == 2 and "'--seed'" in lines[0] and "-1" in lines[0]
    assert not (tmp_path / "e").exists() and not (tmp_path / "s").exists()


# Values checked below the CLI (configs, tasks, rule checks): the sentence is the library's,
# the flag is the command's — `rule 256` is `--rule` in `ca` and `--rules` elsewhere.
@pytest.mark.parametrize(
    ("args", "flag"),
    [
        (["sample", "--sigma-w", "-1"], "--sigma-w"),
        (["sample", "--model", "30-40-1"], "--model"),
        (["fit", "--lr", "-1"], "--lr"),
        (["fit", "--target-loss", "nan"], "--target-loss"),
        (["grok", "--frac", "1.5"], "--frac"),
        (["grok", "--wd", "-1"], "--wd"),
        (["sgd-vs-bayes", "--target", "0101"], "--target"),
        (["sgd-vs-bayes", "--train-size", "128"], "--train-size"),
        (["ca", "--rule", "256", "--out"], "--rule"),
        (["rulearray", "--rules", "4,999", "--out"], "--rules"),
        (["evolve", "--rules", "4,300"], "--rules"),
        (["evolve", "--accept", "maybe"], "--accept"),
        (["evolve", "--task", "spiral"], "--task"),
        (["bio", "--k", "9"], "--k"),
        (["evolution-vs-bayes", "--substrate", "blob"], "--substrate"),
        (["evolution-vs-bayes", "--rules", "4,x"], "--rules"),
        (["fit", "--model", "1-x-1"], "--model"),
        (["fit", "--widths", "1-x-1"], "--widths"),
        (["fit", "--widths", "1"], "--widths"),
        (["fit", "--widths", "1-0-1"], "--widths"),
        (["grok", "--op", "foo"], "--op"),
        (["grok-sweep", "--x-axis", "colour"], "--x-axis"),
        (["sgd-vs-bayes", "--bayes", "nngp", "--init", "uniform"], "--init"),
        (["gallery", "--only", "nosuchsection"], "--only"),
        (["ca", "--rule", "30", "--k", "1", "--out"], "--k"),
    ],
)
def test_a_value_refused_below_the_cli_is_named_by_its_flag(args, flag, capsys, tmp_path):
    out = tmp_path / ("x.png" if args[-1] == "--out" else "run")
    args = args + [str(out)] if args[-1] == "--out" else [*args, "--out", str(out)]
    code, lines = run_main(args, capsys)
    assert code == 2 and len(lines) == 1
    assert lines[0].startswith(("Error: Invalid value for '" + flag + "': ", "Error: " + flag))
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_the_flag_leads_only_where_the_sentence_does_not_name_it():
    named = UsageError("--rules must be comma-separated integers, got '4,x'", option="rules")
    plain = UsageError("rule 300 is out of range for k=2, r=1 (0..255)", option=("x", "rules"))
    untagged = UsageError("rule 300 is out of range")
    evolve = ["evolve", "--rules", "4,300"]
    assert cli._naming_the_flag(named, evolve) == str(named)
    assert cli._naming_the_flag(plain, evolve) == f"Invalid value for '--rules': {plain}"
    assert cli._naming_the_flag(untagged, evolve) == str(untagged)
    assert cli._naming_the_flag(plain, ["bias-plots", "r"]) == str(plain)  # no such flag there
    assert cli._naming_the_flag(plain, []) == str(plain)


@pytest.mark.parametrize("outcome", [0, 1, 2])
def test_an_in_process_call_leaves_the_callers_signal_handlers_as_they_were(
    failing_sampler, capsys, tmp_path, outcome
):
    import signal

    failing_sampler.append([KeyboardInterrupt, ZeroDivisionError, UsageError("bad")][outcome])
    signal.signal(signal.SIGINT, signal.default_int_handler)  # Python's own, which main replaces
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    code, _ = run_main(["sample", "--out", str(tmp_path / "run"), "-q"], capsys)
    assert code == [130, 1, 2][outcome]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


def test_a_ctrl_c_that_a_library_swallowed_still_stops_the_command_at_its_next_report(
    monkeypatch, capsys, tmp_path
):
    # numba compiling through llvmlite prints and drops a KeyboardInterrupt raised in a ctypes
    # callback, and the work goes on; the next progress report must raise it again
    import os
    import signal

    from minimodels.analysis.sampling import runs

    reports = []

    def swallowing(*args, on_progress, **kwargs):
        try:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(1)  # the handler runs here
        except KeyboardInterrupt:
            pass  # dropped, as a ctypes callback does
        for done in range(1, 4):
            reports.append(done)
            on_progress(done, 3)
        raise AssertionError("the work went on after Ctrl-C")

    monkeypatch.setattr(runs, "sample_run", swallowing)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    code, lines = run_main(["sample", "--out", str(tmp_path / "run"), "-q"], capsys)
    assert code == 130 and reports == [1]
    assert lines[-1].startswith("Interrupted; completed shards are kept")
