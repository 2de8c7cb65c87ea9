"""The site stages: pure functions of the catalog's records that return the files of the site.

Nothing here imports the engine (MkDocs or ProperDocs) or reads a raw report: ``listings`` (home,
按年度, 按单位), ``insight`` (分析比较), ``compliance`` (合规概览 and the summary on each report page),
``data`` (open data and the feed), ``search`` (the static search index), ``markup`` and ``htmlblock``
(escaping, links, HTML passed through the engine's Markdown untouched).
"""
