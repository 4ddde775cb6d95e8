"""The demo: bundled data loaded through the same use cases users call, the 2021 round, consortia."""
