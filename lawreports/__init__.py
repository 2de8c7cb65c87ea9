"""Raw 法治政府建设年度报告 → structured Markdown pages → a searchable public MkDocs site."""

__version__ = "0.1.0"
