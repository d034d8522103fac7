"""What the conformance scripts share: the local host (ZHOST_URL), its test endpoints, and the
summary lines `cargo xtask test` counts."""

import json
import os
import sys
import unittest
import urllib.request

ZHOST = os.environ["ZHOST_URL"].rstrip("/")


def world():
    """The live world (settings, users, channels) as zhost holds it."""
    with urllib.request.urlopen(ZHOST + "/_emulator/world") as r:
        return json.load(r)


def reset():
    """Puts the emulators back to the world file."""
    urllib.request.urlopen(urllib.request.Request(ZHOST + "/_emulator/reset", method="POST")).read()


def main():
    """Runs the calling module's tests; prints `# pass N` / `# fail M` and exits non-zero on a
    failure."""
    result = unittest.main(module="__main__", exit=False, verbosity=2).result
    failed = len(result.failures) + len(result.errors)
    print(f"# pass {result.testsRun - failed}")
    print(f"# fail {failed}")
    sys.exit(0 if result.wasSuccessful() else 1)
