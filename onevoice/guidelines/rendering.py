"""Guideline Markdown to HTML that is safe to show: markdown-it-py renders, nh3 keeps only a small allowlist.

Raw HTML in the Markdown is passed to the sanitiser rather than escaped, so a pasted `<script>` or
`<iframe>` disappears with its content instead of showing up as code on the page.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

ALLOWED_TAGS = frozenset(
    {
        *(f"h{n}" for n in range(2, 7)),
        "p",
        "br",
        "ul",
        "ol",
        "li",
        "strong",
        "em",
        "s",
        "a",
        "code",
        "pre",
        "blockquote",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "hr",
    }
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
# Removed together with their content, not just unwrapped.
DROPPED_WITH_CONTENT = frozenset({"script", "style", "iframe", "object", "embed", "noscript", "template"})
LINK_REL = "noopener noreferrer nofollow"
# Bootstrap's look for the few elements that have none of their own; set by the sanitiser, never by the text.
CLASSES = {
    "table": {"class": "table table-sm table-bordered"},
    "blockquote": {"class": "border-start border-4 ps-3 ov-muted"},
    "pre": {"class": "bg-light border rounded p-2"},
    # Sized below the page title (1.5rem), whatever level the text used.
    "h2": {"class": "h4"},
    "h3": {"class": "h5"},
    **{f"h{n}": {"class": "h6"} for n in (4, 5, 6)},
}

_markdown = MarkdownIt("commonmark", {"html": True, "typographer": False}).enable(["table", "strikethrough"])


def _render(body: str) -> str:
    tokens = _markdown.parse(body)
    # The page's own title is the h1; a "# Heading" in the text becomes an h2, and so on down.
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 1, 6)}"
    return str(_markdown.renderer.render(tokens, _markdown.options, {}))


def render_markdown(body: str) -> SafeString:
    """Render guideline Markdown to sanitised HTML: no scripts, no raw HTML, no javascript: links."""
    html = nh3.clean(
        _render(body),
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes={"http", "https", "mailto"},
        link_rel=LINK_REL,
        set_tag_attribute_values=CLASSES,
        strip_comments=True,
    )
    return mark_safe(html)  # noqa: S308 — sanitised by nh3 with the allowlist above


@dataclass(frozen=True)
class ChangedLine:
    kind: str  # "added" or "removed"
    text: str


def changed_lines(before: str, after: str, limit: int = 60) -> list[ChangedLine]:
    """The lines of the text that were added or removed between two versions (blank lines left out)."""
    changes: list[ChangedLine] = []
    for line in difflib.ndiff(before.splitlines(), after.splitlines()):
        code, text = line[:2], line[2:]
        if not text.strip() or code not in ("+ ", "- "):
            continue
        changes.append(ChangedLine("added" if code == "+ " else "removed", text))
        if len(changes) >= limit:
            break
    return changes
