"""Whole folders for the fuzz checks (``test_fuzz.py``): good articles beside hostile ones
whose title, body, categories, tags, author, link, id, dates, encoding and file name are drawn
from hostile strategies, built for real, and what was written checked the way readers see it.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import unicodedata
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import feedparser
import lxml.html
import yaml
from hypothesis import strategies as st
from lxml import etree

from feeder.build import build, check
from feeder.config import load

from .test_fuzz import HTML, TEXT, TRIED, URLS, VALUE, XML_ILLEGAL

GOOD = 3
NAME_PIECES = ["new\nline", "tab\there", "back\\slash", "CON", "aux", "nul", "LPT1", "COM9",
               "evil\u202egpj", "zero\u200bwidth", "c1\x85ctl", "bom\ufeff", "中文名", "a b",
               "x" * 120, "a.b", "trailing.", "trailing ", "%2e%2e", "#hash", "?q", "pct%",
               "caf\u00e9", "cafe\u0301", "\u2028sep", "tilde~", "-dash", "_"]
NAME = st.lists(st.sampled_from(NAME_PIECES), min_size=1, max_size=3).map("".join).filter(
    lambda n: n not in (".", "..") and len(n.encode()) < 200)
# a file name as bytes: text, or bytes that are not UTF-8 (a zip from another system)
FILE_NAME = st.one_of(NAME.map(lambda n: n.encode() + b".md"),
                      st.sampled_from([b"\xff\xfe", b"\xc3(", b"caf\xe9", b"\xb9\xfa"]).map(
                          lambda n: n + b".md"))
FOLDER_NAME = st.one_of(st.just(b""), NAME.map(lambda n: n.encode() + b"/"))
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "gb18030", "big5", "shift_jis", "euc-kr",
             "cp1252", "latin-1"]
# most hostile articles must get through to the feeds: a title that is text, a date that is
# one, or mostly so
TITLE = st.one_of(TEXT, TEXT, TEXT, VALUE)      # VALUE holds None: no title at all
FIELDS = {"date": st.one_of(st.sampled_from([
    "2022-01-13 10:30", "2021-06-01", "Thu, 13 Jan 2022 10:30:07 GMT"]), TEXT, st.sampled_from([
        "2022-02-30", "0001-01-01", "9999-12-31 23:59:59", "1e309",
        "2022-01-13 10:30 Mars/Base", "-62135596800", "253402300800"])), "updated": TEXT,
    "categories": VALUE, "tags": VALUE,
    "author": VALUE, "link": st.one_of(TEXT, st.sampled_from(URLS)), "id": TEXT,
    "permalink": st.one_of(TEXT, st.sampled_from(["../../x/", "/a/./b/../", "..", "a b/"])),
    "headimg": st.one_of(TEXT, st.sampled_from(URLS)), "description": TEXT, "lang": TEXT}
META = st.fixed_dictionaries({"title": TITLE}, optional=FIELDS)


@st.composite
def hostile_article(draw: Any) -> tuple[bytes, bytes]:
    """(path below the source folder, bytes) of one hostile article."""
    meta = draw(META)
    try:
        head = yaml.safe_dump(meta, allow_unicode=True)
    except yaml.YAMLError:      # what PyYAML will not write: the fields raw, line by line
        head = "".join(f"{key}: {value}\n" for key, value in meta.items())
    text = f"---\n{head}---\n{draw(st.one_of(HTML, TEXT))}\n"
    encoding = draw(st.sampled_from(ENCODINGS))
    data = (text.encode("utf-8", "surrogatepass") if encoding == "utf-8"
            else text.encode(encoding, "replace"))
    if draw(st.booleans()):
        data += draw(st.binary(max_size=40))      # stray bytes in the body
    return draw(FOLDER_NAME) + draw(FILE_NAME), data


FOLDER = st.lists(hostile_article(), min_size=1, max_size=3, unique_by=lambda a: a[0])


def good_articles() -> dict[bytes, bytes]:
    return {f"good-{n}.md".encode(): (
        f"---\ntitle: Good {n}\ndate: 2022-01-0{n + 1}\ncategories: [Good]\n---\n"
        f"<p>good body {n} <a href='/rel/{n}'>link</a></p>\n").encode() for n in range(GOOD)}


def check_folder(hostile: list[tuple[bytes, bytes]]) -> None:
    """The folder builds without an exception, every good article is published, every file
    written is valid, every path and URL in it is safe, and the source is as it was."""
    TRIED["check_folder"] += 1
    root = Path(tempfile.mkdtemp(prefix="feeder-fuzz-"))
    try:
        source = os.fsencode(root / "articles")
        files = good_articles() | dict(hostile)
        for rel, data in files.items():
            path = os.path.join(source, rel)     # noqa: PTH118
            os.makedirs(os.path.dirname(path), exist_ok=True)    # noqa: PTH103, PTH120
            with open(path, "wb") as f:          # noqa: PTH123
                f.write(data)
        before = snapshot(source)
        (root / "config.toml").write_text(
            '[site]\nbase_url = "https://site.example/blog/"\ntimezone = "Asia/Shanghai"\n'
            '[source]\npath = "articles"\n[output]\npath = "public"\nlimit = 1000\n'
            'future = "publish"\n[feeds_by]\ntags = true\nauthors = true\n',
            encoding="utf-8")
        cfg = load(root / "config.toml")
        report = build(cfg)
        reading = check(cfg)
        assert ({p.path for p in report.reading.skipped}
                == {p.path for p in reading.skipped}), (report.reading, reading)
        out = root / "public"
        titles = {i["title"] for i in json.loads((out / "feed.json").read_bytes())["items"]}
        assert {f"Good {n}" for n in range(GOOD)} <= titles
        atom = {e.title for e in feedparser.parse((out / "atom.xml").read_bytes()).entries}
        assert {f"Good {n}" for n in range(GOOD)} <= atom
        for path in sorted(out.rglob("*")):
            if path.is_file():
                check_file(out, path)
        assert before == snapshot(source)
    finally:
        shutil.rmtree(root)


def snapshot(folder: bytes) -> dict[bytes, bytes]:
    found = {}
    for top, _, names in os.walk(folder):
        for name in names:
            path = os.path.join(top, name)       # noqa: PTH118
            with open(path, "rb") as f:          # noqa: PTH123
                found[path] = f.read()
    return found


UNSAFE_CATEGORIES = ("Cc", "Cf", "Cs", "Zl", "Zp")
RESERVED = {"con", "prn", "aux", "nul", *(f"com{n}" for n in range(10)),
            *(f"lpt{n}" for n in range(10))}


def check_file(out: Path, path: Path) -> None:
    """One written file: inside the output, a safe path, valid as what it is, and every
    URL in it one that parses."""
    assert path.resolve().is_relative_to(out.resolve()), path
    for part in path.relative_to(out).parts:
        assert "\\" not in part and part not in (".", ".."), path
        assert not any(unicodedata.category(c) in UNSAFE_CATEGORIES for c in part), path
        assert part.split(".")[0].lower() not in RESERVED, path
    data = path.read_bytes()
    text = data.decode("utf-8")
    assert not XML_ILLEGAL.search(text), path
    if path.suffix in (".xml", ".opml", ".xsl"):
        tree = etree.fromstring(data, etree.XMLParser(recover=False))
        urls = [v for el in tree.iter() for k, v in el.attrib.items()
                if k in ("href", "url", "xmlUrl", "htmlUrl")]
        urls += [el.text or "" for el in tree.iter("link", "{*}link") if not el.attrib]
        html = [el.text or "" for el in tree.iter("{*}encoded", "{*}content")]
    elif path.suffix == ".json":
        feed = json.loads(text)
        urls = [feed["feed_url"], feed["home_page_url"]] + [
            u for item in feed["items"] for u in (item["url"], item.get("image", ""))]
        html = [item.get("content_html", "") for item in feed["items"]]
    else:
        urls, html = [], [text]
    for markup in html:
        if markup.strip():
            doc = lxml.html.fromstring(markup)
            urls += [v for el in doc.iter() for k, v in el.attrib.items()
                     if k in ("href", "src", "poster")]
            urls += [c.split()[0] for el in doc.iter() for c in el.get("srcset", "").split(",")
                     if c.strip()]
    for url in urls:
        assert url == url.strip() and not any(c.isspace() for c in url), (path, url)
        assert not any(unicodedata.category(c) in UNSAFE_CATEGORIES for c in url), (path, url)
        urlsplit(url).port      # noqa: B018 (raises for a URL that does not parse)
