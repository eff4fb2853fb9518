"""YAML that remembers where each mapping and key was, so a problem can name its line.

PyYAML's safe loader forgets positions once it builds Python objects; this one builds every
mapping as a `LocatedDict` that keeps the line of the mapping and of each of its keys. The C
parser is used where PyYAML was built with it (legislators-current.yaml is about a megabyte).

Aliases (`&anchor` … `*anchor`) are refused: neither congress-legislators nor Open States
writes them, and a few hundred bytes of nested aliases expand into millions of values (the
"billion laughs") once anything walks or prints them.
"""

from collections.abc import Hashable, Iterator
from typing import Any

import yaml

_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LocatedDict(dict[Any, Any]):
    """A mapping from YAML, with `line` (1-based) of the mapping and of each key."""

    line: int = 0
    key_lines: dict[Any, int]

    def line_of(self, key: Any) -> int:
        return getattr(self, "key_lines", {}).get(key, self.line)


class _Loader(_Base):
    pass


def _construct_mapping(loader: Any, node: yaml.MappingNode) -> Iterator[LocatedDict]:
    data = LocatedDict()
    data.line = node.start_mark.line + 1
    data.key_lines = {}
    yield data
    data.update(loader.construct_mapping(node))
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if isinstance(key, Hashable):
            data.key_lines[key] = key_node.start_mark.line + 1


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)


class NotYaml(Exception):
    """The text is not YAML; `line` and `column` (1-based) say where the parser gave up."""

    def __init__(self, problem: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(problem)
        self.problem, self.line, self.column = problem, line, column


def _refuse_aliases(text: str) -> None:
    """Raise NotYaml at the first alias or anchor. Only text holding "&" or "*" is scanned
    (a URL's query or a note may hold one), so a file without either costs nothing more."""
    if "&" not in text and "*" not in text:
        return
    for token in yaml.scan(text, Loader=_Loader):
        if isinstance(token, (yaml.AliasToken, yaml.AnchorToken)):
            mark = token.start_mark
            raise NotYaml("aliases (&/*) are not allowed", mark.line + 1, mark.column + 1)


def load(text: str) -> Any:
    """Parse YAML text, keeping positions; raises NotYaml (aliases included)."""
    try:
        _refuse_aliases(text)
        return yaml.load(text, Loader=_Loader)  # noqa: S506 (a safe loader, with positions)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or "cannot be read"
        if mark is None:
            raise NotYaml(problem) from error
        raise NotYaml(problem, mark.line + 1, mark.column + 1) from error
    except yaml.YAMLError as error:
        raise NotYaml(str(error)) from error
