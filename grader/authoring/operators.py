"""The operators of mutation testing: each proposes changes to one `ast` node of a solution.

An operator looks at one node and yields `Change`s: a kind (`Operator`), a short
tag for the mutant's id (`mult->add`, `dim=0->1`, `remove-stmt`), a description,
and an `Edit` of the source. An edit replaces only the source segment of what it
changes (an operator token, a constant, a name, a statement), located through the
node's positions (`Source`), so the rest of the file stays byte-identical; an edit
that removes line breaks puts back as many backslash-continued ones, so every
line keeps its number. `grader.authoring.mutants` decides which nodes are
mutated (those inside solution regions) and names the results; `docs/mutants.md`
lists the changes in a table.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum

Parents = dict[ast.AST, ast.AST]  # each node -> the node that holds it


class Operator(StrEnum):
    """The kinds of change, in the order a line's mutants are listed."""

    ARITHMETIC = "arithmetic"  # + - * / // ** % @ swapped
    COMPARISON = "comparison"  # < <= > >= == != is in swapped; and/or, &/| swapped; `not` removed
    CONSTANT = "constant"  # 0 <-> 1, n -> n±1, True <-> False, a float ×2 or 0
    KEYWORD = "keyword"  # dim=0 <-> 1 <-> -1, a bool keyword flipped
    CALL = "call"  # mean <-> sum, max <-> min, softmax <-> log_softmax, cat <-> stack, ...
    STATEMENT = "statement"  # a statement with an effect replaced by `pass`
    CONVERSION = "conversion"  # .clone() .detach() .item() .float() .to(...) ... removed
    NO_GRAD = "no_grad"  # `with torch.no_grad():` (its body kept) or `@torch.no_grad()` removed


@dataclass(frozen=True)
class Edit:
    """Replace source[start:end] (character offsets) by `text`."""

    start: int
    end: int
    text: str

    def apply(self, source: str) -> str:
        return source[: self.start] + self.text + source[self.end :]


@dataclass(frozen=True)
class Change:
    """What an operator proposes for one node (the id and the lines are added later)."""

    operator: Operator
    tag: str  # `mult->add`, `dim=0->1`, `remove-stmt`
    description: str
    edit: Edit


# --- what each operator changes --------------------------------------------------------------

# Each operator -> what it becomes, one mutant each: arithmetic, comparisons, logic.
SWAPS: dict[type, tuple[type, ...]] = {
    ast.Add: (ast.Sub, ast.Mult), ast.Sub: (ast.Add,), ast.Mult: (ast.Div, ast.Add), ast.Div: (ast.Mult, ast.FloorDiv),
    ast.FloorDiv: (ast.Div, ast.Mult), ast.Mod: (ast.FloorDiv,), ast.Pow: (ast.Mult,), ast.MatMult: (ast.Mult,),
    ast.Lt: (ast.LtE, ast.Gt), ast.LtE: (ast.Lt, ast.GtE), ast.Gt: (ast.GtE, ast.Lt), ast.GtE: (ast.Gt, ast.LtE),
    ast.Eq: (ast.NotEq,), ast.NotEq: (ast.Eq,), ast.Is: (ast.IsNot,), ast.IsNot: (ast.Is,), ast.In: (ast.NotIn,), ast.NotIn: (ast.In,),
    ast.BitAnd: (ast.BitOr,), ast.BitOr: (ast.BitAnd,), ast.And: (ast.Or,), ast.Or: (ast.And,),
}  # fmt: skip
LOGICAL = (ast.BitAnd, ast.BitOr)  # `&` and `|` on masks: comparisons' kin, not arithmetic
SPELLING: dict[type, str] = {
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%", ast.Pow: "**",
    ast.MatMult: "@", ast.BitAnd: "&", ast.BitOr: "|", ast.And: "and", ast.Or: "or",
    ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!=",
    ast.Is: "is", ast.IsNot: "is not", ast.In: "in", ast.NotIn: "not in",
}  # fmt: skip
# A function or method name -> the one it is swapped for (Python's own max/min by name too).
CALL_SWAPS = {
    "mean": "sum", "sum": "mean", "max": "min", "min": "max", "amax": "amin", "amin": "amax",
    "argmax": "argmin", "argmin": "argmax", "softmax": "log_softmax", "log_softmax": "softmax",
    "zeros": "ones", "ones": "zeros", "zeros_like": "ones_like", "ones_like": "zeros_like",
    "relu": "sigmoid", "sigmoid": "relu", "tanh": "sigmoid", "gelu": "relu",
    "ReLU": "Sigmoid", "Sigmoid": "ReLU", "Tanh": "Sigmoid", "GELU": "ReLU",
    "cat": "stack", "stack": "cat", "any": "all", "all": "any", "floor": "ceil", "ceil": "floor",
    "eval": "train", "train": "eval",
}  # fmt: skip
BUILTIN_SWAPS = {"max": "min", "min": "max", "any": "all", "all": "any"}
DIM_KEYWORDS = ("dim", "axis")
DIMS = (0, 1, -1)
# Methods whose removal leaves the receiver: `.to(...)` with its arguments, the others without any.
CONVERSIONS = ("clone", "detach", "item", "float", "double", "long", "cpu", "contiguous", "to")
NO_GRAD = ("no_grad", "inference_mode")
IDENTITY_DECORATOR = "(lambda f: f)"
SHOWN = 60  # characters of a removed statement in its description


