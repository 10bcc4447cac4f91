"""The workflow as a pure step: compiled states and transitions, advance, SLA, approvals, routing, locks, queues."""
