"""Tests for ``feeder.content.render_content``: body HTML made safe and absolute, and summaries."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from feeder import config
from feeder.content import render_content
from feeder.images import DirectImages
from feeder.model import Content, Entry
from feeder.text import plain_text, shorten, summarize

CFG = config.load(None)
IMAGES = DirectImages(True)
PAGE = "https://ex.com/posts/a/"   # the entry's base: relative body URLs resolve against it
LEAD = "https://ex.com/lead.jpg"
GIF = "data:image/gif;base64,R0lGODlhAQABAAAAACw="
WHEN = datetime(2022, 1, 13, 10, 30, 7, tzinfo=UTC)
ENTRY = Entry(
    id="urn:uuid:00000000-0000-0000-0000-000000000000", key="path:a.md", source="a.md",
    title="T", published=WHEN, updated=WHEN, categories=(), tags=(), author=None,
    link=PAGE, base=PAGE, description="", image="", language="", body_format="html")


def render(body: str, **changes: Any) -> Content:
    """``render_content`` for ``body`` on ENTRY with some fields changed."""
    return render_content(ENTRY._replace(**changes), body, CFG, IMAGES)


@pytest.mark.parametrize(("body", "expected"), [
    pytest.param('<p><img src="pic.jpg"></p>', f'<p><img src="{PAGE}pic.jpg"></p>',
                 id="relative-src"),
    pytest.param('<p><img src="/pic.jpg"></p>', '<p><img src="https://ex.com/pic.jpg"></p>',
                 id="root-relative-src"),
    pytest.param('<p><img src="//host.example/x.jpg"></p>',
                 '<p><img src="https://host.example/x.jpg"></p>', id="protocol-relative"),
    pytest.param('<p><img src="http://host.example/x.jpg"></p>',
                 '<p><img src="https://host.example/x.jpg"></p>', id="http-image-upgraded"),
    pytest.param('<p><a href="http://host.example/x">l</a></p>',
                 '<p><a href="http://host.example/x">l</a></p>', id="http-href-kept"),
    pytest.param('<p><a href="x/">l</a></p>', f'<p><a href="{PAGE}x/">l</a></p>',
                 id="relative-href"),
    pytest.param(f'<p><img src="{GIF}" data-src="a.jpg"></p>',
                 f'<p><img src="{PAGE}a.jpg"></p>', id="data-src"),
    pytest.param(f'<p><img src="{GIF}" data-original="http://h.example/b.jpg"></p>',
                 '<p><img src="https://h.example/b.jpg"></p>', id="data-original"),
    pytest.param('<p><img data-lazy-src="c.jpg"></p>', f'<p><img src="{PAGE}c.jpg"></p>',
                 id="data-lazy-src"),
    pytest.param('<p><img src="a.jpg" srcset="a1.jpg 1x, //h.example/a2.jpg 2x, '
                 'http://h.example/a3.jpg 3x"></p>',
                 f'<p><img src="{PAGE}a.jpg" srcset="{PAGE}a1.jpg 1x, '
                 'https://h.example/a2.jpg 2x, https://h.example/a3.jpg 3x"></p>', id="srcset"),
    pytest.param('<p><img src="a.jpg" data-srcset="s.jpg 1x"></p>',
                 f'<p><img src="{PAGE}a.jpg" srcset="{PAGE}s.jpg 1x"></p>', id="data-srcset"),
    pytest.param('<p><img src="a.jpg" referrerpolicy="no-referrer"></p>',
                 f'<p><img src="{PAGE}a.jpg"></p>', id="referrerpolicy"),
    pytest.param('<p><img src="a.jpg" width="970px" height="530"></p>',
                 f'<p><img src="{PAGE}a.jpg" height="530"></p>', id="width-with-unit"),
    pytest.param('<p><img src="a.jpg" width="530"></p>',
                 f'<p><img src="{PAGE}a.jpg" width="530"></p>', id="width-number-kept"),
    pytest.param('<video poster="p.jpg" src="v.mp4"></video>',
                 f'<video poster="{PAGE}p.jpg" src="{PAGE}v.mp4"></video>', id="video"),
])
def test_render_content_makes_urls_absolute(body: str, expected: str) -> None:
    """Lazy images are promoted and every URL is made absolute; only images go https."""
    assert expected == render(body).html


@pytest.mark.parametrize(("body", "expected"), [
    pytest.param("<p>a</p><script>alert(1)</script>", "<p>a</p>", id="script"),
    pytest.param("<p>a</p><style>p{color:red}</style>", "<p>a</p>", id="style"),
    pytest.param('<p>a</p><object data="x.swf"></object>', "<p>a</p>", id="object"),
    pytest.param('<p>a</p><embed src="x.swf">', "<p>a</p>", id="embed"),
    pytest.param('<p>a</p><form action="/x"><input name="q"></form>', "<p>a</p>", id="form"),
    pytest.param("<svg><script>x()</script></svg><p>a</p>", "<p>a</p>", id="svg"),
    pytest.param("<p>a</p><!-- a comment -->", "<p>a</p>", id="comment"),
    pytest.param('<p onclick="x()" onmouseover="y()">a</p>', "<p>a</p>", id="on-attributes"),
    pytest.param('<img src="a.jpg" onerror="x()">', f'<img src="{PAGE}a.jpg">', id="onerror"),
    pytest.param('<p style="background:url(javascript:x)">a</p>', "<p>a</p>", id="bad-style"),
    pytest.param('<p><a href="javascript:alert(1)">x</a></p>', "<p><a>x</a></p>",
                 id="javascript-href"),
    pytest.param('<p><a href=" JavaScript:alert(1)">x</a></p>', "<p><a>x</a></p>",
                 id="javascript-href-mixed-case"),
    pytest.param('<a href="data:text/html,x">d</a>', "<a>d</a>", id="data-href"),
    pytest.param('<img src="javascript:alert(1)"><p>a</p>', "<p>a</p>", id="javascript-img"),
    pytest.param('<a href="mailto:a@b.example">m</a> <a href="#x">f</a>',
                 '<a href="mailto:a@b.example">m</a> <a href="#x">f</a>', id="mailto-fragment"),
    pytest.param('<iframe src="https://evil.example/x"></iframe><p>a</p>', "<p>a</p>",
                 id="iframe-other-host"),
    pytest.param('<iframe src="https://www.youtube.com.evil.example/x"></iframe>', "",
                 id="iframe-lookalike-host"),
    pytest.param('<iframe src="https://www.youtube.com/embed/x"></iframe>',
                 '<iframe src="https://www.youtube.com/embed/x"></iframe>', id="iframe-youtube"),
    pytest.param('<iframe src="//www.youtube.com/embed/x"></iframe>',
                 '<iframe src="https://www.youtube.com/embed/x"></iframe>',
                 id="iframe-youtube-protocol-relative"),
    pytest.param('<iframe src="https://www.youtube.com/embed/x" '
                 'data-src="https://evil.example/x"></iframe>', "", id="iframe-lazy-other-host"),
])
def test_render_content_removes_unsafe_markup(body: str, expected: str) -> None:
    """Scripts, plugins, forms, handlers, bad URLs and foreign iframes are removed."""
    assert expected == render(body).html


@pytest.mark.parametrize(("body", "image", "expected"), [
    pytest.param("<p>text</p>", LEAD, f'<p><img src="{LEAD}" alt=""></p><p>text</p>',
                 id="added-first"),
    pytest.param("", LEAD, f'<p><img src="{LEAD}" alt=""></p>', id="empty-body"),
    pytest.param(f'<p><img src="{LEAD}"></p><p>t</p>', LEAD, f'<p><img src="{LEAD}"></p><p>t</p>',
                 id="already-first"),
    pytest.param('<p><img src="/lead.jpg"></p>', LEAD, f'<p><img src="{LEAD}"></p>',
                 id="already-first-relative"),
    pytest.param('<p><img src="http://ex.com/lead.jpg"></p>', "http://ex.com/lead.jpg",
                 f'<p><img src="{LEAD}"></p>', id="already-first-both-upgraded"),
    pytest.param(f'<p><a href="x"><img src="{LEAD}"></a></p>', LEAD,
                 f'<p><a href="{PAGE}x"><img src="{LEAD}"></a></p>', id="already-first-linked"),
    pytest.param(f'<p>intro</p><p><img src="{LEAD}"></p>', LEAD,
                 f'<p><img src="{LEAD}" alt=""></p><p>intro</p><p><img src="{LEAD}"></p>',
                 id="later-in-body"),
    pytest.param('<p><img src="other.jpg"></p>', LEAD,
                 f'<p><img src="{LEAD}" alt=""></p><p><img src="{PAGE}other.jpg"></p>',
                 id="other-image-first"),
    pytest.param("<p>text</p>", "", "<p>text</p>", id="no-lead-image"),
])
def test_render_content_puts_the_lead_image_first_once(body: str, image: str,
                                                       expected: str) -> None:
    """The lead image opens the body, and is not added again when the body opens with it."""
    assert expected == render(body, image=image).html


@pytest.mark.parametrize(("image", "expected"), [
    (LEAD, LEAD),
    ("http://ex.com/lead.jpg", LEAD),
    ("", ""),
])
def test_render_content_returns_the_lead_image_after_the_policy(image: str, expected: str) -> None:
    """``Content.image`` is the entry's lead image passed through the image policy."""
    assert expected == render("<p>t</p>", image=image).image


