"""Reading a mapping file's YAML for the messages about it: the line of each key, and YAML's
scalars as the text the contract compares."""

from __future__ import annotations

import yaml


def key_lines(node, prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], int]:
    """(key, nested key, ...) -> the line the key is on, for the messages."""
    lines: dict[tuple[str, ...], int] = {}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            path = (*prefix, yaml_text(key.value))
            lines[path] = key.start_mark.line + 1
            lines.update(key_lines(value, path))
    return lines


def yaml_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
