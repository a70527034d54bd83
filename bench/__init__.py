"""The performance suite behind `make bench` (never part of `make test`).

See bench/README.md for what it measures, how to add a URL or a measurement, and the
contract for per-app bulk seeders.
"""
