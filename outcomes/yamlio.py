"""A safe YAML loader that also refuses duplicate keys (plain ``yaml.safe_load`` keeps the last one silently)."""

from __future__ import annotations

import contextlib
from typing import Any

import yaml


class DuplicateKeyError(yaml.constructor.ConstructorError):
    """A mapping names the same key twice."""


class _UniqueKeySafeLoader(yaml.SafeLoader):
    def construct_mapping(self, node, deep=False):
        seen = set()
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


def safe_load(text: str) -> Any:
    """``yaml.safe_load`` semantics (no python tags), but a key repeated within one mapping is an error."""
    return yaml.load(text, Loader=_UniqueKeySafeLoader)
