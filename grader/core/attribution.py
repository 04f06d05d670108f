"""Which functions of the learner's module each observation of a check depends on, read from the suite.

A check may cover several functions. The judge (`grader.core.scoring`) names the function at
fault in each failure message, and tells a wrong function from what a stub still pending
(`grader.run.pending`) leaves wrong. Both need, per observation key, the module's names whose
results or effects reach it; they are read from the suite's source, nothing is run:

- `ex.NAME` in an expression: NAME; a name bound from it depends on it, elementwise when both
  sides are tuples of one length (`a, b = ex.f(x), ex.g(y)`);
- a call hands what it depends on to what it is given and to the object whose method it is
  (`ex.step(model)`: `model` now depends on `step`; `loss.backward()`: `loss` on what `loss` did);
- the keys of the dict the probe returns: a dict literal (`**helper(...)` included), a name filled
  key by key (`observed["k"] = ...`, `observed.update({...})`), or a suite helper's return,
  followed with the module handed to it, as the module's uses are (`suite_uses`);
- a flattened key (`state.momentum`, `history[2]`) belongs to its top-level key.

Over-approximation is the rule: bindings only add, a nested function's body counts where it
is defined, and a key whose dependencies cannot be read (a computed key, a dict made elsewhere)
depends on every name the probe uses, or on an unknown set (`None`) where the probe uses the
module in a way this cannot follow (`getattr(ex, name)`). So a fault is never blamed on one
function when it may come from another.
"""

from __future__ import annotations

import ast
import functools
import inspect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

EVERYTHING = None  # a probe (or helper) whose uses of the module cannot be followed
UNKNOWN = "*"  # in a set of dependencies: an opaque use of the module
Deps = frozenset[str]
NONE: Deps = frozenset()


@dataclass(frozen=True)
class Attribution:
    """Observation key -> the module names it depends on, for one check."""

    keys: Mapping[str, Deps] = field(default_factory=dict)  # the returned dict's top-level keys
    used: Deps | None = NONE  # every name the probe uses (EVERYTHING: cannot say)
    made: Mapping[str, Deps] = field(default_factory=dict)  # per key, the names whose results make it, effects aside

    def of(self, key: str) -> Deps | None:
        """The names observation `key` (flattened or not) depends on, results and effects; None when
        that cannot be told."""
        return self._lookup(self.keys, key)

    def named(self, key: str) -> Deps | None:
        """The names to blame for a wrong `key`: those whose results make it (`b = ex.f(a)`), else `of`.
        Another function's effects may reach it (`ex.g(a)` after changes `b`, a view of `a`), but a
        failure message names the first suspects."""
        return self._lookup(self.made, key) or self.of(key)

    def _lookup(self, keys: Mapping[str, Deps], key: str) -> Deps | None:
        tops = [top for top in keys if key == top or key.startswith((f"{top}.", f"{top}["))]
        deps = keys[max(tops, key=len)] if tops else self.used
        return None if deps is None or not deps or UNKNOWN in deps else deps


def attribute(probe: Callable[..., Any]) -> Attribution:
    """The attribution of a check's probe (the author's function, under any wrapper)."""
    where = _where(probe)
    return Attribution(used=EVERYTHING) if where is None else _attribute(*where)


def used_by(probe: Callable[..., Any]) -> Deps | None:
    """Every module name the probe uses (None: cannot say): `attribute(probe).used`, without
    reading its keys, which costs far more (a child asks this of every stub it meets). Answers are
    kept: a process that forks children asks them first (`grader.run.pending.warm`)."""
    where = _where(probe)
    return EVERYTHING if where is None else _used_in(*where)


@functools.lru_cache(maxsize=1024)
def _used_in(path: str, name: str) -> Deps | None:
    suite = _suite(path)
    if suite is None or name not in suite.helpers:
        return EVERYTHING
    return _used(suite, name)


def _where(probe: Callable[..., Any]) -> tuple[str, str] | None:
    function = inspect.unwrap(probe)
    code = getattr(function, "__code__", None)
    return None if code is None else (code.co_filename, function.__name__)


@dataclass(frozen=True)
class _Suite:
    """A suite's source, read once: its functions that take parameters, and its imported modules."""

    helpers: dict[str, ast.FunctionDef]
    imported: set[str]


