import multiprocessing
import os
import signal
import time

import numpy as np
import pytest

from minimodels.runtime import parallel


def _draw(seed_sequence):
    return np.random.default_rng(seed_sequence).integers(0, 1000, size=4).tolist()


def _nap(seconds):
    time.sleep(seconds)
    return seconds


def _fail_on_odd(x):
    if x % 2:
        raise ValueError(f"odd task {x}")
    return x


def _exit_hard(code):
    os._exit(code)


def _ctrl_c_then_square(x):
    os.kill(os.getpid(), signal.SIGINT)  # what a terminal's Ctrl-C does to every worker
    time.sleep(0.1)
    return x * x


def _echo_reversed(blob):
    return blob[::-1]


def _a_lambda(x):
    return lambda: x


def _live_workers():
    return [p for p in multiprocessing.active_children() if p.name == "minimodels-worker"]


def test_results_do_not_depend_on_backend_or_worker_count():
    seeds = np.random.SeedSequence(5).spawn(6)
    serial = parallel.map_tasks(_draw, seeds, backend="serial")
    pooled = parallel.map_tasks(_draw, seeds, backend="process", jobs=2)
    assert serial == pooled
    assert len({tuple(r) for r in serial}) == 6


def test_progress_counts_every_finished_task():
    seen = []
    list(
        parallel.run_tasks(
            abs, [-1, -2, -3], backend="serial", on_progress=lambda d, t: seen.append((d, t))
        )
    )
    assert seen == [(0, 3), (1, 3), (2, 3), (3, 3)]


def test_unknown_backend_is_a_one_line_error():
    with pytest.raises(ValueError, match="unknown backend 'mpi'"):
        list(parallel.run_tasks(abs, [1], backend="mpi"))


def test_a_failing_task_raises_its_own_error_with_the_workers_traceback():
    with pytest.raises(ValueError, match="odd task 1") as caught:
        parallel.map_tasks(_fail_on_odd, [0, 1, 2], backend="process", jobs=2)
    assert isinstance(caught.value.__cause__, parallel.RemoteTraceback)
    assert "_fail_on_odd" in str(caught.value.__cause__)
    assert _live_workers() == []


def test_a_worker_that_dies_stops_the_run_with_an_error_naming_its_exit_code():
    from concurrent.futures.process import BrokenProcessPool

    with pytest.raises(BrokenProcessPool, match="exit code 3"):
        parallel.map_tasks(_exit_hard, [3, 3], backend="process", jobs=2)
    assert _live_workers() == []


def test_workers_leave_ctrl_c_to_the_parent():
    squares = parallel.map_tasks(_ctrl_c_then_square, [1, 2, 3], backend="process", jobs=2)
    assert squares == [1, 4, 9]


def test_closing_the_stream_early_kills_the_workers_without_waiting_for_their_tasks():
    stream = parallel.run_tasks(_nap, [0.0, 60.0, 60.0, 60.0], backend="process", jobs=2)
    assert next(stream) == (0, 0.0)
    started = time.monotonic()
    stream.close()
    assert time.monotonic() - started < 5
    assert _live_workers() == []


def test_ctrl_c_kills_the_workers_even_while_the_caller_holds_the_stream():
    stream = parallel.run_tasks(_nap, [0.0, 60.0, 60.0], backend="process", jobs=2)
    assert next(stream) == (0, 0.0)
    workers = _live_workers()
    assert workers
    with pytest.raises(KeyboardInterrupt):
        os.kill(os.getpid(), signal.SIGINT)  # arrives in the caller's code, not the stream's
        time.sleep(5)
    for worker in workers:
        worker.join(timeout=5)
        assert worker.exitcode == -signal.SIGKILL
    stream.close()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_signal_handlers_are_put_back_when_the_stream_ends():
    before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    stream = parallel.run_tasks(_nap, [0.0, 0.0], backend="process", jobs=2)
    next(stream)
    assert signal.getsignal(signal.SIGINT) is not before[0]  # ours, while the pool is open
    list(stream)
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == before


def test_big_tasks_and_big_results_pass_without_deadlock():
    import threading

    blobs = [bytes([i]) * (1 << 20) for i in range(8)]  # far more than a pipe holds
    results = []
    run = threading.Thread(
        target=lambda: results.append(
            parallel.map_tasks(_echo_reversed, blobs, backend="process", jobs=2)
        ),
        daemon=True,  # a deadlock fails the test instead of hanging the suite
    )
    run.start()
    run.join(timeout=120)
    assert results == [blobs]


def test_a_result_that_does_not_pickle_is_an_error_naming_its_task():
    with pytest.raises(RuntimeError, match="task [01]"):
        parallel.map_tasks(_a_lambda, [0, 1], backend="process", jobs=2)
