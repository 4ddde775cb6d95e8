"""The page routes, one module per area."""
