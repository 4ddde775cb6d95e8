"""A saved index's records, read from its ``records.jsonl`` when asked for instead of held.

A million records' titles and texts are ~0.5 GB of Python strings, and a served matcher reads
them only for the few records it shows (explanations) and for rare whole passes (an n-gram
index, an update). ``RecordFile`` is a read-only sequence of ``Record`` over the file: it keeps
each line's offset (8 bytes a record) and an open descriptor, reads one line with ``os.pread``
for an index and the file a block at a time for a pass. Nothing is memory-mapped, so the pages
read stay in the page cache, not in the process's resident set.

The descriptor keeps the file it opened: ``Matcher.save`` replaces ``records.jsonl`` by
renaming a new file over it, which leaves this one readable until it is closed.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, overload

import numpy as np
from numpy.typing import NDArray

from techbridge.matching.record import Record

CHUNK = 1 << 24  # bytes read at a time to find the lines, and per streamed pass


def record_line(record: Record) -> str:
    """Return ``record`` as its line of ``records.jsonl`` (without the newline).

    ``profile`` is written only where it is set, so other records' lines stay as before it existed.
    """
    fields = {name: getattr(record, name) for name in Record.__slots__}
    if not record.profile:
        del fields["profile"]
    return json.dumps(fields, ensure_ascii=False)


def parse_record(line: str | bytes) -> Record:
    """Return the record of a ``records.jsonl`` line, its keys, codes and date interned.

    A million records repeat the same organisations, people, codes and dates: one string each.
    """
    data: dict[str, Any] = json.loads(line)
    for name in ("codes", "organizations", "people"):
        data[name] = tuple(sys.intern(key) for key in data.get(name) or ())
    for name in ("lang", "date"):
        if data.get(name):
            data[name] = sys.intern(data[name])
    return Record(**data)


class RecordFile(Sequence[Record]):
    """The records of a ``records.jsonl`` file, in its order (see the module docstring)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd = os.open(path, os.O_RDONLY)
        self.offsets_ = _line_offsets(self._fd)  # line r is bytes offsets_[r]:offsets_[r + 1]

    def __len__(self) -> int:
        return len(self.offsets_) - 1

    @overload
    def __getitem__(self, row: int) -> Record: ...

    @overload
    def __getitem__(self, row: slice) -> list[Record]: ...

    def __getitem__(self, row: int | slice) -> Record | list[Record]:
        if isinstance(row, slice):
            return [self[r] for r in range(*row.indices(len(self)))]
        if row < 0:
            row += len(self)
        if not 0 <= row < len(self):
            raise IndexError(f"record row {row} out of range")
        start, end = int(self.offsets_[row]), int(self.offsets_[row + 1])
        return parse_record(os.pread(self._fd, end - start, start))

    def __iter__(self) -> Iterator[Record]:
        # by pread too: a pass shares no file position with another pass or a lookup
        rest, position = b"", 0
        while chunk := os.pread(self._fd, CHUNK, position):
            position += len(chunk)
            *lines, rest = (rest + chunk).split(b"\n")
            yield from (parse_record(line) for line in lines if line.strip())
        if rest.strip():
            yield parse_record(rest)

    def __eq__(self, other: object) -> bool:
        """Equal to any sequence of the same records in the same order (a list of them, say)."""
        if not isinstance(other, Sequence) or isinstance(other, str | bytes):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def close(self) -> None:
        """Close the file (the records cannot be read after)."""
        fd, self._fd = getattr(self, "_fd", -1), -1
        if fd >= 0:
            os.close(fd)

    def __del__(self) -> None:
        self.close()


def _line_offsets(fd: int) -> NDArray[np.int64]:
    """Return the offsets where the file's non-empty lines start, and its end, as one array."""
    starts: list[NDArray[np.int64]] = [np.zeros(1, np.int64)]
    position = 0
    while chunk := os.pread(fd, CHUNK, position):
        newlines = np.flatnonzero(np.frombuffer(chunk, np.uint8) == ord("\n"))
        starts.append(newlines.astype(np.int64) + position + 1)
        position += len(chunk)
    bounds = np.concatenate([*starts, [position]])
    bounds = np.unique(bounds)  # an unterminated last line ends at the end; blank lines are empty
    keep = np.flatnonzero(np.diff(bounds) > 1)  # a line longer than its newline holds a record
    return np.concatenate([bounds[keep], [bounds[keep[-1] + 1]]]) if len(keep) else np.zeros(1, np.int64)
