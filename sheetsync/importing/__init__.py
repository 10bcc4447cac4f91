"""The one-off import of legacy store data: header matching, parsing, accounting, rejects; the sync does the writing."""
