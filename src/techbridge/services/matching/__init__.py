"""Matching use cases: the index over stored records, matching a need or text, evaluation."""