@functools.lru_cache(maxsize=64)
def _suite(path: str) -> _Suite | None:
    try:
        tree = ast.parse(Path(path).read_text(), path)
    except (OSError, SyntaxError, ValueError):
        return None
    helpers = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef) and n.args.args}
    return _Suite(helpers, _imported(tree))


def _used(suite: _Suite, name: str) -> Deps | None:
    used = _uses(suite.helpers)(name, suite.helpers[name].args.args[0].arg, frozenset())
    return None if used is EVERYTHING else frozenset(used)


@functools.lru_cache(maxsize=512)
def _attribute(path: str, name: str) -> Attribution:
    suite = _suite(path)
    if suite is None or name not in suite.helpers:
        return Attribution(used=EVERYTHING)
    node = suite.helpers[name]
    used = _used(suite, name)
    keys, made = (
        _Reader(suite.helpers, suite.imported, used is EVERYTHING, late).function(node, node.args.args[0].arg, {}, frozenset())[0]
        for late in (True, False)
    )
    return Attribution(keys or {}, used, made or {})


# --- the module's uses (names, helpers followed) --------------------------------------------------------


def suite_uses(suite: str) -> dict[str, set[str] | None]:
    """Suite function -> the module names it uses through its first parameter, helpers included
    (EVERYTHING: it uses the module in a way this cannot follow)."""
    functions = {n.name: n for n in ast.parse(suite).body if isinstance(n, ast.FunctionDef) and n.args.args}
    uses = _uses(functions)
    return {name: uses(name, node.args.args[0].arg, frozenset()) for name, node in functions.items()}


def _uses(functions: dict[str, ast.FunctionDef]) -> Callable[[str, str, frozenset], set[str] | None]:
    memo: dict[tuple[str, str], set[str] | None] = {}

    def uses(name: str, parameter: str, stack: frozenset[tuple[str, str]]) -> set[str] | None:
        key = (name, parameter)
        if key in stack:
            return set()
        if key not in memo:
            found: set[str] | None = set()
            for step in _steps(functions[name], parameter, functions):
                more = step if isinstance(step, set) or step is EVERYTHING else uses(*step, stack | {key})
                if more is EVERYTHING:
                    found = EVERYTHING
                    break
                found |= more
            memo[key] = found
        return memo[key]

    return uses


Step = set[str] | tuple[str, str] | None


def _steps(function: ast.FunctionDef, parameter: str, helpers: dict[str, ast.FunctionDef]) -> list[Step]:
    """What `function` does with its `parameter` (the module): names it reads ({NAME}), helpers it
    hands it to ((helper, their parameter)), or EVERYTHING for any other use."""
    parents = {child: node for node in ast.walk(function) for child in ast.iter_child_nodes(node)}
    steps: list[Step] = []
    for node in ast.walk(function):
        if not (isinstance(node, ast.Name) and node.id == parameter and isinstance(node.ctx, ast.Load)):
            continue
        parent = parents[node]
        if isinstance(parent, ast.Attribute):
            steps.append({parent.attr})
            continue
        handed = _handed(node, parent, parents, helpers)
        steps.append(handed if handed else EVERYTHING)
    return steps


def _handed(node: ast.Name, parent: ast.AST, parents: dict, helpers: dict[str, ast.FunctionDef]) -> tuple[str, str] | None:
    """(helper, its parameter) where `node` is an argument of a call to a suite helper that receives it."""
    call = parents.get(parent) if isinstance(parent, ast.keyword) else parent
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id in helpers):
        return None
    helper = helpers[call.func.id]
    if isinstance(parent, ast.keyword):
        named = {a.arg for a in (*helper.args.args, *helper.args.kwonlyargs)}
        return (helper.name, parent.arg) if parent.arg in named else None
    if node in call.args:
        index = call.args.index(node)
        return (helper.name, helper.args.args[index].arg) if index < len(helper.args.args) else None
    return None


# --- per key ------------------------------------------------------------------------------------


Keys = dict[str, Deps]


