"""`python -m bench` (and `make bench`): the pipeline against the DuckDB floor, see
bench/pipeline_bench.py. `python -m bench --help` for the options."""

import sys

from bench.pipeline_bench import main

sys.exit(main())
