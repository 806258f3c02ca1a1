"""Process exit codes: one enum, used only by the CLI."""
import enum


class ExitCode(enum.IntEnum):
    OK = 0  # nothing at or above --fail-on failed
    FINDINGS = 1  # something at or above --fail-on failed
    INPUT_ERROR = 2  # a file could not be used: unreadable, YAML or schema error
    CRASH = 3  # an unexpected error (a bug, or out of memory): neither a result nor bad input
