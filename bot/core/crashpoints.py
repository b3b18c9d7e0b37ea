"""Named moments at which the crash-loop test kills the bot, as `kill -9` would.

`MJBOT_CRASH_AT=<point>[,<point>…]` arms them; unset (always, outside that test) each check is one
lookup in an empty set. The points are listed here so that the test and the code agree on names.
"""

from __future__ import annotations

import os
import signal

POINTS = (
    "ack.before",  # a slash command answered by nothing yet
    "ack.sent",  # the answer reached Discord, the bot has not read its reply (the message id) yet
    "ack.after",  # its public message posted, its job not yet recorded
    "press.sent",  # a button job recorded, its message created, the bot has not read Discord's reply yet
    "press.posted",  # a button job recorded and its message posted, the message not yet on the row
    "submit.answered",  # the paid API accepted the job; the ledger does not know its task yet
    "progress",  # the first progress of a job recorded
    "upload",  # the final edit with the image about to be sent
    "failed",  # a job failed upstream and was recorded so (with its refund), its message not yet told
)

_ARMED = set(p for p in os.environ.get("MJBOT_CRASH_AT", "").split(",") if p)
# `MJBOT_CRASH_SIGNAL=SIGTERM`: a graceful stop asked for at the point instead (the process goes on).
_SIGNAL = signal.Signals[os.environ.get("MJBOT_CRASH_SIGNAL", "SIGKILL")]


def reached(point: str) -> None:
    """Die here, at once and without cleanup, if the test armed `point` (or ask for a graceful stop, once)."""
    if point in _ARMED:
        _ARMED.discard(point)
        os.kill(os.getpid(), _SIGNAL)
