"""Guideline Markdown becomes HTML that keeps the document's structure and nothing that could run."""

from __future__ import annotations

import re

import pytest

from onevoice.guidelines.rendering import changed_lines, render_markdown


class TestRenderMarkdown:
    def test_it_keeps_headings_lists_emphasis_quotes_code_tables_and_rules(self) -> None:
        html = render_markdown(
            "# Ton\n\n**fett** *kursiv* `code`\n\n- eins\n- zwei\n\n1. erst\n\n> Zitat\n\n---\n\n"
            "| A | B |\n|---|---|\n| 1 | 2 |\n\n```\nblock\n```\n"
        )
        for tag in (
            "<h2",
            "<strong>",
            "<em>",
            "<code>",
            "<ul>",
            "<ol>",
            "<li>",
            "<blockquote",
            "<hr>",
            "<table",
            "<td>",
            "<pre",
        ):
            assert tag in html, tag

    def test_a_top_level_heading_becomes_an_h2_below_the_page_title(self) -> None:
        html = render_markdown("# Eins\n\n## Zwei\n\n###### Sechs")
        assert "<h1" not in html
        assert '<h2 class="h4">Eins</h2>' in html
        assert '<h3 class="h5">Zwei</h3>' in html
        assert '<h6 class="h6">Sechs</h6>' in html

    def test_links_get_a_safe_rel(self) -> None:
        html = render_markdown("[Impressum](https://muster.example/impressum)")
        assert 'href="https://muster.example/impressum"' in html
        assert 'rel="noopener noreferrer nofollow"' in html

    @pytest.mark.parametrize(
        "hostile",
        [
            "<script>alert('xss')</script>",
            "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
            "<img src=x onerror=alert(1)>",
            '<a href="javascript:alert(1)">klick</a>',
            "[klick](javascript:alert(1))",
            "[klick](JaVaScRiPt:alert(1))",
            "[klick](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
            '<iframe src="https://evil.example"></iframe>',
            '<p onclick="alert(1)" style="position:fixed">Text</p>',
            "<svg onload=alert(1)><circle/></svg>",
            "<style>body{display:none}</style>",
            "<form action=https://evil.example><input name=pw></form>",
            "<object data=x.swf></object><embed src=x.swf>",
            '<div><a href="vbscript:msgbox(1)">v</a></div>',
            "<!-- <script>alert(1)</script> -->",
        ],
    )
    def test_hostile_markdown_is_sanitised(self, hostile: str) -> None:
        html = render_markdown(f"Vorher\n\n{hostile}\n\nNachher").lower()
        for tag in ("<script", "<iframe", "<img", "<svg", "<style", "<form", "<input", "<object", "<embed"):
            assert tag not in html, (hostile, html)
        assert re.search(r"\son\w+\s*=", html) is None, html
        assert re.search(r"(href|src)=\"?\s*(javascript|vbscript|data):", html) is None, html
        assert "style=" not in html
        assert "vorher" in html
        assert "nachher" in html

    @pytest.mark.parametrize(
        "hostile", ["<script>alert(1)</script>", "<style>p{}</style>", "<!-- alert(1) -->"]
    )
    def test_scripts_styles_and_comments_go_with_their_content(self, hostile: str) -> None:
        html = render_markdown(f"Text {hostile} mehr\n\n{hostile}")
        assert "alert" not in html
        assert "p{}" not in html

    def test_the_text_around_removed_html_stays(self) -> None:
        html = render_markdown("Bitte <b>freundlich</b> bleiben <script>alert(1)</script>.")
        assert "freundlich" in html
        assert "alert" not in html

    def test_markdown_text_is_escaped_not_interpreted(self) -> None:
        html = render_markdown('1 < 2 & "Zitat"')
        assert "1 &lt; 2 &amp;" in html


class TestChangedLines:
    def test_it_lists_added_and_removed_lines_without_blank_ones(self) -> None:
        changes = changed_lines("A\n\nB\nC\n", "A\n\nB2\nC\n\nD\n")
        assert [(c.kind, c.text) for c in changes] == [("removed", "B"), ("added", "B2"), ("added", "D")]

    def test_it_stops_at_the_limit(self) -> None:
        before = "\n".join(f"alt {i}" for i in range(100))
        after = "\n".join(f"neu {i}" for i in range(100))
        assert len(changed_lines(before, after, limit=10)) == 10