@pytest.mark.parametrize(("body", "expected"), [
    ("# Hi\n\n*x*", "<h1>Hi</h1>\n<p><em>x</em></p>"),
    ('Hello <span class="a">there</span>\n\n<div>block</div>',
     '<p>Hello <span>there</span></p>\n<div>block</div>'),
    ("![pic](pic.jpg)", f'<p><img src="{PAGE}pic.jpg" alt="pic"></p>'),
    ("| a |\n|---|\n| b |",
     "<table>\n<thead>\n<tr>\n<th>a</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>b</td>\n</tr>\n"
     "</tbody>\n</table>"),
    ("x <script>alert(1)</script>", "<p>x </p>"),
])
def test_render_content_renders_markdown(body: str, expected: str) -> None:
    """A Markdown body is rendered, with inline HTML passed through and then cleaned."""
    assert expected == render(body, body_format="markdown").html


@pytest.mark.parametrize(("body", "body_format", "description", "expected"), [
    pytest.param("<p>body</p>", "html", "From front matter", "From front matter",
                 id="description-wins"),
    pytest.param("<p>Intro &amp; more</p><!-- more --><p>rest</p>", "html", "", "Intro & more",
                 id="more-html"),
    pytest.param("Intro *a*\n\n<!--more-->\n\nrest", "markdown", "", "Intro a",
                 id="more-markdown"),
    pytest.param("<p>a <b>b</b> c</p><p>d</p>", "html", "", "a b c d", id="whole-short-body"),
    pytest.param("<p>Tom &amp; Jerry &lt;b&gt;</p>", "html", "", "Tom & Jerry <b>",
                 id="escaped-text-stays-text"),
    pytest.param("<p>a</p><script>evil()</script><p>b</p>", "html", "", "a b",
                 id="script-text-not-in-summary"),
    pytest.param("<p>Intro</p><script>evil()</script><style>p{color:red}</style>"
                 "<!-- more --><p>rest</p>", "html", "", "Intro", id="more-with-script"),
])
def test_render_content_summarises(body: str, body_format: str, description: str,
                                   expected: str) -> None:
    """The summary is the description, else the text before <!-- more -->, else the start."""
    assert expected == render(body, body_format=body_format, description=description).summary


