"""Benchmarks: scripts that print a table and write JSON to bench/results/ (see README.md)."""
