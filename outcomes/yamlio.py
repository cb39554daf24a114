"""A safe YAML loader that also refuses duplicate keys (plain ``yaml.safe_load`` keeps the last one silently), and
bounds what a hand-edited file may cost: its size (``MAX_BYTES``) and the number of values it expands to through
anchors and aliases (``MAX_VALUES``), so that a "billion laughs" alias bomb is refused before anything uses it."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import yaml

MAX_BYTES = 1 << 20
"""Largest input file read (1 MiB; the shipped registry files are a few kB each)."""

MAX_VALUES = 100_000
"""Most values (mappings, lists, scalars) a document may hold once every alias is expanded (shipped: < 300)."""


class DuplicateKeyError(yaml.constructor.ConstructorError):
    """A mapping names the same key twice."""


class LimitError(yaml.YAMLError):
    """A file too large, or a document that expands (through aliases) beyond ``MAX_VALUES``.

    ``problem`` is the message (what is wrong and what is allowed), as for PyYAML's own errors; ``field`` is the
    innermost mapping key above the offending value, if any."""

    def __init__(self, problem: str, field: str | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.problem_mark = None
        self.field = field


def _children(node: yaml.Node) -> list[tuple[str | None, yaml.Node]]:
    """A node's children, each with the mapping key it sits under (None in a list)."""
    if isinstance(node, yaml.SequenceNode):
        return [(None, child) for child in node.value]
    if isinstance(node, yaml.MappingNode):
        return [(None, k) for k, _ in node.value] + [
            (k.value if isinstance(k, yaml.ScalarNode) else None, v) for k, v in node.value
        ]
    return []


def _expanded_sizes(root: yaml.Node, limit: int) -> dict[int, int]:
    """Number of values each node stands for with every alias expanded (an alias is the same node object again),
    by ``id(node)``.

    Memoised per node, so a bomb of k levels costs O(k) here however large its expansion; a node's count stops
    early once above ``limit``; a node that contains itself (a recursive alias) counts as unbounded."""
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:  # recursive: expands without end
            return limit + 1
        active.add(key)
        total = 1
        for _, child in _children(node):
            total += size(child)
            if total > limit:
                break
        active.discard(key)
        sizes[key] = total
        return total

    size(root)
    return sizes


def _check_expansion(root: yaml.Node, limit: int) -> None:
    sizes = _expanded_sizes(root, limit)
    if sizes[id(root)] <= limit:
        return
    # descend to the innermost value that alone exceeds the limit, remembering the field (mapping key) above it
    node, field, seen = root, None, set()
    while id(node) not in seen:
        seen.add(id(node))
        over = [(k, c) for k, c in _children(node) if sizes.get(id(c), 0) > limit]
        if not over:
            break
        key, node = over[0]
        field = key if key is not None else field
    raise LimitError(
        f"expands through YAML anchors and aliases ('&name' / '*name') to more than {limit} values "
        f"at line {node.start_mark.line + 1}; allowed: plain YAML, with aliases only for small repeats",
        field,
    )


class _UniqueKeySafeLoader(yaml.SafeLoader):
    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                hashable = key in seen
            except TypeError:
                hashable = False
            if hashable:
                raise DuplicateKeyError(None, None, f"duplicate key {key!r}", key_node.start_mark)
            with contextlib.suppress(TypeError):
                seen.add(key)
        return super().construct_mapping(node, deep=deep)

    def get_single_node(self) -> yaml.Node | None:
        node = super().get_single_node()
        if node is not None:
            _check_expansion(node, MAX_VALUES)
        return node


def safe_load(text: str) -> Any:
    """``yaml.safe_load`` semantics (no python tags), but a key repeated within one mapping is an error, and so is
    text over ``MAX_BYTES`` or a document expanding to more than ``MAX_VALUES`` values."""
    if len(text) > MAX_BYTES:
        raise LimitError(f"is larger than {MAX_BYTES // 1024} KiB; allowed: a YAML file of at most that size")
    try:
        return yaml.load(text, Loader=_UniqueKeySafeLoader)
    except RecursionError:  # nesting deeper than Python's stack (PyYAML composes recursively)
        raise LimitError("is nested too deeply; allowed: plain YAML of modest depth") from None


def read_text(path: Path) -> str:
    """A YAML file's text, refusing (``LimitError``) a file over ``MAX_BYTES`` before reading it."""
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise LimitError(f"is {size} bytes; allowed: a YAML file of at most {MAX_BYTES // 1024} KiB")
    return path.read_text(encoding="utf-8")
