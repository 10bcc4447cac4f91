"""The pure steps of a run: DataFrames in, DataFrames or records out; no I/O, no clock."""