def test_render_content_shortens_a_long_summary() -> None:
    """Without a description or <!-- more -->, the summary is the first ~200 characters."""
    summary = render("<p>" + "word " * 100 + "</p>").summary
    expected = (True, True, True)
    actual = (len(summary) <= CFG.output.summary_length + 1, summary.endswith("…"),
              summary.startswith("word word"))
    assert expected == actual


@pytest.mark.parametrize("body", [
    "<p><b>Bold</b> &amp; <i>italic</i></p><p>Second</p>",
    "<h2>Title</h2><ul><li>one</li><li>two &amp; three</li></ul>",
    "<p>Intro <a href='x'>link</a> &amp; more</p><!-- more --><p>rest</p>",
    '<p><img src="a.jpg"> caption</p>',
])
def test_render_content_summary_is_plain_text(body: str) -> None:
    """A summary holds no tags and no escaped ampersands."""
    summary = render(body).summary
    assert [] == [bad for bad in ("<", ">", "&amp;") if bad in summary]


PIECES = ["<p>", "</p>", "<br>", "<br/>", "</div>", "<b>", "</b>", '<img src="a>b">',
          '<a href="x">', "</a>", "&amp;", "&lt;b&gt;", "&#x4e2d;", "&amp", "&nbsp;", " ",
          "   ", "\n", "\t", "word", "two words", "中文字", "e\u0301", "\u200b", ">", "<",
          "<!--", "-->"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=120), st.integers(1, 40))
# a stray '<' before the cut closes on a '>' after it (found by this test)
@example(["<p>", "&amp;", " ", "word", "<", " ", "word", "word", "</p>", "<p>"], 7)
def test_a_summary_from_the_start_of_the_markup_is_the_whole_markups(
        pieces: list[str], limit: int) -> None:
    """``summarize`` converts only the start of long markup; what it gives must not differ
    from converting all of it."""
    markup = "".join(pieces)
    assert summarize(markup, limit) == shorten(plain_text(markup), limit)


def test_a_comment_across_the_cut_does_not_leak_its_text_into_a_summary() -> None:
    markup = "<!-- a > " + "hidden " * 8 + "> " + "x" * 40 + " -->" + "<p>shown</p>" * 30
    assert summarize(markup, 20) == shorten(plain_text(markup), 20)
    assert "hidden" not in summarize(markup, 20)


