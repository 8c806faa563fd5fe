"""Progress bars for the steps that can take more than a second or two, on a terminal only.

`--quantize auto` scoring tensors, shards being compressed, `webedge test`'s phases and the
demos' steps report through `bar()`. The CLI switches bars on when stderr is a terminal and
`--quiet` is not given; as a library (and in pipes, CI logs, tests) webedge prints none. The bars
are tqdm's (a well-kept library: rates, ETA and terminal width handled), drawn on stderr, shown
only once a step has run for `DELAY_S`, and erased when it ends, so the lines a command prints
stay as they are — in particular an error stays one line.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from typing import Iterator

DELAY_S = 1.0  # WEBEDGE_PROGRESS_DELAY_S overrides it (0: draw at once)
_enabled = False


def enable(on: bool) -> None:
    global _enabled
    _enabled = bool(on)


def enabled() -> bool:
    return _enabled


class _Silent:
    """What bar() yields when bars are off: the same calls, doing nothing."""

    def update(self, n: float = 1) -> None:
        pass

    def set_description_str(self, desc: str) -> None:
        pass


class _Bar:
    """tqdm, but a new description waits for the next update: tqdm redraws at once on
    set_description_str(), even within its `delay`, and then, believing it never drew, does not
    erase the bar when it closes (tqdm 4.70)."""

    def __init__(self, t):
        self._t = t

    def update(self, n: float = 1) -> None:
        self._t.update(n)

    def set_description_str(self, desc: str) -> None:
        self._t.set_description_str(desc, refresh=False)


def _delay() -> float:
    try:
        return max(0.0, float(os.environ.get("WEBEDGE_PROGRESS_DELAY_S", DELAY_S)))
    except ValueError:
        return DELAY_S


@contextmanager
def bar(desc: str, total: float | None = None, unit: str = "it", bytes_: bool = False) -> Iterator:
    """A bar for one step: `.update(n)` as it advances, `.set_description_str(text)` for sub-steps."""
    if not _enabled:
        yield _Silent()
        return
    from tqdm import tqdm

    kwargs = {"unit": "B", "unit_scale": True, "unit_divisor": 1024} if bytes_ else {"unit": unit}
    with tqdm(total=total, desc=desc, file=sys.stderr, leave=False, delay=_delay(), dynamic_ncols=True,
              mininterval=0.2, **kwargs) as t:
        yield _Bar(t)
