"""The kinds of failure webedge reports, and how the CLI maps them to exit codes.

`WebedgeError` is bad input or a broken environment: one line, exit 2, nothing written.
`CheckFailed` is a test run whose correctness check or budget failed: exit 1.
`InstallationError` is webedge itself broken (a packaged runtime file is missing): exit 3; the
user's input is fine and the fix is to reinstall.
`Interrupted` is SIGINT/SIGTERM, raised where the CLI can still clean up: exit 130/143.
"""


class WebedgeError(Exception):
    """Bad usage, bad input or a missing prerequisite. The message is the whole story."""

    exit_code = 2


class CheckFailed(Exception):
    """A browser check ran and something it measured is out of tolerance or over budget."""

    exit_code = 1


class InstallationError(WebedgeError):
    """A file webedge ships is missing from its installation: our fault, not the input's."""

    exit_code = 3


class Interrupted(BaseException):
    """SIGINT or SIGTERM arrived; a BaseException so `except Exception` cleanup code lets it pass."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.exit_code = 128 + signum
