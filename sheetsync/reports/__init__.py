"""Reports over the sheet and the journal: KPIs, reconciliation, the dashboard sheet and its charts, rejects files."""
