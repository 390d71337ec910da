"""words.literal: a reader's text inside Streamlit markdown prints exactly as written."""

from __future__ import annotations

import html

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from app.words import literal

# CommonMark with GFM tables and strikethrough, as Streamlit's markdown renders them.
MD = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


def rendered_text(markdown: str) -> str:
    """The HTML markdown-it makes of ``markdown``, with its one paragraph wrapper taken off."""
    out = MD.render(markdown).strip()
    if out.startswith("<p>") and out.endswith("</p>"):
        out = out[3:-4]
    return out


@pytest.mark.parametrize(
    "text",
    [
        "![x](http://tracker.example/p.png)",
        "[click me](javascript:alert(1))",
        "<img src=x onerror=alert(1)>",
        "**bold** _it_ `code` ~~gone~~",
        "# heading",
        "- a list",
        "1. numbered",
        "| a | b |",
        "<http://autolink.example>",
        "&amp; &lt;",
        "back\\slash \\*",
    ],
)
def test_markdown_and_html_print_as_written(text):
    out = rendered_text(literal(text))
    assert "<" not in out, f"markup was rendered: {out}"
    assert html.unescape(out) == text


def test_streamlit_directives_and_latex_are_escaped():
    # Streamlit reads ":red[", ":material/...:" and "$...$" before markdown does; a backslash before each
    # marker character stops that as it stops markdown.
    out = literal(":red[loud] :material/warning: $x^2$")
    assert out == "\\:red\\[loud\\] \\:material\\/warning\\: \\$x\\^2\\$"


def test_line_breaks_cannot_start_a_block():
    assert rendered_text(literal("name\n# heading\n- item")) == "name # heading - item"


@given(st.text(alphabet=st.characters(codec="ascii", exclude_categories=("Cc",)), max_size=60))
def test_any_printable_ascii_reads_back_unchanged(text):
    out = rendered_text(literal(text))
    assert "<" not in out
    assert html.unescape(out) == " ".join(text.split())
