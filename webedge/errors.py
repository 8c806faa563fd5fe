"""The two kinds of failure webedge reports, and how the CLI maps them to exit codes.

`WebedgeError` is bad input or a broken environment: one line, exit 2, nothing written.
`CheckFailed` is a test run whose correctness check or budget failed: exit 1.
"""


class WebedgeError(Exception):
    """Bad usage, bad input or a missing prerequisite. The message is the whole story."""

    exit_code = 2


class CheckFailed(Exception):
    """A browser check ran and something it measured is out of tolerance or over budget."""

    exit_code = 1
