"""Machinery with no knowledge of orders: threads, memory, logs, the run lock, DuckDB text helpers, shipped data."""
