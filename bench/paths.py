"""Where the benchmark runs from and what it reads and writes: the checkout, the floor script,
the results folder."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLOOR_SQL = Path(__file__).resolve().parent / "floor.sql"
RESULTS_DIR = Path(__file__).resolve().parent / "results"
