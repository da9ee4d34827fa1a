"""Hologram's benchmarks: pytest-benchmark suites (`pytest benchmarks/ --benchmark-only`) and the
performance report (`python -m benchmarks.report`, `make bench`). Speed claims come only from here.
"""
