"""Reading uploaded files and pasted text into source texts (argmap/sourcefiles.py)."""

import datetime
import socket

import pytest

from argmap.sourcefiles import (
    MAX_UPLOAD_BYTES,
    SourceFileError,
    check_text,
    extract_html,
    pasted_text,
    read_upload,
)

ARTICLE_HTML = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Minsk hedges its bets | The Eastern Review</title>
  <meta name="author" content="Olga Ivanova">
  <meta property="og:title" content="Minsk hedges its bets">
  <meta property="og:site_name" content="The Eastern Review">
  <meta property="article:published_time" content="2023-03-14T08:00:00Z">
  <link rel="canonical" href="https://eastern-review.example/2023/03/minsk-hedges">
  <script>window.dataLayer = [];</script>
</head>
<body>
  <header>
    <nav><ul><li><a href="/">Home</a></li><li><a href="/world">World news</a></li>
      <li><a href="/subscribe">Subscribe for €1 a week</a></li></ul></nav>
  </header>
  <main>
    <article>
      <h1>Minsk hedges its bets</h1>
      <p>Lukashenko has kept the relay stations running while publicly praising the Kremlin, a balancing act that
         diplomats in Minsk describe as “deliberately ambiguous”.</p>
      <p>Officials insist that Belarus remains Russia's closest ally. Yet the customs service quietly reopened two
         border crossings to Polish lorries in February, and state media stopped repeating Moscow's talking points
         about sanctions &amp; tariffs.</p>
      <p>“We trade with everyone who trades with us,” a deputy minister said at a press conference on Tuesday, adding
         that the country would not be dragged into anyone else's war.</p>
    </article>
  </main>
  <aside><h2>Most read</h2><ul><li><a href="/a">Ten things about tractors</a></li></ul></aside>
  <footer>
    <p>© 2023 The Eastern Review. All rights reserved.</p>
    <p><a href="/privacy">Privacy policy</a> · <a href="/cookies">Cookie settings</a></p>
  </footer>
