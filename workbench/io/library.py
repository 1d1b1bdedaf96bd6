"""Files of the document library under the data directory: keys resolved, escapes refused.

Keys are checked by :func:`workbench.documents.check_key` (relative, plain characters, no
``..``); here every existing component is resolved as well, so a symbolic link placed in
the library that points outside it is refused too.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from workbench.documents import check_key
from workbench.errors import InvalidInputError


def resolve_key(root: Path, key: Any) -> Path:
    """The path under ``root`` for a stored key, refusing anything that leaves ``root``.

    Besides :func:`check_key`, every existing component is resolved, so a symbolic link
    pointing outside ``root`` (or anywhere, for the final file) is refused too.

    Raises
    ------
    InvalidInputError
        The key is malformed or escapes ``root``.
    """
    check_key(key)
    base = Path(os.path.realpath(root))
    target = base.joinpath(*key.split("/"))
    real = Path(os.path.realpath(target))
    if real != target or not real.is_relative_to(base):
        raise InvalidInputError(f"The file key {key!r} leads outside the data directory.")
    return target
