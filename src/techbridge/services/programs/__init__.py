"""Programs and their rounds: participants, screening, assignment, KPIs."""