</body>
</html>
"""


# Pasted text


def test_it_turns_the_browsers_crlf_back_into_lf_in_pasted_text():
    assert pasted_text("One.\r\nTwo.\r\n\r\nThree.") == "One.\nTwo.\n\nThree."


def test_it_keeps_pasted_text_otherwise_verbatim():
    text = "  indented\n\ttab, “quotes” & <b>markup</b> 🙂\n\n"
    assert pasted_text(text) == text


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "The text is empty."),
        (" \n\t\n", "The text is empty."),
        ("a\x00b", "NUL character"),
        ("broken \ud800 surrogate", "lone surrogate"),
    ],
)
def test_it_refuses_unusable_text(text, message):
    with pytest.raises(SourceFileError, match=message):
        check_text(text)


def test_it_refuses_a_text_over_the_limit(monkeypatch):
    monkeypatch.setattr("argmap.sourcefiles.MAX_TEXT_CHARS", 10)
    check_text("x" * 10)
    with pytest.raises(SourceFileError, match="11 characters; a source can have at most 10"):
        check_text("x" * 11)


# Uploaded text files


def test_it_keeps_an_uploaded_text_file_verbatim_line_endings_included():
    data = "Title\r\n\r\nFirst line.\r\nSecond “line” — ünïcode.\r\n".encode()
    assert read_upload("article.txt", data).text == "Title\r\n\r\nFirst line.\r\nSecond “line” — ünïcode.\r\n"


def test_it_drops_a_utf8_byte_order_mark():
    assert read_upload("notes.md", "\ufeff# Heading\n\nBody *text*.\n".encode()).text == "# Heading\n\nBody *text*.\n"


def test_it_reads_extensions_in_any_case():
    assert read_upload("ARTICLE.TXT", b"Plain text.").text == "Plain text."


@pytest.mark.parametrize("name", ["article.pdf", "article.docx", "article", "article.txt.exe", "photo.jpeg"])
def test_it_refuses_other_extensions(name):
    with pytest.raises(SourceFileError, match=r"upload a \.txt, \.md or \.html file"):
        read_upload(name, b"Some text.")


def test_it_refuses_a_file_over_the_size_limit():
    with pytest.raises(SourceFileError, match="the limit is 2 MB"):
        read_upload("big.txt", b"a" * (MAX_UPLOAD_BYTES + 1))
    assert read_upload("just-fits.txt", b"a" * MAX_UPLOAD_BYTES).text == "a" * MAX_UPLOAD_BYTES


@pytest.mark.parametrize("data", [b"", b"  \r\n\t "])
def test_it_refuses_an_empty_file(data):
    with pytest.raises(SourceFileError, match="empty"):
        read_upload("empty.txt", data)


def test_it_says_which_encoding_it_expects():
    with pytest.raises(SourceFileError, match=r"not UTF-8 text \(byte 4 .*UTF-8, with or without a byte order mark"):
        read_upload("latin1.txt", "Café au lait".encode("latin-1"))


def test_it_refuses_encoded_surrogates_as_invalid_utf8():
    with pytest.raises(SourceFileError, match="not UTF-8"):
        read_upload("surrogate.txt", b"before \xed\xa0\x80 after")


def test_it_names_utf16_files():
    with pytest.raises(SourceFileError, match="UTF-16"):
        read_upload("notepad.txt", "Hello".encode("utf-16"))


@pytest.mark.parametrize(
    "data, kind",
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3 binary", "a PDF"),
        (b"PK\x03\x04\x14\x00\x06\x00", "a Word document"),
        (b"\x89PNG\r\n\x1a\n", "a PNG image"),
        (b"text\x00with\x00nuls", "a binary file"),
    ],
)
def test_it_refuses_binary_files_saying_what_they_look_like(data, kind):
    with pytest.raises(SourceFileError, match=kind):
        read_upload("renamed.txt", data)


def test_it_refuses_nul_bytes_in_html_too():
    with pytest.raises(SourceFileError, match="binary"):
        read_upload("page.html", b"<html>\x00</html>")


# Web pages


def test_it_extracts_the_main_text_of_a_web_page_without_its_boilerplate():
    extracted = read_upload("minsk.html", ARTICLE_HTML.encode())
    assert "Lukashenko has kept the relay stations running" in extracted.text
    assert "about sanctions & tariffs." in extracted.text
    assert "anyone else's war." in extracted.text
    for boilerplate in ["World news", "Subscribe for", "Ten things about tractors", "All rights reserved",
                        "Privacy policy", "Cookie settings", "dataLayer"]:
        assert boilerplate not in extracted.text
    assert "<p>" not in extracted.text and "&amp;" not in extracted.text


def test_it_takes_the_pages_own_metadata():
    extracted = read_upload("minsk.html", ARTICLE_HTML.encode())
    assert extracted.title == "Minsk hedges its bets"
    assert extracted.author == "Olga Ivanova"
    assert extracted.publisher == "The Eastern Review"
    assert extracted.published_on == datetime.date(2023, 3, 14)
    assert extracted.url == "https://eastern-review.example/2023/03/minsk-hedges"


def test_it_extracts_without_touching_the_network(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the extraction tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    assert "relay stations" in extract_html(ARTICLE_HTML).text


def test_it_reads_a_page_in_the_encoding_it_declares():
    html = ARTICLE_HTML.replace('charset="utf-8"', 'charset="windows-1251"').replace(
        "Officials insist", "Чиновники настаивают: Officials insist"
    ).replace("€", "").replace("©", "").replace("“", '"').replace("”", '"')
    text = read_upload("minsk-1251.html", html.encode("windows-1251")).text
    assert "Чиновники настаивают" in text


def test_it_refuses_a_page_that_is_neither_utf8_nor_declares_its_encoding():
    html = "<html><body><article><p>Café crème, " + "long enough text. " * 20 + "</p></article></body></html>"
    with pytest.raises(SourceFileError, match="not UTF-8 and does not declare its encoding"):
        read_upload("page.htm", html.encode("latin-1"))


@pytest.mark.parametrize("html", [
    "<html><head><title>App</title></head><body><div id='app'></div><script>render()</script></body></html>",
    "<html><head><title>Nothing</title></head><body>  </body></html>",
])
def test_it_refuses_a_page_with_no_article_text(html):
    with pytest.raises(SourceFileError, match="no article text"):
        read_upload("shell.html", html.encode())


def test_it_leaves_scripts_out_of_the_text():
    html = ARTICLE_HTML.replace("<p>Officials", "<script>alert('x')</script><p>Officials")
    assert "alert" not in read_upload("minsk.html", html.encode()).text
