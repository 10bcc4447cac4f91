"""Making a desk: `init` (a new one), `demo` (the bundled example), `init --from` (a team's own workbook)."""
