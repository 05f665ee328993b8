"""sgfund's benchmarks: seeded data, cases B1-B6 side by side (``python -m benchmarks``)."""
