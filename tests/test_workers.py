"""The extraction pool (wirewatch/extract/workers.py): worker processes driven from the event loop.

A job's result or exception comes back to its caller, in any number at once; a worker that
dies fails every job it had or that waited, and the pool says it is broken; closing leaves no
process behind.
"""

import asyncio
import os
import pickle
import signal
import time
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from wirewatch.extract import pool as warm_pool
from wirewatch.extract.workers import WorkerPool

pytestmark = pytest.mark.integration

DEADLINE_S = 60


# -- what the workers run (importable, so a worker can unpickle them) --


def spin_square(i: int) -> tuple[int, int]:
    """i squared after a little CPU work that varies with i; and which process did it."""
    total = 0
    for k in range((i % 7) * 2000):
        total += k
    return i * i, os.getpid()


def mirror(data: bytes) -> bytes:
    return data[::-1]


def fail(message: str) -> None:
    raise ValueError(message)


class TwoArgsError(Exception):
    """Pickles, but cannot be rebuilt from its args: unpickling calls it with one."""

    def __init__(self, code: int, detail: str) -> None:
        super().__init__(f"{code}: {detail}")


def fail_unpicklably() -> None:
    raise TwoArgsError(7, "no")


def exit_worker() -> None:
    raise SystemExit(3)  # a library that calls sys.exit()


def hold(fifo: str) -> None:
    """Tell the test which process took the job, then wait until killed."""
    fd = os.open(fifo, os.O_WRONLY)
    os.write(fd, f"{os.getpid()}\n".encode())
    signal.pause()


def pipe_inodes() -> tuple[int, set[str]]:
    """This process and the pipes it holds open."""
    fds = Path("/proc/self/fd")
    links = {os.readlink(fds / n) for n in os.listdir(fds) if (fds / n).exists()}
    return os.getpid(), {link for link in links if link.startswith("pipe:")}


# -- helpers of the test side --


async def started_by(fifo: Path) -> int:
    """The pid a `hold` job wrote, as soon as one did (waiting on the FIFO, not polling)."""
    fd = os.open(fifo, os.O_RDWR | os.O_NONBLOCK)  # read-write: never an end of file
    loop = asyncio.get_running_loop()
    ready = loop.create_future()
    loop.add_reader(fd, ready.set_result, None)
    try:
        await asyncio.wait_for(ready, DEADLINE_S)
        return int(os.read(fd, 64).split()[0])
    finally:
        loop.remove_reader(fd)
        os.close(fd)


@pytest.fixture
def fifo(tmp_path):
    path = tmp_path / "started"
    os.mkfifo(path)
    return path


def gone(pid: int) -> bool:
    return not Path(f"/proc/{pid}").exists()


# -- the specification --


def test_many_concurrent_jobs_come_back_in_order_from_every_worker():
    async def scenario(pool):
        return await asyncio.gather(*(pool.run(spin_square, i) for i in range(300)))

    with WorkerPool(2) as pool:
        results = asyncio.run(scenario(pool))
        pids = set(pool.pids)
    assert [square for square, _ in results] == [i * i for i in range(300)]
    assert {pid for _, pid in results} == pids  # both workers took jobs
    assert os.getpid() not in pids


def test_an_exception_raised_by_the_function_comes_back_as_itself():
    with WorkerPool(1) as pool:
        with pytest.raises(ValueError, match=r"^bad input$") as raised:
            asyncio.run(pool.run(fail, "bad input"))
        assert "in fail" in str(raised.value.__cause__)  # the worker's traceback, for the log
        assert not pool.broken
        assert asyncio.run(pool.run(spin_square, 3))[0] == 9  # the worker goes on


def test_a_function_that_calls_sys_exit_fails_its_job_and_the_worker_goes_on():
    with WorkerPool(1) as pool:
        with pytest.raises(RuntimeError, match=r"^SystemExit in a worker$"):
            asyncio.run(pool.run(exit_worker))
        assert not pool.broken
        assert asyncio.run(pool.run(spin_square, 4))[0] == 16


def test_an_exception_that_cannot_be_pickled_comes_back_as_a_runtime_error_naming_it():
    with WorkerPool(1) as pool:
        with pytest.raises(RuntimeError, match="TwoArgsError"):
            asyncio.run(pool.run(fail_unpicklably))
        assert not pool.broken


