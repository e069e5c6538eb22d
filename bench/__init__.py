"""Benchmarks, run on demand (`make bench`), never by the test suite."""