class _Reader:
    """Reads functions of one suite: their bindings' dependencies, and the keys they return.

    `late` (what may reach a key): each key is read when the dict is returned, after every call
    made before (one may change an object the key's value is a view of), the body twice (a loop's
    later statements reach its earlier ones). Otherwise (what makes a key): each key is read where
    it is computed, after the calls made before it only.
    """

    def __init__(self, helpers: dict[str, ast.FunctionDef], imported: set[str], opaque: bool, late: bool) -> None:
        self.helpers = helpers
        self.imported = imported  # modules (torch, F, np): calls on them change nothing of the probe's
        self.opaque = opaque  # the probe uses the module in a way not followed: a bare `ex` may reach anything
        self.late = late
        self.read: dict[tuple, tuple[Keys | None, Deps]] = {}

    def function(self, node: ast.FunctionDef, module: str | None, bound: dict[str, Deps], stack: frozenset[str]) -> tuple[Keys | None, Deps]:
        """(the keys of the dict it returns, or None; what its return value depends on)."""
        key = (node.name, module, tuple(sorted(bound.items())))
        if key not in self.read:
            scope = _Scope(self, module, dict(bound), stack | {node.name})
            for _ in range(2 if self.late else 1):
                scope.block(node.body)
            self.read[key] = scope.returned_keys, scope.returned
        return self.read[key]


Filled = dict[str, ast.expr | Deps]  # a dict's keys -> the value's expression (read late) or its dependencies