def test_a_large_argument_and_a_large_result_pass_whole():
    payloads = [os.urandom(5_000_000) for _ in range(3)]

    async def scenario(pool):
        return await asyncio.gather(*(pool.run(mirror, p) for p in payloads))

    with WorkerPool(2) as pool:
        results = asyncio.run(scenario(pool))
    assert results == [p[::-1] for p in payloads]


def test_a_worker_killed_mid_job_fails_its_jobs_and_the_pending_ones_and_breaks_the_pool(fifo):
    async def scenario(pool):
        jobs = [asyncio.ensure_future(pool.run(hold, str(fifo))) for _ in range(5)]
        os.kill(await started_by(fifo), signal.SIGKILL)  # 2 workers x 2 in flight, 1 pending
        return await asyncio.wait_for(asyncio.gather(*jobs, return_exceptions=True), DEADLINE_S)

    with WorkerPool(2) as pool:
        outcomes = asyncio.run(scenario(pool))
        assert pool.broken
        with pytest.raises(BrokenProcessPool):  # at once, without a worker
            asyncio.run(pool.run(spin_square, 1))
    assert [type(o) for o in outcomes] == [BrokenProcessPool] * 5


def test_the_shared_pool_replaces_a_pool_whose_worker_died():
    first = warm_pool.shared_pool(1)
    try:
        os.kill(first.pids[0], signal.SIGKILL)
        with pytest.raises(BrokenProcessPool):
            asyncio.run(first.run(spin_square, 2))
        second = warm_pool.shared_pool(1)
        assert second is not first
        assert asyncio.run(second.run(spin_square, 2))[0] == 4
        assert warm_pool.shared_pool(1) is second
    finally:
        warm_pool._close_pools()


def test_close_leaves_no_process_even_with_a_job_that_never_ends(fifo):
    async def scenario(pool):
        job = asyncio.ensure_future(pool.run(hold, str(fifo)))
        await started_by(fifo)
        pool.close(deadline_s=0.5)  # the held worker ignores the stop frame: it is terminated
        with pytest.raises(BrokenProcessPool):
            await job

    pool = WorkerPool(2)
    pids = pool.pids
    started = time.monotonic()
    asyncio.run(scenario(pool))
    assert time.monotonic() - started < DEADLINE_S
    assert len(pids) == 2 and all(gone(pid) for pid in pids)
    assert pool.broken


def test_a_worker_holds_its_own_pipes_and_none_of_another_workers():
    async def scenario(pool):
        return await asyncio.gather(pool.run(pipe_inodes), pool.run(pipe_inodes))

    with WorkerPool(2) as pool:
        held = dict(asyncio.run(scenario(pool)))
        # the pool's ends of each worker's job and result pipes (one inode per pipe)
        own = {
            w.process.pid: {f"pipe:[{os.fstat(fd).st_ino}]" for fd in (w.send_fd, w.recv_fd)}
            for w in pool._workers
        }
    a, b = own
    assert own[a] <= held[a] and not own[b] & held[a]
    assert own[b] <= held[b] and not own[a] & held[b]


def test_a_cancelled_caller_leaves_the_pool_working():
    async def scenario(pool):
        cancelled = asyncio.ensure_future(pool.run(spin_square, 5))
        await asyncio.sleep(0)  # one turn of the loop: the job is sent to the worker
        cancelled.cancel()
        return await pool.run(spin_square, 6)

    with WorkerPool(1) as pool:
        assert asyncio.run(scenario(pool))[0] == 36  # its own result, not the cancelled one's
        assert not pool.broken


def test_an_argument_that_cannot_be_pickled_fails_only_its_own_call():
    async def scenario(pool):
        return await asyncio.gather(
            pool.run(mirror, lambda: None), pool.run(spin_square, 4), return_exceptions=True
        )

    with WorkerPool(1) as pool:
        unpicklable, fine = asyncio.run(scenario(pool))
        assert not pool.broken
    assert isinstance(unpicklable, pickle.PicklingError | AttributeError)
    assert fine[0] == 16
