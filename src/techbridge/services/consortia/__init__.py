"""Consortia: team building, partner completion, fusion technologies, patent clusters."""
