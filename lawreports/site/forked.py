"""Work a forked copy of the build does while the build goes on.

MkDocs renders pages on one core. Some work of a build needs nothing from the pages: the checks of
every raw report (for the 合规概览, ~15 s at 10,000 reports), the word counts of the keywords (~13 s
when not cached) and the search index (~35 s). :func:`start` forks a copy of the build process
that does such work on another core and sends its result back through a pipe; :meth:`Job.result`
waits for it (``plugin.py`` starts two: the checks and word counts while the comparison pages are
made, the index while MkDocs renders the pages). The copy shares the build's memory (copy-on-write), so nothing is pickled on the way in.

Where no copy can be forked (:func:`can_fork`), :func:`start` returns None and the build does the
work itself, as it does when the copy fails: a job is only ever a head start, and the site is the
same byte for byte either way (tests/test_forked.py builds both).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable
from typing import Any


class JobFailed(Exception):
    """The copy raised (the message names the exception) or died."""


def can_fork() -> bool:
    """A forked copy is safe (the converter's rule, :func:`lawreports.convert.fork_is_safe`) and
    worth it: this process may run on a second core."""
    from ..convert import fork_is_safe

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return cores > 1 and fork_is_safe()


class Job:
    """A function running in a forked copy; :meth:`result` is its return value."""

    def __init__(self, name: str, process, receive) -> None:
        self.name = name
        self._process = process
        self._receive = receive

    def result(self) -> Any:
        """Wait for the copy; its return value, or :class:`JobFailed` saying why there is none."""
        try:
            ok, value = self._receive.recv()
        except EOFError:  # the copy died without a word
            ok, value = False, None
        except Exception as err:  # noqa: BLE001 - e.g. a result that does not unpickle
            ok, value = False, f"{type(err).__name__}: {err}"
        finally:
            self._receive.close()
            self._process.join()
        if not ok:
            raise JobFailed(value or f"{self.name}：进程意外退出（退出码 {self._process.exitcode}）")
        return value

    def cancel(self) -> None:
        """Stop the copy (the build failed before it asked for the result)."""
        self._process.terminate()
        self._process.join()
        self._receive.close()


def _run(send, function: Callable, args: tuple) -> None:
    try:
        send.send((True, function(*args)))
    except BaseException as err:  # noqa: BLE001 - sent to the build, which then does the work itself
        send.send((False, f"{type(err).__name__}: {err}"))
    finally:
        send.close()


def start(name: str, function: Callable, *args) -> Job | None:
    """Run ``function(*args)`` in a forked copy of this process; None where :func:`can_fork` says no.
    The return value must pickle (it comes back through a pipe); the arguments need not."""
    if not can_fork():
        return None
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    gc.freeze()  # the copy's collector leaves the build's objects alone: their pages stay shared
    try:
        process = context.Process(target=_run, args=(send, function, args), name=name, daemon=True)
        process.start()
    except OSError:  # no memory or process left for a copy: the build does the work itself
        receive.close()
        return None
    finally:
        gc.unfreeze()
        send.close()
    return Job(name, process, receive)
