"""What the reads (`server/reads.py`) take from SQLAlchemy beyond its public API: a statement's
cache key, compiling under that key, a compiled statement's bind processors and its result
columns. SQLAlchemy keeps these private, so they may change in any release; they are used here
and nowhere else, and `tests/server/test_sqlalchemy_private.py` pins what the reads rely on, so
that an upgrade which changes them fails that test by name instead of the requests."""

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.engine import Dialect
from sqlalchemy.sql.cache_key import CacheKey
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.sql.type_api import TypeEngine

# SQLAlchemy's own type of a bind processor: a value of any column type in, its driver's out.
BindProcessor = Callable[[Any], Any]


def cache_key(statement: ClauseElement) -> CacheKey | None:
    """The key two statements of one shape share, with the bound values this one carries; None
    for a statement SQLAlchemy cannot cache (one holds a construct without a cache key)."""
    return statement._generate_cache_key()


def compile_keyed(statement: ClauseElement, dialect: Dialect, key: CacheKey | None) -> SQLCompiler:
    """The statement compiled once for its shape: with its cache key, the compiled form takes
    any statement of that shape's values (`construct_params(extracted_parameters=...)`)."""
    compiled = statement.compile(dialect=dialect, cache_key=key)
    if not isinstance(compiled, SQLCompiler):
        raise TypeError(f"not a SQL statement: {type(statement).__name__}")
    return compiled


def bind_processors(compiled: SQLCompiler) -> Mapping[str, BindProcessor]:
    """How each positional parameter's value is converted for the driver, by its name in the
    compiled statement's `positiontup`; a parameter that needs no conversion is absent."""
    processors = compiled._bind_processors
    for name, process in processors.items():
        if not callable(process):  # a tuple type's parameter: one processor per element
            raise NotImplementedError(f"the reads bind no tuple-typed parameter ({name})")
    return {name: process for name, process in processors.items() if callable(process)}


# `TypeEngine[Any]`: each column its own type.
def result_columns(compiled: SQLCompiler) -> list[tuple[str, TypeEngine[Any]]]:
    """Each column of a row, in the order the database sends them: the name the row is read by
    (a model's attribute name, or the label) and the type that converts its value."""
    return [(column.keyname, column.type) for column in compiled._result_columns]
