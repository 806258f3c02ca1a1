"""Process exit codes: one enum, used only by the CLI."""
import enum


class ExitCode(enum.IntEnum):
    OK = 0  # nothing at or above --fail-on failed
    FINDINGS = 1  # something at or above --fail-on failed
    INPUT_ERROR = 2  # a file could not be used: unreadable, YAML or schema error
