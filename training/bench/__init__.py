"""Benchmarks behind `make bench` and `make bench-spark`: speed and memory, measured."""
