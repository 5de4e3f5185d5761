"""A time limit on one article's extraction, so that a pathological text cannot hold up a batch.

The limit is a real-time timer (SIGALRM through `signal.setitimer`) whose handler raises
`ExtractionTimeout` in the code that is running: the article is reported as failed with the
reason and the batch goes on with the next one. Python runs a signal handler between bytecodes,
so a single long call into C (a numpy operation) ends before the timeout is raised; the
extraction's loops are in Python, so in practice it stops within moments of the limit.

Signals exist only on POSIX and only the main thread may set them: elsewhere (Windows, the
app's ingest page, which Streamlit runs in a thread of its own) extraction runs without a
limit, as it did before.

`any_thread_limit` is for code that runs extraction in a thread it does not own (a Dask worker
runs each task in a thread of its pool): there, a timer thread raises the timeout in the
extracting thread with CPython's PyThreadState_SetAsyncExc, again between bytecodes. In the
main thread it is `time_limit` itself.
"""
from __future__ import annotations

import ctypes
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class ExtractionTimeout(BaseException):
    """An article's extraction ran past its time limit. A BaseException, like KeyboardInterrupt,
    so that no `except Exception` inside the extraction can swallow it; ingest catches it by name."""


def can_limit() -> bool:
    """Whether a time limit can be set here: POSIX signals, in the main thread."""
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise ExtractionTimeout in the block if it runs longer than `seconds` (None or 0: no limit,
    nor where can_limit() is false). The timer and handler in place before are restored after."""
    if not seconds or not can_limit():
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise ExtractionTimeout(expired_message(seconds))

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        try:
            signal.setitimer(signal.ITIMER_REAL, 0)
        finally:
            signal.signal(signal.SIGALRM, previous)


def expired_message(seconds: float) -> str:
    return f"took longer than {seconds:g} s, the time limit of one article (see --timeout)"


@contextmanager
def any_thread_limit(seconds: float | None) -> Iterator[None]:
    """time_limit in the main thread; in any other thread, a timer that raises ExtractionTimeout in
    this thread (CPython's PyThreadState_SetAsyncExc) if the block runs longer than `seconds`."""
    if not seconds or can_limit():
        with time_limit(seconds):
            yield
        return
    target = ctypes.c_ulong(threading.get_ident())
    lock = threading.Lock()
    state = {"running": True, "fired": False}

    def expire() -> None:
        with lock:
            if state["running"]:
                state["fired"] = True
                ctypes.pythonapi.PyThreadState_SetAsyncExc(target, ctypes.py_object(ExtractionTimeout))

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()
    try:
        yield
    except ExtractionTimeout as err:
        raise ExtractionTimeout(expired_message(seconds)) from err
    finally:
        with lock:
            state["running"] = False
            if state["fired"]:  # fired as the block ended: the pending exception must not land later
                ctypes.pythonapi.PyThreadState_SetAsyncExc(target, None)
        timer.cancel()
