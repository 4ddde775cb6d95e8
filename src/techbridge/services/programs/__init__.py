"""Programs and their rounds: participants, submissions and screening, the assignment, KPIs, boards."""
