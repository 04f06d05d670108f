"""The terminal under `watch`: a screen redrawn per verdict, and keys read without blocking.

watch grades on file events (watchfiles) and reads keys between them: `TerminalKeys.pressed`
never blocks, so the loop asks it each time watchfiles yields (at least every few hundred
milliseconds, with or without a change). On a terminal, standard input is put in cbreak mode
(a key arrives without Enter; Ctrl-C still interrupts) and restored on the way out. Standard
input that is not a terminal (a pipe, /dev/null, an editor's output pane), or a platform without
termios, gives no keys: watch then stops with Ctrl-C alone.

The screen is cleared per frame on a terminal, so that a verdict starts at the top and its first
failure is on screen; elsewhere (a pipe, a log) frames follow each other, a blank line between.
"""

from __future__ import annotations

import os
import select
import sys
from types import TracebackType
from typing import Protocol, TextIO

try:
    import termios
    import tty
except ImportError:  # not a POSIX terminal (Windows): no keys, Ctrl-C stops
    termios = None  # type: ignore[assignment]

CLEAR = "\x1b[H\x1b[2J"  # cursor home, erase the screen (the scrollback is kept)
READ_BYTES = 64


class Keys(Protocol):
    """Keys pressed by the learner; `available` is False where none can be read."""

    available: bool

    def pressed(self) -> str:
        """The keys pressed since the last call ("" if none); never blocks."""


class Screen(Protocol):
    def frame(self) -> None:
        """Start a new frame: what follows replaces what was shown."""

    def write(self, text: str) -> None: ...


class TerminalKeys:
    """Keys from standard input, one at a time without Enter, while in a `with` block."""

    def __init__(self, stream: TextIO | None = None) -> None:
        try:
            self.fd: int | None = (stream or sys.stdin).fileno()
        except (AttributeError, OSError, ValueError):  # replaced by an object without a descriptor
            self.fd = None
        self.available = termios is not None and self.fd is not None and os.isatty(self.fd)
        self._saved: list | None = None

    def __enter__(self) -> TerminalKeys:
        if self.available and self.fd is not None:
            self._saved = termios.tcgetattr(self.fd)
            tty.setcbreak(self.fd)
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        if self._saved is not None and self.fd is not None:
            termios.tcsetattr(self.fd, termios.TCSADRAIN, self._saved)
            self._saved = None

    def pressed(self) -> str:
        if not self.available or self.fd is None:
            return ""
        read = b""
        while select.select([self.fd], [], [], 0)[0]:
            chunk = os.read(self.fd, READ_BYTES)
            if not chunk:  # end of input: the terminal went away
                self.available = False
                break
            read += chunk
        return read.decode(errors="ignore")


class TerminalScreen:
    """Frames on `out`: cleared on a terminal, separated by a blank line elsewhere."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.clears = out.isatty() and os.environ.get("TERM") != "dumb"

    def frame(self) -> None:
        self.write(CLEAR if self.clears else "\n")

    def write(self, text: str) -> None:
        self.out.write(text)
        self.out.flush()
