"""A dataset: the records of one evidence kind, kept by column.

A prefecture's roster has hundreds of thousands of rows. Rules are evaluated over whole columns
(plain lists of normalised values), and a Record (a dict of fields with its file and line) is
built only for the rows that a finding points at, or when a caller iterates the dataset.
"""
from __future__ import annotations

import bisect

from ..model import Record


class Dataset:
    """Columns of one kind; rows from several files are appended part by part."""

    __slots__ = ("kind", "columns", "size", "_starts", "_parts", "_cleaned")

    def __init__(self, kind: str, fields):
        self.kind = kind
        self.columns = {name: [] for name in fields}
        self.size = 0
        self._starts: list[int] = []
        self._parts: list[tuple] = []  # (file, lines, fields the file maps)
        self._cleaned: list[dict] = []  # per part: row -> {field: (invisible characters removed, emptied)}

    def add(self, file: str, columns: dict, lines, present=None, cleaned: dict | None = None) -> None:
        """Append one file's rows: `columns` field -> values, `lines` the line of each row, `cleaned` the
        rows whose cells held invisible characters (row -> {field: (characters removed, emptied)})."""
        n = len(lines)
        for name, column in self.columns.items():
            values = columns.get(name)
            if values is None:
                values = [None] * n
            elif not self.size and type(values) is list:  # the first part: its lists are taken, not copied
                self.columns[name] = values
                continue
            column.extend(values)
        self._starts.append(self.size)
        self._parts.append((file, lines, tuple(present if present is not None else columns)))
        self._cleaned.append(cleaned or {})
        self.size += n

    @classmethod
    def from_records(cls, kind: str, fields, records) -> "Dataset":
        """Build from Records (virtual datasets, tests); rows keep their files and lines."""
        data = cls(kind, fields)
        for r in records:
            data.add(r.file, {k: [r.fields.get(k)] for k in data.columns}, [r.line], present=r.fields,
                     cleaned={0: r.cleaned} if r.cleaned else None)
        return data

    def __len__(self) -> int:
        return self.size

    def __bool__(self) -> bool:
        return self.size > 0

    def _part(self, i: int) -> tuple[int, tuple]:
        p = bisect.bisect_right(self._starts, i) - 1
        return i - self._starts[p], self._parts[p]

    def location(self, i: int) -> tuple[str, int | None]:
        offset, (file, lines, _) = self._part(i)
        return file, lines[offset]

    def row_at(self, file: str, line) -> int | None:
        """The row of this dataset that starts at `line` of `file`, or None."""
        for start, (f, lines, _) in zip(self._starts, self._parts):
            if f == file and line is not None and line in lines:  # a range answers at once, a list by a scan
                return start + lines.index(line)
        return None

    def fields(self, i: int) -> dict:
        _, (_, _, present) = self._part(i)
        return {name: self.columns[name][i] for name in present if name in self.columns}

    def record(self, i: int) -> Record:
        p = bisect.bisect_right(self._starts, i) - 1
        offset, (file, lines, present) = i - self._starts[p], self._parts[p]
        return Record(self.kind, {n: self.columns[n][i] for n in present if n in self.columns}, file, lines[offset],
                      self._cleaned[p].get(offset))

    def __getitem__(self, i: int) -> Record:
        if not -self.size <= i < self.size:
            raise IndexError(i)
        return self.record(i % self.size)

    def __iter__(self):
        return (self.record(i) for i in range(self.size))

    def files(self) -> list[str]:
        return [file for file, _, _ in self._parts]
