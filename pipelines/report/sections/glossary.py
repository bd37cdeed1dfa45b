"""The definitions: the glossary of the dbt docs (`dbt_project/models/glossary.md`)."""

from __future__ import annotations

from pipelines.report import html as h
from pipelines.report.markdown import glossary_html
from pipelines.report.sections import Context
from pipelines.report.source import Marts

ANCHOR, TITLE = "glossary", "Glossary: what every number means"


def build(m: Marts, ctx: Context) -> str:
    content = glossary_html(ctx.glossary_path) if ctx.glossary_path else None
    if content is None:
        return h.section(ANCHOR, TITLE, f'<p class="not-built">Glossary not found '
                         f"({h.esc(ctx.glossary_path)}).</p>")
    intro = ("The shared definitions, as in the dbt docs (<code>dbt docs serve</code>). Both "
             "teams read the same ones.")
    return h.section(ANCHOR, TITLE, f'<div class="glossary">{content}</div>', intro)
