"""Source files and spans. A span is half-open over character offsets; line/col are
1-based and computed on demand so the lexer stays cheap."""

from __future__ import annotations

import bisect
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

_NEWLINE = re.compile("\n")


@dataclass(eq=False)
class SourceFile:
    name: str  # as shown in diagnostics (the path the user gave)
    text: str
    _line_starts: list[int] = field(default_factory=list, repr=False)
    invalid_utf8_at: int | None = None  # character offset of the first undecodable byte

    def __post_init__(self) -> None:
        self._line_starts = [0, *(m.end() for m in _NEWLINE.finditer(self.text))]

    @classmethod
    def read(cls, path: str | Path) -> SourceFile:
        return cls.from_bytes(str(path), Path(path).read_bytes())

    @classmethod
    def from_bytes(cls, name: str, raw: bytes) -> SourceFile:
        try:
            return cls(name, raw.decode("utf-8"))
        except UnicodeDecodeError as e:
            bad_at = len(raw[: e.start].decode("utf-8", errors="replace"))
            return cls(name, raw.decode("utf-8", errors="replace"), invalid_utf8_at=bad_at)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8", errors="surrogatepass")).hexdigest()

    def line_col(self, offset: int) -> tuple[int, int]:
        offset = max(0, min(offset, len(self.text)))
        idx = bisect.bisect_right(self._line_starts, offset) - 1
        return idx + 1, offset - self._line_starts[idx] + 1

    def line_text(self, line: int) -> str:
        start = self._line_starts[line - 1]
        end = self.text.find("\n", start)
        return self.text[start : end if end >= 0 else len(self.text)]

    def span(self, start: int, end: int) -> Span:
        return Span(self, start, end)


class Span(NamedTuple):
    """Half-open character range in one file. A NamedTuple because the parser creates
    tens of thousands of them per large file and tuples are the cheapest to build."""

    file: SourceFile
    start: int
    end: int

    @property
    def line(self) -> int:
        return self.file.line_col(self.start)[0]

    @property
    def col(self) -> int:
        return self.file.line_col(self.start)[1]

    @property
    def text(self) -> str:
        return self.file.text[self.start : self.end]

    def to(self, other: Span) -> Span:
        return Span(self.file, self.start, max(self.end, other.end))

    def __repr__(self) -> str:
        return f"{self.file.name}:{self.line}:{self.col}"
