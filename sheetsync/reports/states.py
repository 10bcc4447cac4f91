"""What the reports need to know about statuses and SLA cells, in both header presets' words.

The workflow presets name their states; until a desk's workflow says otherwise these are the
shipped presets' names (zh and en) and the words a channel's value map produces.
"""

from __future__ import annotations

from typing import Final

FINAL_STATES: Final = frozenset({"已完成", "异常关闭", "已取消", "已关闭", "已签收", "已退款", "Done", "Closed", "Cancelled",
                                 "Canceled", "Refunded"})
"""States an order never leaves: not backlog, never late."""
CLOSED_STATES: Final = frozenset({"异常关闭", "已取消", "已关闭", "Closed", "Cancelled", "Canceled"})
"""Final states without a delivery: a cancelled order owes nothing and is never late."""
PRE_SHIPMENT_STATES: Final = frozenset({"待确认", "审核中", "备货中", "待发货", "Pending", "In review", "Picking"})
"""The desk's own steps before shipping: a shop's export knows only 'not shipped yet', so any of these
compares equal to any other in a reconciliation."""
SLA_BREACH: Final = r"(?i)超时|严重|breach|critical"
"""An `sla` cell past its limit (the workflow writes ok / warn / breach, or 正常 / 预警 / 超时 / 严重)."""
