"""What every model module shares: the portable enum column."""

import enum

from sqlalchemy import Enum


def enum_column(enum_class: type[enum.Enum]) -> Enum:
    """A portable enum column storing the members' values as short strings."""
    return Enum(
        enum_class,
        native_enum=False,
        length=16,
        validate_strings=True,
        values_callable=lambda members: [member.value for member in members],
    )
