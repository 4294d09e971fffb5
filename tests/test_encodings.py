"""Files that are not UTF-8 are read in the encoding they were written in: detected (with
beautifulsoup4's UnicodeDammit and charset-normalizer), or as ``[source] encoding`` says, and
never turned into other text in silence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from feeder.build import build, check
from feeder.config import load
from feeder.encodings import detect

# news as scrapers keep it: a title and a few sentences, in each language's usual encoding
TEXTS = {
    "big5": ("臺灣新聞：總統府今日發表談話", "行政院長表示，經濟部將於下週公布新的產業政策，"
             "協助中小企業轉型。立法院各黨團對此意見分歧，預計將在臨時會中討論。"),
    "gb18030": ("俄罗斯与北约会谈互不相让", "双方在布鲁塞尔举行了四个小时的会谈，但在乌克兰"
                "问题上分歧难弥。北约秘书长表示，对话的大门仍然敞开。"),
    "shift_jis": ("東京都で新しい条例が成立", "東京都議会は本日、新しい条例を可決しました。"
                  "知事は記者会見で、来年の四月から施行すると述べました。"),
    "euc-kr": ("서울시, 새 교통 정책 발표", "서울시는 오늘 대중교통 요금 체계를 개편하는 새로운"
               " 정책을 발표했습니다. 시민들의 의견을 수렴할 예정입니다."),
    "cp1252": ("Zürich: le café crème coûte plus cher", "Les prix à Zürich ont augmenté "
               "de 5 % cette année ; au café, une crème coûte désormais 6,50 francs. « C'est "
               "trop », déclare une habitante."),
}


def site(root: Path, files: dict[str, bytes], extra: str = "") -> Path:
    (root / "articles").mkdir(parents=True)
    for name, data in files.items():
        (root / "articles" / name).write_bytes(data)
    (root / "config.toml").write_text(
        '[source]\npath = "articles"\n' + extra + '[output]\npath = "public"\n',
        encoding="utf-8")
    return root / "config.toml"


def article(title: str, body: str) -> str:
    return (f"---\ntitle: '{title}'\ndate: 2022-01-13 10:30\ncategories: [{title[:2]}]\n---\n"
            f"<p>{body}</p>\n")


def items(root: Path) -> dict[str, str]:
    feed = json.loads((root / "public/feed.json").read_bytes())
    return {item["title"]: item.get("content_html", "") for item in feed["items"]}


def test_articles_in_legacy_encodings_publish_with_their_own_text(tmp_path: Path) -> None:
    """Big5, GB18030, Shift_JIS, EUC-KR and Windows-1252 articles, side by side."""
    config = site(tmp_path, {f"{name}.md": article(*text).encode(name)
                             for name, text in TEXTS.items()})
    report = build(load(config))
    assert {title: f"<p>{body}</p>" for title, body in TEXTS.values()} == items(tmp_path)
    assert () == report.reading.skipped
    # a Western encoding cannot be told from its neighbours with confidence: it is named
    assert {"cp1252.md"} == {p.path for p in report.reading.problems}
    assert "read as cp1252, which may be wrong" in report.reading.problems[0].message


def test_a_short_file_that_may_be_misread_says_which_encoding_it_was_read_in(
        tmp_path: Path) -> None:
    """Four Big5 characters are too few to be sure of: published, with a warning that names
    the encoding chosen, in build and check alike."""
    config = site(tmp_path, {"short.md": "---\ntitle: 臺灣新聞\ndate: 2022-01-13\n---\n"
                             .encode("big5")})
    report = build(load(config))
    warnings = {p.path: p.message for p in report.reading.problems}
    assert "not UTF-8; read as" in warnings["short.md"]
    assert warnings == {p.path: p.message for p in check(load(config)).problems}


def test_the_encoding_can_be_named_in_the_config(tmp_path: Path) -> None:
    """``[source] encoding``: every file that is not UTF-8 is read in it, without a warning;
    UTF-8 files are still UTF-8."""
    config = site(tmp_path, {"short.md": "---\ntitle: 臺灣\ndate: 2022-01-13\n---\n".encode(
        "big5"), "utf8.md": "---\ntitle: 中文\ndate: 2022-01-12\n---\n".encode()},
        'encoding = "big5"\n')
    report = build(load(config))
    assert ({"臺灣", "中文"}, ()) == (set(items(tmp_path)), report.reading.problems)


def test_a_body_in_another_encoding_than_its_front_matter_is_read_in_its_own(
        tmp_path: Path) -> None:
    title, body = TEXTS["gb18030"]
    data = f"---\ntitle: {title}\ndate: 2022-01-13\n---\n".encode() + (
        f"<p>{body}</p>\n".encode("gb18030"))
    site(tmp_path, {"mixed.md": data})
    build(load(tmp_path / "config.toml"))
    assert {title: f"<p>{body}</p>"} == items(tmp_path)


@pytest.mark.parametrize("data", [
    "<p>中文的正文，一个字节坏了：".encode() + b"\xe4\xb8" + "。后面还有很多中文。</p>".encode(),
    "标题".encode() + b"\xff",
])
def test_utf8_with_a_few_bad_bytes_stays_utf8(data: bytes) -> None:
    """Never read as a legacy encoding: the bad bytes become U+FFFD, and it is said."""
    found = detect(data)
    assert ("utf-8", False) == (found.encoding, found.trusted)
    assert found.text.startswith(data[:6].decode())


def test_what_a_build_says_of_such_a_file_is_its_own_warning_only(tmp_path: Path) -> None:
    """One line naming the file and the encoding; nothing from the libraries."""
    import subprocess
    import sys

    site(tmp_path, {"odd.md": b"---\ntitle: x\ndate: 2022-01-13\n---\n<p>\xff\xfe\x81 abc</p>\n"})
    run = subprocess.run([sys.executable, "-m", "feeder", "build"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=60, check=False)
    assert (0, 1) == (run.returncode, len(run.stderr.splitlines())), run.stderr
    assert "articles/odd.md: warning: body: not UTF-8; read as" in run.stderr
    again = subprocess.run([sys.executable, "-m", "feeder", "check"], cwd=tmp_path,
                           capture_output=True, text=True, timeout=60, check=False)
    assert "articles/odd.md: warning: body: not UTF-8; read as" in again.stdout
