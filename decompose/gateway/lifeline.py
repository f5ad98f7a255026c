"""A process of a local fleet dies with the process that started it, even when that one is SIGKILLed.

    lifeline.hold()                                   # first thing in a fleet child's main
    python -m decompose.gateway.lifeline moto.server -H 127.0.0.1 -p 5000   # any module, held the same way

`upstreams.Fleet` stops its process trees on a normal exit and on SIGTERM, SIGHUP and SIGINT; a SIGKILL
(an OOM kill, a CI timeout, `kill -9` of `contracts verify` or `gateway up`) gives it no chance, and its
`chalice local` services, the monolith's host and moto_server went on running, holding their ports. So
the fleet names itself in DECOMPOSE_PARENT_PID, and each child:
- on Linux asks the kernel for SIGTERM when its parent dies (prctl PR_SET_PDEATHSIG; the fleet sets it
  before exec too, `die_with_parent`, for commands that never call `hold`);
- everywhere, watches from a daemon thread: once os.getppid() is no longer the fleet (the child was
  re-parented to init or a subreaper), it stops its own process group (it leads one: the fleet starts
  each child in its own session), then exits if SIGTERM did not end it.

Standalone (standard library only, CPython 3.9+): copied into decompose_runtime for the monolith's host and
beside the `chalice local` launcher (decompose.interpreter.launcher).
"""

from __future__ import annotations

import os
import runpy
import signal
import sys
import threading
import time
from typing import Any, Callable, Optional

PARENT = "DECOMPOSE_PARENT_PID"
PR_SET_PDEATHSIG = 1  # linux/prctl.h
POLL_S = 0.5
GRACE_S = 5.0


def _prctl() -> Optional[Callable[..., int]]:
    """libc's prctl, resolved now (never in a forked child, where loading a library may deadlock); None off Linux."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError, ImportError):
        return None


_PRCTL = _prctl()


def linux() -> bool:
    """prctl is there (the fleet then sets the death signal before exec)."""
    return _PRCTL is not None


def die_with_parent() -> bool:
    """Linux: SIGTERM to this process when the thread that started it exits; False where unavailable.
    Safe as a subprocess preexec_fn (the function was resolved at import)."""
    if _PRCTL is None:
        return False
    return _PRCTL(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0) == 0


def hold(environ: Any = None) -> bool:
    """Tie this process's life to DECOMPOSE_PARENT_PID's; False when no fleet started it (nothing to do).
    The variable is taken out of the environment: a process this one starts is not the fleet's child."""
    raw = str((os.environ if environ is None else environ).pop(PARENT, ""))
    if not raw.isdigit():
        return False
    parent = int(raw)
    die_with_parent()
    if os.getppid() != parent:  # it died before we asked
        stop()
    threading.Thread(target=_watch, args=(parent,), name="decompose-lifeline", daemon=True).start()
    return True


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(POLL_S)
    stop()


def stop() -> None:
    """SIGTERM to this process's group when it leads one (its children too), else to itself; exit after GRACE_S."""
    try:
        if os.getpgrp() == os.getpid():
            os.killpg(os.getpid(), signal.SIGTERM)
        else:
            os.kill(os.getpid(), signal.SIGTERM)
    except OSError:
        pass
    time.sleep(GRACE_S)  # a process that handles SIGTERM (uvicorn shuts down) has had its time
    os._exit(1)


def main(argv: list) -> None:
    """`python -m decompose.gateway.lifeline MODULE ARGS...`: MODULE run as `python -m MODULE ARGS...`, held."""
    if not argv:
        raise SystemExit("usage: python -m decompose.gateway.lifeline MODULE [ARGS...]")
    hold()
    sys.argv = list(argv)
    runpy.run_module(argv[0], run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main(sys.argv[1:])
