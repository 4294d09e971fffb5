#!/usr/bin/env python3
"""What one body costs to clean, however it is made: ~110 shapes of HTML and Markdown (ordinary
ones, and those that made nh3, libxml2, markdown-it-py or feeder's own passes slow), each built
to ``--size`` bytes (default 10 MB) and put through ``content.render_content`` in a process of
its own, cut off after ``--timeout`` seconds.

    .venv/bin/python benchmarks/bodies.py                      # every shape at 10 MB
    .venv/bin/python benchmarks/bodies.py --size 1e6 --match md:

Prints each shape's seconds, marked OVER when past the 2-second budget, and the worst.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
from pathlib import Path

BUDGET = 2.0
CHILD = """
import json, sys, time
sys.path.insert(0, sys.argv[3])
from datetime import datetime, UTC
from benchmarks.bodies import CASES
from feeder import content
from feeder.config import Config
from feeder.images import policy_for
from feeder.model import Entry
body, fmt = CASES[sys.argv[1]](int(float(sys.argv[2])))
cfg = Config()
content.load_libraries()
when = datetime(2022, 1, 1, tzinfo=UTC)
entry = Entry("urn:x", "path:a.md", "a.md", "t", when, when, (), (), None,
              "https://site.example/a/", "https://site.example/", "", "", "", fmt)
