"""The `webedge` console script: signal handling first, then the command line.

This module is the first webedge code the script runs, so before anything heavy is imported it
makes SIGINT/SIGTERM end the process quietly (nothing is written yet, so there is nothing to
clean up). `cli.main` then swaps in handlers that raise `Interrupted`, so a signal that arrives
mid-bundle unwinds through the cleanup code (no hidden `.OUT.tmp-*` folder is left) and ends as
one line and exit status 130 (SIGINT) or 143 (SIGTERM), never a traceback.
Library users who import `webedge` keep their own signal handling: only this entry point sets it.
"""

import os
import signal


def _quiet_exit(signum, frame):  # noqa: ARG001 - the signal module's handler signature
    os._exit(128 + signum)


signal.signal(signal.SIGINT, _quiet_exit)
signal.signal(signal.SIGTERM, _quiet_exit)


def main() -> int:
    from .cli import main as cli_main

    return cli_main(handle_signals=True)