def _name(op: type) -> str:
    return op.__name__.lower()


# --- positions -------------------------------------------------------------------------------


class Source:
    """The solution's text, with `ast` positions (line, UTF-8 byte column) as character offsets."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.splitlines(keepends=True)
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line))

    def offset(self, line: int, column: int) -> int:
        return self.starts[line - 1] + len(self.lines[line - 1].encode()[:column].decode())

    def span(self, node: ast.AST) -> tuple[int, int]:
        return self.offset(node.lineno, node.col_offset), self.offset(node.end_lineno, node.end_col_offset)

    def segment(self, node: ast.AST) -> str:
        start, end = self.span(node)
        return self.text[start:end]

    def line_of(self, offset: int) -> int:
        return self.text.count("\n", 0, offset) + 1

    def edit(self, start: int, end: int, text: str) -> Edit:
        """An edit that keeps every line's number: removed line breaks come back as `\\` continuations."""
        removed = self.text.count("\n", start, end) - text.count("\n")
        return Edit(start, end, text + "\\\n" * max(0, removed))

    def token(self, start: int, end: int, spelling: str) -> tuple[int, int]:
        """Where `spelling` (an operator) is between two operands: the gap holds only it, brackets,
        spaces, continuations and comments."""
        gap = re.sub(r"#[^\n]*", lambda m: " " * len(m.group()), self.text[start:end])
        words = r"\s+".join(map(re.escape, spelling.split()))
        found = re.search(rf"(?<![\w=<>*/!]){words}(?![\w=<>*/])", gap)
        if found is None:
            raise ValueError(f"no {spelling!r} between offsets {start} and {end}")
        return start + found.start(), start + found.end()


# --- the operators ---------------------------------------------------------------------------


def _swap_token(src: Source, start: int, end: int, op: type, operator: Operator, suffix: str = "") -> Iterator[Change]:
    at, to = src.token(start, end, SPELLING[op] + suffix)
    for other in SWAPS[op]:
        old, new = SPELLING[op] + suffix, SPELLING[other] + suffix
        yield Change(operator, f"{_name(op)}->{_name(other)}", f"`{old}` -> `{new}`", src.edit(at, to, new))


def _textual(node: ast.AST) -> bool:
    return isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)))


def _arithmetic(op: ast.AST) -> bool:
    return type(op) in SWAPS and not isinstance(op, LOGICAL)


def arithmetic(node: ast.AST, src: Source, parents: Parents) -> Iterator[Change]:
    """`a + b` -> `a - b`, `x *= y` -> `x /= y`, ... (not on strings: `+` joins them, `%` formats)."""
    if isinstance(node, ast.BinOp) and _arithmetic(node.op) and not (_textual(node.left) or _textual(node.right)):
        yield from _swap_token(src, src.span(node.left)[1], src.span(node.right)[0], type(node.op), Operator.ARITHMETIC)
    elif isinstance(node, ast.AugAssign) and _arithmetic(node.op):
        start, end = src.span(node.target)[1], src.span(node.value)[0]
        yield from _swap_token(src, start, end, type(node.op), Operator.ARITHMETIC, "=")