started = time.perf_counter()
out = content.render_content(entry, body, cfg, policy_for(cfg))
print(json.dumps([time.perf_counter() - started, len(out.html)]))
"""


def rep(unit: str, size: int, head: str = "", tail: str = "") -> str:
    n = max(1, (size - len((head + tail).encode())) // len(unit.encode()))
    return head + unit * n + tail


LOREM = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor "
         "incididunt ut labore et dolore magna aliqua. ")
CJK = "在俄罗斯与美国困难但务实的安全对话无果而终后，俄罗斯又于12日在比利时布鲁塞尔举行会议。"


def _nested_then_text(size: int) -> str:
    d = 10_000
    head = "<div>" * d
    tail = "</div>" * d
    return rep("<p>" + LOREM + "</p>\n", size, head, tail)


def _md_prose(size: int) -> str:
    rnd = random.Random(1)
    parts = []
    total = 0
    i = 0
    while total < size:
        i += 1
        k = rnd.randrange(6)
        if k == 0:
            s = f"## Heading {i}\n\n"
        elif k == 1:
            s = "".join(f"- item *{j}* with `code` and [link](https://x.example/{i}/{j})\n" for j in range(4)) + "\n"
        elif k == 2:
            s = "> quoted " + LOREM + "\n\n"
        elif k == 3:
            s = "```\ncode line " + str(i) + " <b>&amp;</b>\n```\n\n"
        else:
            s = LOREM + "**bold** _em_ " + LOREM + f"[ref{i % 50}] &amp; & <span>x</span>\n\n"
        parts.append(s)
        total += len(s)
    parts.append("".join(f"[ref{j}]: https://ref.example/{j}\n" for j in range(50)))
    return "".join(parts)


H = "html"
M = "markdown"
CASES = {
    # --- ordinary shapes, HTML
    "html: one text paragraph": lambda n: (rep(LOREM, n, "<p>", "</p>"), H),
    "html: many small <p>": lambda n: (rep("<p>" + LOREM[:60] + "</p>\n", n), H),
    "html: CJK paragraphs": lambda n: (rep("<p>" + CJK * 5 + "</p>\n", n), H),
    "html: CJK one paragraph": lambda n: (rep(CJK, n, "<p>", "</p>"), H),
    "html: nested divs (pure)": lambda n: (rep("<div>", n // 2) + rep("</div>", n // 2), H),
    "html: 10k nested divs + text": lambda n: (_nested_then_text(n), H),
    "html: many <img>": lambda n: (rep('<img src="/img/photo-123456.jpg" alt="a photo">\n', n), H),
    "html: many <a>": lambda n: (rep('<a href="/post/2022/01/some-slug?x=1&amp;y=2">a link</a> \n', n), H),
    "html: many lazy <img data-src>": lambda n: (rep('<img data-src="https://cdn.example/i/1.jpg" src="data:,x" onload="x()">\n', n), H),
    "html: one element, many attrs": lambda n: (rep(f' a{1}="v"', n, "<p", ">x</p>"), H),
    "html: many attrs (distinct)": lambda n: ("<p " + " ".join(f'a{i}="v"' for i in range(n // 8)) + ">x</p>", H),
    "html: many elements w/ 10 attrs": lambda n: (rep('<span title="t" lang="en" dir="ltr" style="color:red" data-a="1" onclick="x" id="i" class="c" width="10" height="10">x</span>\n', n), H),
    "html: giant title attr (plain)": lambda n: (rep("abcde ", n, '<p title="', '">x</p>'), H),
    "html: giant title attr (&amp;)": lambda n: (rep("a&amp;b ", n, '<p title="', '">x</p>'), H),
    "html: giant href (&amp; query)": lambda n: (rep("a=1&amp;", n, '<a href="https://x.example/?', '">x</a>'), H),
    "html: giant style attr": lambda n: (rep("color: red; ", n, '<p style="', '">x</p>'), H),
    "html: giant data: img": lambda n: (rep("QUJD", n, '<img src="data:image/png;base64,', '">'), H),
    "html: run of raw <": lambda n: (rep("<", n, "<p>", "</p>"), H),
    "html: run of raw >": lambda n: (rep(">", n, "<p>", "</p>"), H),
    "html: run of &lt;": lambda n: (rep("&lt;", n, "<p>", "</p>"), H),
    "html: many comments": lambda n: (rep("<!-- x -->", n, "<p>", "</p>"), H),
    "html: many <!-- more -->": lambda n: (rep("<p>a</p><!-- more -->", n), H),
    "html: run of &amp;": lambda n: (rep("&amp;", n, "<p>", "</p>"), H),
    "html: run of raw &": lambda n: (rep("&", n, "<p>", "</p>"), H),
    "html: a&amp;b text": lambda n: (rep("a&amp;b ", n, "<p>", "</p>"), H),
    "html: &amp; every 100 chars": lambda n: (rep("x" * 95 + "&amp;", n, "<p>", "</p>"), H),
    "html: run of &nbsp;": lambda n: (rep("&nbsp;", n, "<p>", "</p>"), H),
    "html: French text (nbsp, «»)": lambda n: (rep("« Bonjour\u00a0! » dit-il\u00a0; c’est l’été. ", n, "<p>", "</p>"), H),
    "html: raw © · ° run": lambda n: (rep("©·°", n, "<p>", "</p>"), H),
    "html: every entity kind": lambda n: (rep("&amp;&lt;&gt;&quot;&apos;&nbsp;&copy;&eacute;&#38;&#x26;&#169;&hellip;&mdash;&bogus; ", n, "<p>", "</p>"), H),
    "html: &amp; run, <p> every 1000": lambda n: (rep("<p>" + "&amp;" * 1000 + "</p>", n), H),
    "html: &amp; run, <br> every 1000": lambda n: (rep("&amp;" * 1000 + "<br>", n, "<p>", "</p>"), H),
    "html: no tags, plain text": lambda n: (rep(LOREM, n, "<p>", ""), H),
    # --- Markdown
    "md: realistic prose": lambda n: (_md_prose(n), M),
    "md: one huge paragraph": lambda n: (rep(LOREM, n), M),
    "md: many short paragraphs": lambda n: (rep(LOREM[:60] + "\n\n", n), M),
    "md: CJK paragraphs": lambda n: (rep(CJK * 5 + "\n\n", n), M),
    "md: fenced code block": lambda n: (rep("x = 1  # code <b>&amp;</b>\n", n, "```\n", "```\n"), M),
    "md: indented code": lambda n: (rep("    x = 1\n", n), M),
    "md: headings": lambda n: (rep("# heading\n", n), M),
    "md: flat list": lambda n: (rep("- item\n", n), M),
    "md: nested lists (staircase)": lambda n: ("".join("  " * i + "- x\n" for i in range(int((n) ** 0.5 / 1.4))), M),
    "md: nested blockquote >>>": lambda n: (rep("> ", n, "", "x\n"), M),
    "md: blockquote lines": lambda n: (rep("> quoted line\n", n), M),
    "md: emphasis *a*a*a": lambda n: (rep("*a", n), M),
    "md: emphasis **a": lambda n: (rep("**a ", n), M),
    "md: unclosed _a": lambda n: (rep("_a ", n), M),
    "md: nested emphasis *_*_": lambda n: (rep("*_", n // 2) + "x" + rep("_*", n // 2), M),
    "md: many link ref defs": lambda n: (rep_refs(n), M),
    "md: many ref links used": lambda n: (rep("[a] ", n, "", "\n\n[a]: https://x.example/\n"), M),
    "md: backtick runs": lambda n: (backticks(n), M),
    "md: many `code` spans": lambda n: (rep("`x` ", n), M),
    "md: unclosed `": lambda n: (rep("`a ", n), M),
    "md: open brackets [": lambda n: (rep("[", n), M),
    "md: [a]( unclosed links": lambda n: (rep("[a](", n), M),
    "md: ![ images": lambda n: (rep("![a](b) ", n), M),
    "md: inline links": lambda n: (rep("[a](https://x.example/p?q=1) ", n), M),
    "md: autolinks": lambda n: (rep("<https://x.example/p> ", n), M),
    "md: raw html inline": lambda n: (rep("<span>x</span> ", n), M),
    "md: html block": lambda n: (rep("<div>\nx\n</div>\n\n", n), M),
    "md: table rows": lambda n: (rep("| a | b | c |\n", n, "| h | h | h |\n|---|---|---|\n"), M),
    "md: table wide": lambda n: ("|" + "a|" * (n // 4) + "\n|" + "-|" * (n // 4) + "\n", M),
    "md: &amp; run": lambda n: (rep("&amp;", n), M),
    "md: raw & run": lambda n: (rep("& ", n), M),
    "md: backslash escapes": lambda n: (rep("\\*", n), M),
    "md: hard breaks": lambda n: (rep("a  \n", n), M),
    "md: setext headings": lambda n: (rep("a\n=\n", n), M),
    "md: many ~~strike~~": lambda n: (rep("~~a~~ ", n), M),
    "md: unclosed ~~": lambda n: (rep("~~a ", n), M),
    "md: <!-- comments -->": lambda n: (rep("<!-- x --> ", n), M),
    "md: long line no spaces": lambda n: (rep("a", n), M),
    "md: whitespace only lines": lambda n: (rep("   \n", n), M),
    "md: 1000-space indent lines": lambda n: (rep(" " * 1000 + "x\n", n), M),
}


def rep_refs(n: int) -> str:
    out, total, i = [], 0, 0
    while total < n:
        s = f"[r{i}]: https://x.example/{i}\n"
        out.append(s)
        total += len(s)
        i += 1
    return "".join(out) + "\n" + "".join(f"[r{j}] " for j in range(0, i, max(1, i // 1000)))


def backticks(n: int) -> str:
    out, total, k = [], 0, 1
    while total < n:
        s = "`" * k + " a "
        out.append(s)
        total += len(s)
        k += 1
    return "".join(out)

CASES.update({
    "html: comments with tails": lambda n: (rep("<!-- x --> t", n, "<p>", "</p>"), H),
    "html: dropped <script> w/ tails": lambda n: (rep("<script>x</script> t", n, "<p>", "</p>"), H),
    "html: dropped <img> (no src) w/ tails": lambda n: (rep("<img alt=x> t", n, "<p>", "</p>"), H),
    "html: unwrapped <input> w/ tails": lambda n: (rep("<input value=x> t", n, "<p>", "</p>"), H),
    "html: unwrapped <embed> w/ tails": lambda n: (rep("<embed src=x> t", n, "<p>", "</p>"), H),
    "html: <!-- more --> w/ tails": lambda n: (rep("<!-- more --> t", n, "<p>", "</p>"), H),
    "html: iframes (bad host)": lambda n: (rep('<iframe src="https://evil.example/x"></iframe> t', n, "<p>", "</p>"), H),
    "html: long srcset": lambda n: ('<img src="a.jpg" srcset="' + rep("/i/1.jpg 1x, ", n) + '">', H),
    "html: unclosed <b>": lambda n: (rep("<b>x", n), H),
    "html: misnested <b><i></b></i>": lambda n: (rep("<b><i>x</b>y</i>", n), H),
    "html: unclosed <a>": lambda n: (rep("<a href=/x>x", n), H),
    "html: unclosed <p>": lambda n: (rep("<p>x", n), H),
    "html: unclosed <li>": lambda n: (rep("<li>x", n), H),
    "html: nested tables": lambda n: (rep("<table><tr><td>", n), H),
    "html: many </p> strays": lambda n: (rep("</p>", n), H),
    "html: many <br>": lambda n: (rep("x<br>", n), H),
    "html: pre text w/ &amp;": lambda n: (rep("a &amp; b\n", n, "<pre>", "</pre>"), H),
    "html: CDATA runs": lambda n: (rep("<![CDATA[x]]>", n, "<p>", "</p>"), H),
    "html: PIs": lambda n: (rep("<?x y?> t", n, "<p>", "</p>"), H),
    "html: many empty spans (lead img)": lambda n: (rep("<span></span>", n, "", '<img src="https://site.example/lead.jpg">'), H),
    "html: text inside table w/ &amp;": lambda n: (rep("a&amp;b ", n, "<table>", "<tr><td>x</td></tr></table>"), H),
    "html: iframe content w/ &amp;": lambda n: (rep("a&amp;b ", n, '<iframe src="https://www.youtube.com/embed/x">', "</iframe>"), H),
    "html: whitespace only": lambda n: (rep(" \n", n), H),
    "html: many <p> w/ 200 &amp;": lambda n: (rep("<p>" + "x&amp;" * 200 + "</p>", n), H),
})

CASES.update({
    "html: xmp w/ raw &": lambda n: (rep("&", n, "<xmp>", "</xmp>"), H),
    "html: noembed w/ raw &": lambda n: (rep("&", n, "<noembed>", "</noembed>"), H),
    "html: many attrs, many elements": lambda n: (rep("<p " + " ".join(f"a{i}" for i in range(150)) + ">x</p>", n), H),
    "html: raw & spaced": lambda n: (rep("& ", n, "<p>", "</p>"), H),
    "html: nbsp run (raw)": lambda n: (rep("\u00a0", n, "<p>", "</p>"), H),
    "html: many titled <p> (&amp; 150)": lambda n: (rep('<p title="' + "a&amp;" * 150 + '">x</p>', n), H),
})


def run(name: str, size: float, timeout: float) -> str:
    """One shape in a process of its own: its seconds, or why it has none."""
    root = str(Path(__file__).resolve().parent.parent)
    try:
        done = subprocess.run([sys.executable, "-c", CHILD, name, str(size), root],
                              capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return f">{timeout:g}"
    if done.returncode:
        return "error: " + (done.stderr.strip().splitlines() or ["?"])[-1]
    return f"{json.loads(done.stdout)[0]:.3f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=float, default=1e7, help="bytes of each body")
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--match", action="append", default=[], help="only shapes naming this")
    args = parser.parse_args()
    worst, over = 0.0, 0
    started = time.perf_counter()
    for name in CASES:
        if args.match and not any(m in name for m in args.match):
            continue
        result = run(name, args.size, args.timeout)
        seconds = float(result.lstrip(">")) if result[0] in ">0123456789" else args.timeout
        worst = max(worst, seconds)
        over += seconds > BUDGET
        print(f"{name:38} {result:>8} s{'  OVER' if seconds > BUDGET else ''}", flush=True)
    print(f"worst {worst:.2f} s; {over} over the {BUDGET:g} s budget "
          f"({time.perf_counter() - started:.0f} s in all)")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
