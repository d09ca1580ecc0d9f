"""The shop's benchmark: `benchmarks/run.py` (see README.md). Nothing here is
imported by the shop itself."""
