"""Mastodon sends statuses as sanitised HTML; OneVoice keeps and shows only their plain text."""

from __future__ import annotations

from html.parser import HTMLParser

import regex


class _PlainText(HTMLParser):
    """Mastodon sends status content as sanitised HTML (p, br, a, span); OneVoice keeps only the text."""

    BLOCKS = frozenset(
        {"p", "div", "blockquote", "li", "ul", "ol", "pre", "h1", "h2", "h3", "h4", "h5", "h6"}
    )
    HIDDEN = frozenset({"script", "style", "template", "head", "title"})
    VOID = frozenset({"br", "img", "hr", "input", "meta", "link", "wbr", "area", "base", "col", "source"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._hidden_depth:
            if tag not in self.VOID:
                self._hidden_depth += 1
            return
        classes = " ".join(value or "" for name, value in attrs if name == "class").split()
        # "RE: <link>" paragraphs that Mastodon adds to quote posts are hidden in its own interface too.
        if tag in self.HIDDEN or (tag == "p" and "quote-inline" in classes):
            self._hidden_depth = 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not self._hidden_depth and tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if self._hidden_depth:
            self._hidden_depth -= 1
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden_depth:
            self.parts.append(data)


def status_text(html: str) -> str:
    """The plain text of a status: tags dropped, entities decoded, paragraphs as blank lines."""
    parser = _PlainText()
    parser.feed(html or "")
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.parts).split("\n")]
    text = "\n".join(lines)
    return regex.sub(r"\n{3,}", "\n\n", text).strip()
