"""Cooperations through the pipeline: moves, joint plans, agreements, meetings and tasks, outcomes."""
