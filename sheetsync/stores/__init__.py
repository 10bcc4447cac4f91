"""Stores: where the order table lives.  A plain registry; an unknown backend lists the known ones."""

from __future__ import annotations

from collections.abc import Callable

from sheetsync.config import Config
from sheetsync.errors import ConfigError
from sheetsync.i18n import t
from sheetsync.stores.base import Store
from sheetsync.stores.gsheets import GsheetsStore
from sheetsync.stores.xlsx import XlsxStore

STORES: dict[str, Callable[..., Store]] = {"xlsx": XlsxStore, "gsheets": GsheetsStore}


def open_store(config: Config, *, force: bool = False) -> Store:
    """The desk's store, by `table.backend`; an unknown backend is a ConfigError listing the known ones."""
    backend = config.table.backend
    if backend not in STORES:
        raise ConfigError(t("config.bad_backend", config.language, name=backend, known=", ".join(STORES)))
    return STORES[backend](config, force=force)
