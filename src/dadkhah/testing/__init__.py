"""Test-data generators: simulated victim lists and a fictional case.

Product code never imports this package (an import-linter contract says so); tests, benchmarks and the
demo's simulated lists do.
"""
