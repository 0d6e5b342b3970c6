"""Benchmarks (`make bench`): measured apart from the tests, printed as ratios of one run."""
