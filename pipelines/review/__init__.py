"""The weekly alignment review (issue 18 item 6): one week's figures from the published
marts, for both teams, as Markdown, one self-contained HTML file and a Slack-compatible post.

`write_review(data_dir, week)` writes `<data dir>/reports/review_<week>.md` and `.html`;
`funnel review [--week YYYY-Www]` calls it and posts the summary when a webhook is set.
"""
