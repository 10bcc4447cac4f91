"""The vocabulary every layer shares: canonical fields, cell values, and the records steps, stores and the journal exchange."""
