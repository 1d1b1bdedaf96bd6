"""The analyst-facing facade: ``ws = workbench.open()``, then one attribute per section.

One module per section: ``projects`` (``ws.projects``), ``rvtools`` (``ws.rvtools``),
``baskets`` (``ws.baskets``), ``sizing`` (``ws.sizing``); ``workbench`` holds the opened
workbench itself. Each method is one user action and runs as one unit of work on the store,
so a notebook kernel and any number of dashboard kernels can share an on-disk store.
"""

from workbench.api.workbench import Workbench, open_workbench

__all__ = ["Workbench", "open_workbench"]
