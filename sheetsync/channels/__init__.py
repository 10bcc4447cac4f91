"""Channel kinds (a plain registry) and opening the channels a configuration names."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pandas as pd

from sheetsync.channels.apply import Splitter
from sheetsync.channels.base import Channel, FileAccount, Pulled
from sheetsync.channels.doudian import DoudianChannel
from sheetsync.channels.file import FileChannel
from sheetsync.channels.kuaidi100 import Kuaidi100Channel
from sheetsync.channels.mapping import Mapping, load_mapping
from sheetsync.channels.shopify import ShopifyChannel
from sheetsync.channels.woocommerce import WooCommerceChannel
from sheetsync.config import ChannelConfig, Config
from sheetsync.errors import ConfigError
from sheetsync.i18n import t

if TYPE_CHECKING:
    from sheetsync.divisions import Divisions

CHANNELS: dict[str, Callable[[Config, ChannelConfig, Mapping, Splitter], Channel]] = {
    "file": FileChannel, "shopify": ShopifyChannel, "woocommerce": WooCommerceChannel, "doudian": DoudianChannel,
    "kuaidi100": Kuaidi100Channel}

DEFAULT_MAPPINGS: dict[str, str] = {"shopify": "shopify_api", "woocommerce": "woocommerce_api", "doudian": "doudian_api",
                                   "kuaidi100": "kuaidi100"}
"""An API kind's shipped mapping, taken when the channel names none."""

__all__ = ["CHANNELS", "Channel", "FileAccount", "Pulled", "open_channels"]


def open_channels(config: Config) -> list[Channel]:
    """The configured channels, then the logistics sources, each with its mapping loaded."""
    opened: list[Channel] = []
    for spec, kind in [(c, "orders") for c in config.channels] + [(c, "waybills") for c in config.logistics]:
        if spec.kind not in CHANNELS:
            raise ConfigError(t("config.channels_unsupported", config.language, name=spec.name, kind=spec.kind,
                                known=", ".join(CHANNELS)))
        mapping = load_mapping(spec.mapping or DEFAULT_MAPPINGS.get(spec.kind) or spec.name, config.base_dir,
                               config.language)
        if mapping.kind != kind and not (kind == "orders" and mapping.kind == "tickets"):  # a shop's after-sales too
            raise ConfigError(t("config.mapping_kind", config.language, name=spec.name, mapping=mapping.name,
                                kind=mapping.kind))
        opened.append(CHANNELS[spec.kind](config, spec, mapping, split_addresses))
    return opened


def split_addresses(addresses: pd.Series) -> pd.DataFrame:
    """One-string addresses -> province, city, district, detail, postcode (the divisions data set)."""
    return _divisions().split(addresses)


def _divisions() -> Divisions:
    from sheetsync.divisions import load_divisions  # loaded on first use: most runs split no address

    return load_divisions()

