"""HTML the project built itself, marked so that the engine's Markdown passes it through untouched.

The markers are HTML comments: without the engine glue's extension (``lawreports/engine/rawhtml.py``)
a block is ordinary raw HTML and the page looks the same. Report text can never open such a block:
it reaches the Markdown escaped (``<`` is ``&#60;``).
"""

OPEN = "<!--lawreports:html-->"
CLOSE = "<!--/lawreports:html-->"


def block(html: str) -> str:
    """Markdown lines holding ``html`` as one block that Markdown passes through untouched.

    ``html`` must be complete HTML whose text is escaped; it must not contain the line
    :data:`CLOSE` (escaped text cannot).
    """
    return f"\n{OPEN}\n{html}\n{CLOSE}\n"
