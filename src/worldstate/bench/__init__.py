"""Benchmarks behind ``worldstate bench``: store dispatch and replay (others add their own)."""
