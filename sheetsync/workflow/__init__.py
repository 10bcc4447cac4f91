"""Workflow as data: states, transitions, SLA, approval tiers, routing, locks, alerts and work queues.

    model.py     the workflow file's pydantic models, and AlertTarget (an entry of `alerts:`)
    load.py      load_workflow(spec, config_dir, lang) -> Workflow, checked, conditions compiled
    advance.py   advance(work, ...) -> Advanced: the pure step of a sync run
    derive.py sla.py approval.py routing.py locks.py     its parts
    alerts.py    send_alerts(...): 企业微信 / 钉钉 / JSON webhook
    history.py   what the step needs from the journal, and the journal's workflow tables
    queue.py commands.py     work queues, approve, unlock

Nothing is imported here, so that `config.py` can import `workflow.model` without a cycle.
"""
