"""Stores: where the order table lives.  A plain registry; an unknown backend lists the known ones."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from sheetsync.errors import ConfigError
from sheetsync.i18n import t

if TYPE_CHECKING:
    from sheetsync.config import Config
    from sheetsync.stores.base import Store

STORES: dict[str, tuple[str, str]] = {"xlsx": ("sheetsync.stores.xlsx.store", "XlsxStore"),
                                      "gsheets": ("sheetsync.stores.gsheets", "GsheetsStore")}
"""Backend -> (module, class); a store's module is loaded when a desk uses it (the package itself loads nothing of
pandas: the early read of a sync lives under it)."""


def open_store(config: Config, *, force: bool = False) -> Store:
    """The desk's store, by `table.backend`; an unknown backend is a ConfigError listing the known ones."""
    backend = config.table.backend
    if backend not in STORES:
        raise ConfigError(t("config.bad_backend", config.language, name=backend, known=", ".join(STORES)))
    module, name = STORES[backend]
    store: Store = getattr(importlib.import_module(module), name)(config, force=force)
    return store
