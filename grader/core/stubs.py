"""Stubs from solutions: `solutions/exNN_topic.py` is the single source of `exercises/`.

Each region between `# BEGIN SOLUTION` and `# END SOLUTION` becomes a TODO and a
`raise NotImplementedError`, indented like the marker. Text after the BEGIN
marker becomes the TODO line:

    def double_square_grad(x):
        \"\"\"...\"\"\"
        # BEGIN SOLUTION build y = 2 * x·x, call backward, return x.grad
        y = 2 * torch.dot(x, x)
        ...
        # END SOLUTION

becomes

    def double_square_grad(x):
        \"\"\"...\"\"\"
        # TODO: build y = 2 * x·x, call backward, return x.grad
        raise NotImplementedError("double_square_grad")
"""

from __future__ import annotations

import re

BEGIN = re.compile(r"^(?P<indent>[ \t]*)# BEGIN SOLUTION\b[ \t:]*(?P<todo>.*?)\s*$")
END = re.compile(r"^[ \t]*# END SOLUTION\s*$")
DEF = re.compile(r"^[ \t]*(?:async\s+)?def\s+(?P<name>\w+)")


class AuthoringError(ValueError):
    """A solution file whose markers do not pair up."""


def make_stub(source: str, origin: str = "<solution>") -> str:
    """The learner's version of a solution's source."""
    out: list[str] = []
    opened_at = 0
    function = ""
    for number, line in enumerate(source.splitlines(keepends=True), start=1):
        begin, end = BEGIN.match(line), END.match(line)
        if begin:
            if opened_at:
                raise AuthoringError(f"{origin}:{number}: BEGIN SOLUTION inside the region opened at line {opened_at}")
            opened_at = number
            indent, todo = begin["indent"], begin["todo"]
            if todo:
                out.append(f"{indent}# TODO: {todo}\n")
            out.append(f"{indent}raise NotImplementedError({function or 'this stub'!r})\n")
        elif end:
            if not opened_at:
                raise AuthoringError(f"{origin}:{number}: END SOLUTION without BEGIN SOLUTION")
            opened_at = 0
        elif not opened_at:
            out.append(line)
            found = DEF.match(line)
            if found:
                function = found["name"]
    if opened_at:
        raise AuthoringError(f"{origin}:{opened_at}: BEGIN SOLUTION is never closed")
    return "".join(out)
