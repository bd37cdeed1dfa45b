"""Benchmarks, run as modules: `.venv/bin/python -m bench.<name>`."""
