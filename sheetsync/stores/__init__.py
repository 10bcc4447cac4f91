"""Stores: where the order table lives.  A plain registry; an unknown backend lists the known ones."""

from __future__ import annotations

from sheetsync.config import Config
from sheetsync.errors import ConfigError
from sheetsync.i18n import t
from sheetsync.stores.xlsx import XlsxStore

STORES: dict[str, type[XlsxStore]] = {"xlsx": XlsxStore}


def open_store(config: Config, *, force: bool = False) -> XlsxStore:
    backend = config.table.backend
    if backend not in STORES:
        raise ConfigError(t("config.bad_backend", config.language, name=backend, known=", ".join(STORES)))
    return STORES[backend](config, force=force)
