"""What the `funnel` commands print, and their exit codes: quiet by default, progress with
`--verbose`, errors on stderr as one line."""

from __future__ import annotations

import sys

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class Console:
    def __init__(self, verbose: bool, quiet: bool = False):
        self.verbose, self.quiet = verbose, quiet

    def say(self, message: str) -> None:
        if not self.quiet:
            print(message, flush=True)

    def progress(self, message: str) -> None:
        if self.verbose:
            print(f"  {message}", file=sys.stderr, flush=True)

    def error(self, message: str) -> None:
        print(f"error: {message}", file=sys.stderr, flush=True)
