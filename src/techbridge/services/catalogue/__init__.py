"""Public records: organisations, people, technologies, projects, proposals; finding, listing, exporting."""