def test_where_a_lead_image_leads_is_seen_through_nested_text() -> None:
    """The lead image goes first unless the body opens with it; text anywhere before the
    first image (in a parent, in an earlier element's tail) means it does not."""
    opens = render(f'<div><p><img src="{LEAD}"></p>text</div>', image=LEAD).html
    assert opens.count(LEAD) == 1
    for body in (f'<div>Hi<p><img src="{LEAD}"></p></div>',
                 f'<p><b></b>tail<img src="{LEAD}"></p>', f'x<img src="{LEAD}">'):
        assert render(body, image=LEAD).html.startswith(f'<p><img src="{LEAD}"'), body


# -- bodies that would cost time out of proportion (feeder.limits) --------------------------

def test_a_body_too_long_to_clean_in_time_is_cut_with_an_ellipsis() -> None:
    """Past the budget, the start of the body is published, cut before a tag, with '…'."""
    from feeder.limits import BODY_LIMIT, within_budget

    body = "<p>" + "word " * 200_000 + "</p><p>end</p>"      # a million characters
    short, note = within_budget(body, "html")
    assert (True, True) == (len(short) <= BODY_LIMIT + 8, short.endswith("<p>…</p>"))
    assert "body of 1,000,017 characters is too long to clean in time" in note
    html = render(body).html
    assert (True, False) == (html.endswith("<p>…</p>"), "end" in html[-20:])
    assert (body[:1000], "") == within_budget(body[:1000], "html")


def test_markdown_is_cut_by_its_cost_not_its_length() -> None:
    """Plain prose keeps 160,000 characters or so; dense inline markup far fewer."""
    from feeder.limits import within_budget

    prose = ("Plain words of a long article, written without any markup at all. " * 40
             + "\n\n") * 60           # 160,000 characters of prose
    brackets = "[" * 100_000
    assert (prose, "") == within_budget(prose, "markdown")
    short, note = within_budget(brackets, "markdown")
    assert (True, True) == (len(short) < 50_000, bool(note))


@st.composite
def long_texts(draw: Any) -> str:
    """Text that nh3 escapes slowly ('&', U+0080..U+00BF) in long runs, with the markup
    around it that the cuts must respect: tables, <pre>, CR LF, iframes, entities."""
    pieces = st.sampled_from(["&", "&amp;", "a", " ", "\u00a0", "©", "中", "&lt;", "&#38;",
                              "&nbsp;", "\r\n", "\n", "\t", "b c"])
    runs = st.lists(pieces, min_size=400, max_size=1500).map("".join)
    wrap = st.sampled_from(["<p>{}</p>", "<table><tr><td>x</td></tr>{}</table>",
                            "<pre>{}</pre>", "{}", "<div>{}<br>{}</div>",
                            '<iframe src="https://www.youtube.com/embed/x">{}</iframe>'])
    template = draw(wrap)
    return template.format(*(draw(runs) for _ in range(template.count("{}"))))


@settings(max_examples=60, deadline=None)
@given(long_texts())
def test_long_texts_are_cut_for_nh3_without_changing_its_output(markup: str) -> None:
    """nh3 escapes a long text with many '&' in quadratic time, so long texts reach it in
    pieces; what it writes must be what it would write of the whole text (a newer nh3
    that changes its serializer must not make the cuts show)."""
    from feeder.content import _cleaner, clean_html
    from feeder.limits import cut_long_texts

    html = clean_html(markup, PAGE, "", (), IMAGES)
    assert str(_cleaner().clean(html)) == str(_cleaner().clean(cut_long_texts(html)))


def test_a_long_text_with_many_ampersands_reaches_nh3_in_pieces() -> None:
    from feeder.content import sanitize
    from feeder.limits import CUT, cut_long_texts

    html = "<p>" + "a&amp;b " * 10_000 + "</p>"      # 80,000 characters of text
    assert (True, html) == (cut_long_texts(html).count(CUT) >= 70, sanitize(html))


@pytest.mark.parametrize(("body", "expected"), [
    ("<xmp>a & <b></xmp>", "<pre>a &amp; &lt;b&gt;</pre>"),
    ("<noembed>hidden</noembed><p>shown</p>", "<p>shown</p>"),
    ("<noframes>hidden</noframes><p>shown</p>", "<p>shown</p>"),
])
def test_obsolete_raw_text_elements(body: str, expected: str) -> None:
    """``xmp`` shows its text as written, ``noembed`` and ``noframes`` go like ``noscript``."""
    assert expected == render(body).html