class _Scope:
    def __init__(self, reader: _Reader, module: str | None, env: dict[str, Deps], stack: frozenset[str]) -> None:
        self.reader = reader
        self.late = reader.late
        self.module = module
        self.env = env  # name -> what its value depends on
        self.handed: dict[str, Deps] = {}  # name -> what the calls it was handed to depend on
        self.stack = stack
        self.dicts: dict[str, Filled] = {}  # names bound to dicts whose keys are known
        self.returned_keys: Keys | None = None
        self.returned: Deps = NONE

    # statements

    def block(self, statements: Iterable[ast.stmt]) -> None:
        for statement in statements:
            self.statement(statement)

    def statement(self, node: ast.stmt) -> None:
        if isinstance(node, ast.Assign):
            filled = self.filled(node.value)  # in reading order: its values' calls come first
            self.effects(node.value)
            for target in node.targets:
                self.bind(target, node.value, filled=filled)
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)) and node.value is not None:
            self.effects(node.value)
            self.bind(node.target, node.value, extra=self.deps(node.target) if isinstance(node, ast.AugAssign) else NONE)
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            self.effects(node.iter)
            self.bind(node.target, node.iter)
            self.block([*node.body, *node.body, *node.orelse])
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                self.effects(item.context_expr)
                if item.optional_vars is not None:
                    self.bind(item.optional_vars, item.context_expr)
            self.block(node.body)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            self.env[node.name] = self.env.get(node.name, NONE) | self.deps(node)
            self.block(node.body)  # its effects on the names around it count where it is defined
        elif isinstance(node, ast.Return) and node.value is not None:
            self.returns(node.value)
        else:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.stmt):
                    self.statement(child)
                elif isinstance(child, ast.expr):
                    self.effects(child)
            if isinstance(node, ast.Try):
                self.block(child for handler in node.handlers for child in handler.body)

    def bind(self, target: ast.expr, value: ast.expr, extra: Deps = NONE, filled: Filled | None = None) -> None:
        if isinstance(target, (ast.Tuple, ast.List)) and isinstance(value, (ast.Tuple, ast.List)):
            starred = any(isinstance(e, ast.Starred) for e in [*target.elts, *value.elts])
            if len(target.elts) == len(value.elts) and not starred:
                for one, other in zip(target.elts, value.elts):
                    self.bind(one, other, extra)
                return
        deps = self.deps(value) | extra
        if isinstance(target, ast.Name):
            self.env[target.id] = self.env.get(target.id, NONE) | deps
            if filled is not None:
                self.dicts[target.id] = filled
            return
        if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name) and target.value.id in self.dicts:
            if isinstance(target.slice, ast.Constant) and isinstance(target.slice.value, str):
                self.dicts[target.value.id][target.slice.value] = value if self.late else deps
                return
        for root in _roots(target):
            self.env[root] = self.env.get(root, NONE) | deps | self.deps(target)

    def effects(self, expression: ast.expr) -> None:
        """What each call in `expression` hands to the names it is given, and to its receiver."""
        for call in (n for n in ast.walk(expression) if isinstance(n, ast.Call)):
            receiver = call.func.value if isinstance(call.func, ast.Attribute) else None
            given = [*call.args, *(k.value for k in call.keywords), *([receiver] if receiver is not None else [])]
            effect = self.deps(call)
            for root in (root for node in given for root in _roots(node)) if effect else ():
                if root != self.module and root not in self.reader.imported:
                    self.env[root] = self.env.get(root, NONE) | effect
                    self.handed[root] = self.handed.get(root, NONE) | effect
            if isinstance(receiver, ast.Name) and receiver.id in self.dicts and call.func.attr == "update":
                for argument in call.args:
                    self.dicts[receiver.id].update(self.filled(argument) or {})

    def returns(self, value: ast.expr) -> None:
        keys = self.keys_of(value)
        self.effects(value)
        self.returned |= self.deps(value)
        if keys is None:
            keys = {"result": self.deps(value)}  # a single value is observed as `result`
        merged = dict(self.returned_keys or {})
        for key, deps in keys.items():
            merged[key] = merged.get(key, NONE) | deps
        self.returned_keys = merged

    # expressions

    def filled(self, value: ast.expr) -> Filled | None:
        """The keys of the dict `value` evaluates to, with their values (None: not known). Read in
        order: each value's calls reach the values after it."""
        if isinstance(value, ast.Dict):
            keys: Filled = {}
            for key, item in zip(value.keys, value.values):
                if key is None:
                    keys.update(self.keys_of(item) or {})
                elif isinstance(key, ast.Constant) and isinstance(key.value, str):
                    keys[key.value] = item if self.late else self.deps(item)
                self.effects(item)
            return keys
        if isinstance(value, ast.Name) and value.id in self.dicts:
            return dict(self.dicts[value.id])
        if isinstance(value, ast.Call):
            called = self.helper(value)
            return dict(called[0]) if called and called[0] is not None else None
        return None

    def keys_of(self, value: ast.expr) -> Keys | None:
        """The keys of the dict `value` evaluates to, each with its dependencies (None: not known)."""
        filled = self.filled(value)
        if filled is None:
            return None
        # Read late, a dict handed to a call may have been changed by it, any key of it.
        changed = self.handed.get(value.id, NONE) if self.late and isinstance(value, ast.Name) else NONE
        return {key: (item if isinstance(item, frozenset) else self.deps(item)) | changed for key, item in filled.items()}

    def deps(self, node: ast.AST) -> Deps:
        """The module names an expression (or any node) depends on."""
        found: set[str] = set()
        for inner in ast.walk(node):
            if isinstance(inner, ast.Attribute) and isinstance(inner.value, ast.Name) and inner.value.id == self.module:
                found.add(inner.attr)
            elif isinstance(inner, ast.Name) and inner.id == self.module and self.reader.opaque:
                found.add(UNKNOWN)
            elif isinstance(inner, ast.Name):
                found |= self.env.get(inner.id, NONE)
            elif isinstance(inner, ast.Call):
                called = self.helper(inner)
                if called:
                    found |= called[1]
        return frozenset(found)

    def helper(self, call: ast.Call) -> tuple[Keys | None, Deps] | None:
        """A call to a suite helper, read with what its arguments depend on (None: not a helper)."""
        if not (isinstance(call.func, ast.Name) and call.func.id in self.reader.helpers) or call.func.id in self.stack:
            return None
        helper = self.reader.helpers[call.func.id]
        parameters = [a.arg for a in helper.args.args]
        bound: dict[str, Deps] = {}
        module = None
        pairs = [*zip(parameters, call.args), *((k.arg, k.value) for k in call.keywords if k.arg)]
        for parameter, argument in pairs:
            if isinstance(argument, ast.Name) and argument.id == self.module:
                module = parameter
            else:
                bound[parameter] = self.deps(argument)
        return self.reader.function(helper, module, bound, self.stack)


def _imported(tree: ast.Module) -> set[str]:
    """The names the suite binds to modules at its top: `torch`, `F`, `np`."""
    names = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            names |= {a.asname or a.name for a in node.names}
    return names


def _roots(node: ast.expr) -> list[str]:
    """The names an assignment target or an argument stands on: `model` for `model.layer1.weight[0]`."""
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Starred)):
        node = node.value
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, (ast.Tuple, ast.List)):
        return [root for element in node.elts for root in _roots(element)]
    return []
