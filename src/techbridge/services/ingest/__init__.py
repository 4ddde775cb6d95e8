"""Import files: reading, mapping columns, parsing cells, writing records; dataset presets."""
