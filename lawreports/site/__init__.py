"""The disclosure site: the only package that imports MkDocs.

- ``hooks.py``    the file mkdocs.yml names under ``hooks:`` (thin: forwards MkDocs events)
- ``plugin.py``   what each event does: settings, conversion, virtual pages, report-page links
- ``listings.py`` home, 按年度 and 按单位 pages as Markdown (pure; no MkDocs)
- ``markup.py``   escaping report text for Markdown, links, tables
"""