def comparison(node: ast.AST, src: Source, parents: Parents) -> Iterator[Change]:
    """`<` -> `<=`, `==` -> `!=`, `and` -> `or`, `&` -> `|`, `not x` -> `x`, ..."""
    if isinstance(node, ast.Compare):
        operands = [node.left, *node.comparators]
        for op, left, right in zip(node.ops, operands, operands[1:]):
            yield from _swap_token(src, src.span(left)[1], src.span(right)[0], type(op), Operator.COMPARISON)
    elif isinstance(node, ast.BoolOp):
        for left, right in zip(node.values, node.values[1:]):
            yield from _swap_token(src, src.span(left)[1], src.span(right)[0], type(node.op), Operator.COMPARISON)
    elif isinstance(node, ast.BinOp) and isinstance(node.op, LOGICAL):
        yield from _swap_token(src, src.span(node.left)[1], src.span(node.right)[0], type(node.op), Operator.COMPARISON)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        start, operand = src.span(node)[0], src.span(node.operand)[0]
        kept = src.text[start + len("not") : operand].lstrip()
        yield Change(Operator.COMPARISON, "not->", "`not` removed", src.edit(start, operand, kept))


def _keyword_handles(node: ast.AST, parents: Parents) -> bool:
    """Whether this constant is a keyword's value that `keyword` mutates (so `constant` leaves it)."""
    holder = parents.get(node)
    if isinstance(holder, ast.UnaryOp):
        holder = parents.get(holder)
    return isinstance(holder, ast.keyword) and (_dim_value(holder) is not None or _bool_value(holder) is not None)


def constant(node: ast.AST, src: Source, parents: Parents) -> Iterator[Change]:
    """0 -> 1, n -> n+1 and n-1, True <-> False, a float ×2 and 0 (0.0 -> 1.0)."""
    if not isinstance(node, ast.Constant) or _keyword_handles(node, parents):
        return
    value = node.value
    if isinstance(value, bool):
        news: list[object] = [not value]
    elif isinstance(value, int):
        news = [1] if value == 0 else [value + 1, value - 1]
    elif isinstance(value, float) and value == value and abs(value) != float("inf"):
        news = [1.0] if value == 0 else [value * 2, 0.0]
    else:
        return
    start, end = src.span(node)
    holder = parents.get(node)
    sign = "-" if isinstance(holder, ast.UnaryOp) and isinstance(holder.op, ast.USub) else ""
    for new in news:
        description = f"constant {sign}{src.segment(node)} -> {sign}{new!r}"
        yield Change(Operator.CONSTANT, f"{value!r}->{new!r}", description, src.edit(start, end, repr(new)))


def _dim_value(node: ast.keyword) -> int | None:
    value = node.value
    sign = 1
    if isinstance(value, ast.UnaryOp) and isinstance(value.op, ast.USub):
        value, sign = value.operand, -1
    if node.arg in DIM_KEYWORDS and isinstance(value, ast.Constant) and type(value.value) is int:
        return sign * value.value
    return None


def _bool_value(node: ast.keyword) -> bool | None:
    return node.value.value if isinstance(node.value, ast.Constant) and isinstance(node.value.value, bool) else None


def keyword(node: ast.AST, src: Source, parents: Parents) -> Iterator[Change]:
    """`dim=0` -> `dim=1` and `dim=-1` (each of 0, 1, -1 to the other two); `flag=True` <-> `flag=False`."""
    if not isinstance(node, ast.keyword) or node.arg is None:
        return
    dim, flag = _dim_value(node), _bool_value(node)
    news: list[object] = []
    if dim is not None:
        news = [d for d in DIMS if d != dim][:2]
    elif flag is not None:
        news = [not flag]
    start, end = src.span(node.value)
    old = src.segment(node.value)
    for new in news:
        tag = f"{node.arg}={old}->{new!r}".replace(" ", "")
        yield Change(Operator.KEYWORD, tag, f"{node.arg}={old} -> {node.arg}={new!r}", src.edit(start, end, repr(new)))


def call(node: ast.AST, src: Source, parents: Parents) -> Iterator[Change]:
    """`x.mean()` -> `x.sum()`, `F.softmax` -> `F.log_softmax`, `torch.cat` -> `torch.stack`, ... (the name only)."""
    if not isinstance(node, ast.Call):
        return
    func = node.func
    if isinstance(func, ast.Attribute) and func.attr in CALL_SWAPS:
        name, new = func.attr, CALL_SWAPS[func.attr]
    elif isinstance(func, ast.Name) and func.id in BUILTIN_SWAPS:
        name, new = func.id, BUILTIN_SWAPS[func.id]
    else:
        return
    end = src.span(func)[1]
    yield Change(Operator.CALL, f"{name}->{new}", f"{name}(...) -> {new}(...)", src.edit(end - len(name), end, new))


