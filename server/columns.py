"""Column types shared by the domains' models."""

from enum import StrEnum

from sqlalchemy import Enum


def vocabulary(enum_type: type[StrEnum]) -> Enum:
    """A vocabulary stored as its English name in a VARCHAR with a CHECK constraint: readable
    in SQL, and extendable by a migration without PostgreSQL's enum-type ceremony."""
    return Enum(
        enum_type,
        native_enum=False,
        create_constraint=True,
        length=32,
        name=enum_type.__name__.lower(),
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )
