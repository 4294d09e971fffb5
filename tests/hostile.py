"""The hostile corpus: what scrapers and people put in article folders, broken or malicious.

Each case is a file name, its bytes, and what must become of it: ``PUBLISH`` (the article is in
the feeds, repaired where needed) or the words of the message it is skipped with. The tests in
``test_hostile.py`` write the whole corpus into one folder and build it once.
"""

from __future__ import annotations

PUBLISH = ""
HELD = "held back"      # published once its date has come: not in the feeds yet, no error


def fm(fields: str, body: str = "<p>body</p>") -> bytes:
    """An article whose front matter is ``fields`` (YAML lines) after a title-less start."""
    return f"---\n{fields}---\n{body}\n".encode()


def ok(title: str, extra: str = "", body: str = "<p>body</p>", date: str = "2022-01-13") -> bytes:
    return fm(f"title: {title}\ndate: {date}\n{extra}", body)


LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{c}: &{c} [{', '.join(['*' + p] * 10)}]\n" for p, c in zip("abcdefgh", "bcdefghi",
                                                                 strict=True))

FRONT_MATTER: dict[str, tuple[bytes, str]] = {
    "broken-yaml.md": (fm("title: [unclosed\ndate: 2022-01-01\n"), "bad YAML"),
    "unclosed.md": (b"---\ntitle: x\ndate: 2022-01-01\n<p>x</p>\n", "not closed"),
    "fm-list.md": (fm("- a\n- b\n"), "not a mapping"),
    "fm-scalar.md": (fm("just a sentence\n"), "not a mapping"),
    "billion-laughs.md": (fm("title: lol\n" + LAUGHS), "alias"),
    "python-tag.md": (fm("title: !!python/object:os.system ls\n"), "Invalid tag"),
    "python-tag-list.md": (fm("title: !!python/object/apply:os.system [ls]\n"),
                           "title is a list"),
    "duplicate-keys.md": (ok("first", "title: Second wins\n"), PUBLISH),
    "huge-title.md": (ok("x" * 1_000_000), PUBLISH),
    "huge-category.md": (ok("Huge category", "categories: " + "c" * 1_000_000 + "\n"),
                         PUBLISH),
    "title-number.md": (ok("2022"), PUBLISH),
    "title-list.md": (ok("[a, b]"), "title is a list"),
    "title-mapping.md": (ok("{a: b}"), "title is a dict"),
    "title-empty.md": (ok("''"), "title is empty"),
    "title-missing.md": (fm("date: 2022-01-01\n"), "title is missing"),
    "title-blank.md": (ok("'   \t  '"), "title is empty"),
    "title-invisible.md": (ok('"\\u200b\\u200b"'), "title is empty"),
    "categories-number.md": (ok("Categories number", "categories: 42\n"), PUBLISH),
    "categories-mapping.md": (ok("Categories mapping", "categories: {a: b}\n"), PUBLISH),
    "categories-deep.md": (ok("Categories deep", "categories: [[[[[Deep]]]]]\n"), PUBLISH),
    "categories-empty.md": (ok("Categories empty", "categories: ['', ' ', ~]\n"), PUBLISH),
    "categories-500.md": (ok("Categories 500", "categories: [" + ", ".join(
        f"[c{n}]" for n in range(500)) + "]\n"), PUBLISH),
    "categories-500-flat.md": (ok("Categories 500 flat", "categories: [" + ", ".join(
        f"f{n}" for n in range(500)) + "]\n"), PUBLISH),
    "json-front-matter.md": (b'{\n"title": "JSON \\ud800 lone \\u0001 surrogate",\n'
                             b'"date": "2022-01-13"\n}\n<p>body</p>\n', PUBLISH),
}

ENCODINGS: dict[str, tuple[bytes, str]] = {
    "utf8-bom.md": (b"\xef\xbb\xbf" + ok("UTF-8 with BOM"), PUBLISH),
    "utf16-le.md": (ok("UTF-16 LE ünïcode").decode().encode("utf-16"), PUBLISH),
    "utf16-be.md": (b"\xfe\xff" + ok("UTF-16 BE").decode().encode("utf-16-be"), PUBLISH),
    "gb18030.md": (ok("中文标题 GB18030").decode().encode("gb18030"), PUBLISH),
    "latin1.md": (ok("Caf\u00e9 cr\u00e8me").decode().encode("latin-1"), PUBLISH),
    "bad-utf8-body.md": (ok("Bad bytes in body", body="<p>ok \xff\xfe\xfd end</p>")
                         .replace(b"\xc3\xbf\xc3\xbe\xc3\xbd", b"\xff\xfe\xfd"), PUBLISH),
    "nul-bytes.md": (ok("NUL") + b"\x00\x00", "binary"),
    "binary.md": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary"),
    "empty.md": (b"", "no front matter"),
    "crlf.md": (ok("CRLF lines").replace(b"\n", b"\r\n"), PUBLISH),
    "cr-only.md": (ok("CR lines").replace(b"\n", b"\r"), PUBLISH),
}

ILLEGAL = "\x01\x08\x0b\x1f\ufffe\uffff"
ESCAPED = "\\x01\\b\\v\\x1f\\uFFFE\\uFFFF"      # the same, as YAML escapes
TEXT: dict[str, tuple[bytes, str]] = {
    "illegal-chars.md": (fm(
        f'title: "Illegal{ESCAPED} chars"\ndate: 2022-01-13\n'
        f'author: "Ann{ESCAPED} Author"\ncategories: ["Cat{ESCAPED}"]\n'
        f'tags: ["tag{ESCAPED}"]\n',
        f"<p>body{ILLEGAL}\tkeeps tabs\nand newlines</p>"), PUBLISH),
}

DATES: dict[str, tuple[bytes, str]] = {
    "date-impossible.md": (ok("Impossible", date="2022-02-30"), "not a real date"),
    # midnight of 1 January of year 1 in Shanghai is still year 0 in UTC
    "date-year-1-local.md": (ok("Year one", date="0001-01-01"), "out of the representable"),
    "date-year-1-utc.md": (ok("Year one UTC", date="0001-01-01T00:00:00Z"), PUBLISH),
    "date-year-2.md": (ok("Year two", date="'0002-01-01 00:00:00'"), PUBLISH),
    "date-year-9999.md": (ok("Year 9999", date="9999-12-31 23:59:59"), HELD),
    "date-zone-name.md": (ok("Zone name", date="2022-01-13 10:30 Europe/Paris"), PUBLISH),
    "date-epoch.md": (ok("Epoch", date="1642069807"), PUBLISH),
    "date-conflicting.md": (ok("Conflicting", "updated: 2020-01-01\ndate: 2022-02-02\n"),
                            PUBLISH),
    "date-future.md": (ok("Future", date="2999-01-01"), HELD),
}

NAMES = ["..", "/", "\\", "%2e%2e", ".hidden", "../../etc", "a/../../b", "C:\\x", "con",
         "NUL.txt", "LPT1", "ctrl\x01\x7f", "x" * 300, "News", "news", "NEWS",
         "caf\u00e9", "cafe\u0301"]
CATEGORIES: dict[str, tuple[bytes, str]] = {
    f"cat-{n:02}.md": (fm(f"title: Category {n}\ndate: 2022-01-13\ncategories:\n"
                          f" - {name!r}\n".replace("\x01", "").replace("\x7f", ""),
                          "<p>x</p>"), PUBLISH)
    for n, name in enumerate(NAMES)
} | {
    "same-id-1.md": (ok("Same id one", "id: shared-id\n"), PUBLISH),
    "same-id-2.md": (ok("Same id two", "id: shared-id\n"), PUBLISH),
}

DANGEROUS = [
    "<script>alert(1)</script>",
    '<img src="https://example.org/a.png" onerror="alert(1)">',
    '<a href="javascript:alert(1)">js</a>',
    '<a href="vbscript:msgbox(1)">vb</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data</a>',
    '<iframe src="https://evil.example/"></iframe>',
    '<object data="https://evil.example/x.swf"></object><embed src="x.swf">',
    '<form action="https://evil.example/"><input name="q"><button>go</button></form>',
    '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
    '<base href="https://evil.example/">',
    '<svg><script>alert(1)</script><a xlink:href="javascript:alert(1)">x</a></svg>',
    '<p style="width: expression(alert(1))">css</p>',
    '<p style="background: url(javascript:alert(1))">css</p>',
    "<div><p><b>unclosed <i>mis</b>nested</p>",
    "<!-- a comment with ]]> inside --><p>after</p>",
    "<![CDATA[ <script>alert(1)</script> ]]><p>cdata</p>",
    '<math><mi xlink:href="javascript:alert(1)">m</mi></math>',
    '<a href="  JaVaScRiPt:alert(1)">spaced</a>',
    '<img src="x" srcset="javascript:alert(1) 1x">',
    '<style>body{display:none}</style><link rel="stylesheet" href="https://evil.example/">',
]
FORBIDDEN = ["<script", "onerror", "javascript:", "vbscript:", "data:text/html", "evil.example",
             "<object", "<embed", "<form", "<input", "http-equiv", "<base", "<svg", "<math",
             "expression(", "<style", 'rel="stylesheet"', "alert(1)</script"]
BODIES: dict[str, tuple[bytes, str]] = {
    f"html-{n:02}.md": (ok(f"Hostile body {n}", body=markup + "<p>kept text</p>"), PUBLISH)
    for n, markup in enumerate(DANGEROUS)
} | {
    "html-deep.md": (ok("Deep nesting", body="<div>" * 10_000 + "deep" + "</div>" * 10_000),
                     PUBLISH),
    "html-huge.md": (ok("Huge body", body="<p>" + "word " * 400_000 + "</p>"), PUBLISH),
    # references that an HTML parser decodes into characters XML cannot carry (lxml 6 does)
    "html-char-refs.md": (ok("Character references", body=(
        '<p title="&#x1b;">a&#1;b&#x1b;c&#xFFFE;d&#0;e&#xD800;f&#x80;g&#99999999999;h&#65;</p>'
        '<img src="https://example.org/a.png" alt="x&#1;y"><a href="https://example.org/&#1;x">'
        "link</a>")), PUBLISH),
    "html-broken-ipv6.md": (ok("Broken IPv6 URLs", body=(
        '<a href="//[::1/x">a</a><iframe src="http://[::1"></iframe>'
        '<img src="http://[::1]:99999/a.png"><a href="http://host:port/">b</a>')), PUBLISH),
    "html-doctype-only.md": (ok("Only a doctype", body="<!DOCTYPE html>"), PUBLISH),
    "html-xml-declaration.md": (ok("XML declaration", body=(
        '<?xml version="1.0" encoding="utf-8"?><p>declared</p>')), PUBLISH),
}

CORPUS: dict[str, tuple[bytes, str]] = (FRONT_MATTER | ENCODINGS | TEXT | DATES | CATEGORIES
                                        | BODIES)
