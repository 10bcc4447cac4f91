"""Logs go to `.sheetsync/logs/` beside the configuration, never to the report, and never hold secrets."""

from __future__ import annotations

import logging
from logging.handlers import RotatingFileHandler
from pathlib import Path

_FORMAT = "%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"


def log_to_state_dir(state_dir: Path) -> Path:
    """Send sheetsync's log records to `state_dir/logs/sheetsync.log` (rotated at 5 MB, 5 kept)."""
    folder = state_dir / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "sheetsync.log"
    logger = logging.getLogger("sheetsync")
    logger.setLevel(logging.INFO)
    for handler in list(logger.handlers):
        if getattr(handler, "baseFilename", None) == str(path.resolve()):
            return path
        logger.removeHandler(handler)
        handler.close()
    handler = RotatingFileHandler(path, maxBytes=5_000_000, backupCount=5, encoding="utf-8")
    handler.setFormatter(logging.Formatter(_FORMAT))
    logger.addHandler(handler)
    return path
