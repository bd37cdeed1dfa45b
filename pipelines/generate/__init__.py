"""Sample data: a believable B2B funnel written as daily batch files into an inbox.

`generate_sample` is the public entry point (the CLI's `funnel generate` calls it).
Same arguments, same bytes; generating more days leaves the earlier days' files unchanged.
"""

from pipelines.generate.simulation import generate_sample

__all__ = ["generate_sample"]
