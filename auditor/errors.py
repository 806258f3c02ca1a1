"""The one exception type for unusable input: it names the file, the line and what to do."""
from __future__ import annotations


class InputError(Exception):
    """Bad user input. The CLI prints it without a traceback and exits 2."""

    def __init__(self, path, message: str, line: int | None = None, hint: str | None = None):
        self.path = str(path) if path is not None else None
        self.line = line
        self.message = message
        self.hint = hint
        super().__init__(self.render())

    def render(self) -> str:
        where = self.path or "<input>"
        if self.line:
            where += f":{self.line}"
        text = f"{where}: {self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text
