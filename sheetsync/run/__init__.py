"""The run: gather (lock, read, pull, the journal's state), decide (pure steps), commit (one protocol)."""
