"""The journal: every run, every cell change, base rows for the merge, cursors and processed files (SQLite)."""
