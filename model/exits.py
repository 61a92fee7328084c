"""The exit statuses of every command line of the project, defined once.

``predict``, the Spark job and training's command lines exit with these, so a
status means the same whichever command returned it (``predict --help`` lists
them for users).
"""

from __future__ import annotations

__all__ = [
    "EXIT_EMPTY_DIR",
    "EXIT_EMPTY_INPUT",
    "EXIT_INTERNAL",
    "EXIT_MODEL",
    "EXIT_NOT_TEXT",
    "EXIT_OK",
    "EXIT_UNREADABLE",
    "EXIT_USAGE",
]

EXIT_OK = 0  # success
EXIT_INTERNAL = 1  # an internal error (a bug): one line on standard error, no traceback
EXIT_USAGE = 2  # a bad option, argument, column or labels file
# an input missing or unreadable (or a URL: nothing is fetched, or a --lines line over the
# cap), or an output that cannot be written (a full disk, a read-only folder)
EXIT_UNREADABLE = 3
EXIT_EMPTY_DIR = 4  # a folder with nothing to read
EXIT_NOT_TEXT = 5  # input that is not valid text (bytes invalid in the encoding, binary content)
EXIT_EMPTY_INPUT = 6  # input with no sentence to score
EXIT_MODEL = 7  # the model missing, corrupt or incompatible