def _enclosing_function(node: ast.AST, parents: Parents) -> ast.AST | None:
    while node in parents:
        node = parents[node]
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            return node
    return None


def _rebinds(node: ast.stmt, function: ast.AST | None) -> bool:
    """An assignment to a name already bound in its function (`x = x.float()`): removing it skips a step."""
    if function is None or not isinstance(node, (ast.Assign, ast.AnnAssign)):
        return False
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    names = {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    args = function.args if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) else None
    bound = {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)} if args else set()
    bound |= {
        n.id
        for n in ast.walk(function)
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store) and (n.lineno, n.col_offset) < (node.lineno, node.col_offset)
    }
    return bool(names & bound)


def _has_effect(node: ast.stmt, function: ast.AST | None) -> bool:
    """A statement whose removal still runs: a call, an update, a raise, a jump (not a binding
    of a fresh name, whose removal only raises NameError, nor a return)."""
    if isinstance(node, ast.Expr):
        return not isinstance(node.value, ast.Constant)
    if isinstance(node, (ast.AugAssign, ast.Delete, ast.Raise, ast.Break, ast.Continue)):
        return True
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        names_only = (ast.Name, ast.Tuple, ast.List, ast.Starred, ast.expr_context)
        plain = all(isinstance(n, names_only) for t in targets for n in ast.walk(t))
        return not plain or _rebinds(node, function)
    return False


def statement(node: ast.AST, src: Source, parents: Parents) -> Iterator[Change]:
    """A statement with an effect (`optimizer.zero_grad()`, `x = x.float()`, ...) -> `pass`."""
    if isinstance(node, ast.stmt) and _has_effect(node, _enclosing_function(node, parents)):
        start, end = src.span(node)
        text = " ".join(src.segment(node).split())
        shown = text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"
        yield Change(Operator.STATEMENT, "remove-stmt", f"removed `{shown}`", src.edit(start, end, "pass"))


def conversion(node: ast.AST, src: Source, parents: Parents) -> Iterator[Change]:
    """`x.detach()` -> `x`, `x.to(device)` -> `x`, ... (the receiver, with its brackets, is kept)."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in CONVERSIONS):
        return
    if node.func.attr != "to" and (node.args or node.keywords):
        return  # torch.clone(x), x.float(dtype) ...: not the method that hands back its receiver
    start, end = src.span(node)
    dot = src.text.rindex(".", start, src.span(node.func)[1])
    removed = src.text[dot:end]
    shown = " ".join(removed.split())
    yield Change(Operator.CONVERSION, f"remove-{node.func.attr}", f"removed `{shown}`", src.edit(dot, end, ""))


def _is_no_grad(node: ast.AST) -> bool:
    func = node.func if isinstance(node, ast.Call) else None
    return isinstance(func, ast.Attribute) and func.attr in NO_GRAD or isinstance(func, ast.Name) and func.id in NO_GRAD


def no_grad(node: ast.AST, src: Source, parents: Parents) -> Iterator[Change]:
    """`with torch.no_grad():` -> `if True:` (the body, as indented, runs recorded); `@torch.no_grad()` -> no-op."""
    if isinstance(node, ast.With) and len(node.items) == 1 and _is_no_grad(node.items[0].context_expr):
        item = node.items[0]
        start = src.span(node)[0]
        colon = src.text.index(":", src.span(item.optional_vars or item.context_expr)[1])
        header = " ".join(src.text[start : colon + 1].split())
        yield Change(Operator.NO_GRAD, "remove-no_grad", f"removed `{header}` (body kept)", src.edit(start, colon + 1, "if True:"))
        return
    holder = parents.get(node)
    if _is_no_grad(node) and isinstance(holder, (ast.FunctionDef, ast.AsyncFunctionDef)) and node in holder.decorator_list:
        start, end = src.span(node)
        yield Change(Operator.NO_GRAD, "remove-no_grad", f"removed `@{src.segment(node)}`", src.edit(start, end, IDENTITY_DECORATOR))


OPERATORS: tuple[Callable[[ast.AST, Source, Parents], Iterator[Change]], ...] = (
    arithmetic, comparison, constant, keyword, call, statement, conversion, no_grad,
)  # fmt: skip
