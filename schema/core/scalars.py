"""Scalars beyond GraphQL's own, given to the schema's `scalar_map`."""

from typing import NewType

import strawberry
from strawberry.types.scalar import ScalarDefinition

# An output only (no input takes one yet). A sum over the programme (every region's fees in
# fen) passes GraphQL's 32-bit Int (21.47 million yuan); JSON numbers carry whole numbers
# exactly up to 2^53 - 1.
BigInt = NewType("BigInt", int)

SCALARS: dict[object, ScalarDefinition] = {
    BigInt: strawberry.scalar(
        name="BigInt",
        description="A whole number beyond the 32 bits of `Int`, as a JSON number: exact up "
        "to 2^53 - 1 (9,007,199,254,740,991).",
        serialize=int,
    )
}
