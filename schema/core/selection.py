"""What the client asked for below a field: lets a list resolver fetch, in its own batch,
the values its items would otherwise each await (an awaited field costs event-loop work per
item, which a page pays once for each of its rows)."""

from collections.abc import Iterable, Iterator

from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection

from schema.core.context import Info


def asks_for(info: Info, *path: str) -> bool:
    """Whether the field being resolved selects `path` (GraphQL names, e.g. "edges", "node",
    "memberCount") below it, through any fragments."""
    return path[-1] in asked(info, *path[:-1])


def asked(info: Info, *path: str) -> set[str]:
    """The GraphQL names of the fields the field being resolved selects at `path` below it
    (`"edges", "node"`: what a page's rows are asked), through any fragments."""
    level = [s for field in _fields(info.selected_fields) for s in field.selections]
    for name in path:
        level = [s for field in _fields(level) if field.name == name for s in field.selections]
    return {field.name for field in _fields(level)}


def _fields(selections: Iterable[Selection]) -> Iterator[SelectedField]:
    for selection in selections:
        if isinstance(selection, SelectedField):
            yield selection
        elif isinstance(selection, FragmentSpread | InlineFragment):
            yield from _fields(selection.selections)
