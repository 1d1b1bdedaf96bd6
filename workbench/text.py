"""Text from people: one set of rules for every name, label and free-text field.

Pure functions. Text is checked before it reaches the store, so that nothing the SDK
cannot encode (a lone surrogate, from a broken clipboard or non-UTF-8 bytes on a command
line) surfaces later as a ``UnicodeEncodeError``, and nothing invisible becomes a name.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any

from workbench.errors import InvalidInputError

# Categories with nothing to see: separators (Z*), controls and formats (Cc, Cf: zero-width
# spaces, joiners, direction marks), unassigned/private/surrogate code points, and marks
# (M*) that only decorate a character beside them.
_INVISIBLE_PREFIXES = ("Z", "C", "M")


def has_surrogates(text: str) -> bool:
    """True when ``text`` holds a lone surrogate (not encodable as UTF-8)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def is_visible(text: str) -> bool:
    """True when at least one character of ``text`` is something a reader can see."""
    return any(not unicodedata.category(ch).startswith(_INVISIBLE_PREFIXES) for ch in text)


def check_encodable(text: str, label: str) -> str:
    """``text`` unchanged; :class:`InvalidInputError` when it holds a lone surrogate."""
    if has_surrogates(text):
        raise InvalidInputError(
            f"{label} is not valid text (it holds a lone surrogate, such as bytes that are "
            "not UTF-8)."
        )
    return text


def clean_text(
    value: Any,
    label: str,
    *,
    required: bool,
    max_length: int | None = None,
    multiline: bool = False,
) -> str | None:
    """Checked, NFC-normalised and trimmed text; ``None`` for an absent optional value.

    Parameters
    ----------
    value : str or None
    label : str
        What the value is, for messages ("name", "description" ...).
    required : bool
        Whether ``None`` or blank text is refused.
    max_length : int, optional
        Longest allowed text in characters, after trimming.
    multiline : bool
        Allow line breaks and tabs (descriptions); single-line fields refuse them.

    Raises
    ------
    InvalidInputError
        Not text; a lone surrogate; a control character; empty or invisible when required;
        longer than ``max_length``.
    """
    if value is None:
        if required:
            raise InvalidInputError(f"{label} is required.")
        return None
    if not isinstance(value, str):
        raise InvalidInputError(f"{label} must be text; got {type(value).__name__}.")
    check_encodable(value, label)
    allowed = "\n\t\r" if multiline else ""
    if any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in value):
        raise InvalidInputError(f"{label} contains control characters.")
    value = unicodedata.normalize("NFC", value).strip()
    if not is_visible(value):
        if required:
            raise InvalidInputError(
                f"{label} must not be empty." if not value else f"{label} has no visible character."
            )
        return None
    if max_length is not None and len(value) > max_length:
        raise InvalidInputError(f"{label} is longer than {max_length} characters.")
    return value


def check_nested_text(value: Any, label: str) -> Any:
    """``value`` unchanged when every string inside it (keys too) is encodable.

    Raises
    ------
    InvalidInputError
        A string anywhere inside holds a lone surrogate.
    """
    if isinstance(value, str):
        check_encodable(value, label)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            check_nested_text(key, label)
            check_nested_text(item, label)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            check_nested_text(item, label)
    return value


def fold_name(name: str) -> str:
    """The key under which names are unique: NFC, trimmed, case-folded."""
    return unicodedata.normalize("NFC", name).strip().casefold()
