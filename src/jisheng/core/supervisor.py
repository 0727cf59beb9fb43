"""Keeps ``jisheng worker`` running beside the web server (``jisheng serve``).

``python -m jisheng.core.supervisor -- COMMAND…`` runs the command (``python -m jisheng
worker``) and starts it again whenever it ends — a crash, ``kill -9``, a database that
stayed away — after a delay that doubles from 1 s to at most 60 s and goes back to 1 s
once a run lasted a healthy minute. Every start and end is logged. Each run gets its own
``--worker-id``; the next run is told the id of the one that ended
(``--recover-worker``), so the tasks it left running end as failed at once.

It imports no Django (a few megabytes of memory), dies with its parent (the server)
on Linux, and on SIGTERM/SIGINT stops the worker and then itself.
"""

from __future__ import annotations

import logging
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence

logger = logging.getLogger("jisheng.supervisor")

FIRST_DELAY = 1.0
MAX_DELAY = 60.0
HEALTHY_SECONDS = 60.0
STOP_TIMEOUT = 30.0


def die_with_parent() -> None:
    """In a child: ask Linux to send SIGTERM when the parent process ends."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the process group still stops both
        pass


class Supervisor:
    def __init__(
        self,
        command: Sequence[str],
        *,
        first_delay: float = FIRST_DELAY,
        max_delay: float = MAX_DELAY,
        healthy_seconds: float = HEALTHY_SECONDS,
        max_starts: int | None = None,
        popen: Callable[..., subprocess.Popen] = subprocess.Popen,
    ) -> None:
        self.command = list(command)
        self.first_delay = first_delay
        self.max_delay = max_delay
        self.healthy_seconds = healthy_seconds
        self.max_starts = max_starts
        self.popen = popen
        self.stopping = threading.Event()
        self.child: subprocess.Popen | None = None
        self.starts = 0
        self.delays: list[float] = []

    def argv(self, worker_id: str, dead: str | None) -> list[str]:
        extra = ["--worker-id", worker_id]
        if dead:
            extra += ["--recover-worker", dead]
        return [*self.command, *extra]

    def run(self) -> int:
        delay = self.first_delay
        dead: str | None = None
        while not self.stopping.is_set():
            if self.max_starts is not None and self.starts >= self.max_starts:
                break
            worker_id = f"w-{os.getpid()}-{secrets.token_hex(6)}"
            started = time.monotonic()
            try:
                self.child = self.popen(self.argv(worker_id, dead), preexec_fn=die_with_parent)
            except OSError:
                logger.exception("cannot start the background worker")
                code: int | None = None
            else:
                self.starts += 1
                logger.info("background worker %s started (pid %s)", worker_id, self.child.pid)
                code = self.child.wait()
            ran_for = time.monotonic() - started
            if self.stopping.is_set():
                break
            if ran_for >= self.healthy_seconds:
                delay = self.first_delay
            dead = worker_id
            logger.warning(
                "background worker %s ended (%s) after %.0f s; starting it again in %.0f s",
                worker_id,
                describe_exit(code),
                ran_for,
                delay,
            )
            self.delays.append(delay)
            if self.stopping.wait(delay):
                break
            delay = min(delay * 2, self.max_delay)
        return 0

    def stop(self, signum: int | None = None, frame: object = None) -> None:
        """Stop the worker (SIGTERM, then SIGKILL after a while) and the loop."""
        self.stopping.set()
        child = self.child
        if child is not None and child.poll() is None:
            try:
                child.send_signal(signal.SIGTERM)
                child.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                child.kill()
            except OSError:
                pass


def describe_exit(code: int | None) -> str:
    if code is None:
        return "not started"
    if code < 0:
        try:
            return f"signal {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"
    return f"exit code {code}"


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "--":
        args = args[1:]
    if not args:
        print("usage: python -m jisheng.core.supervisor -- COMMAND [ARGS…]", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s [jisheng supervisor] %(levelname)s %(message)s",
        stream=sys.stderr,
    )
    supervisor = Supervisor(args)

    def on_signal(signum: int, frame: object) -> None:
        logger.info("stopping the background worker (%s)", signal.Signals(signum).name)
        threading.Thread(target=supervisor.stop, args=(signum,), daemon=True).start()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    code = supervisor.run()
    if supervisor.child is not None and supervisor.child.poll() is None:
        supervisor.stop()
    return code


if __name__ == "__main__":
    sys.exit(main())
