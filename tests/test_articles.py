"""Loader: every format, front matter, titles, dates, and bad input as warnings (never raises)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.core.errors import InputError
from index.sources.article import headline, parse_published, split_front_matter
from index.sources.files import load_articles


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def test_seed_folder_loads_both_articles_with_stem_ids(seed_dir):
    result = load_articles([seed_dir])
    assert [a.id for a in result.articles] == ["000_c3020e762289b85b", "001_fed5e9e3e43d509c"]
    assert result.warnings == () and result.skipped == 0
    first, second = result.articles
    assert first.title.startswith("'Not under discussion': Kremlin denies preparations")
    assert second.title is None  # first line is a full sentence, not a headline
    assert first.text == (seed_dir / "000_c3020e762289b85b.txt").read_text(encoding="utf-8")
    assert result.files == tuple(str((seed_dir / f"{a.id}.txt").resolve()) for a in result.articles)
    assert first.path == result.files[0]


def test_txt_keeps_text_verbatim_and_strips_only_a_bom(tmp_path):
    raw = "Headline here\n\n  Body  with   odd\tspacing.\r\nEnd.\n"
    write(tmp_path / "a.txt", b"\xef\xbb\xbf" + raw.encode())
    [article] = load_articles([tmp_path / "a.txt"]).articles
    # verbatim but for line endings (CR LF → LF: a bare CR rewrites a terminal line)
    assert article.text == raw.replace("\r\n", "\n") and article.title == "Headline here"


@pytest.mark.parametrize("first_line, title", [
    ("Kremlin denies talks", "Kremlin denies talks"),
    ("'Not under discussion': Kremlin denies talks", "'Not under discussion': Kremlin denies talks"),
    ("Is peace near?", None),
    ("The talks ended on Sunday.", None),
    ("He said \"no.\"", None),
    ("Ushakov said:", None),
    ("2025", None),
    ("x" * 151, None),
])
def test_headline_rule(first_line, title):
    assert headline(f"{first_line}\nThe body of the story follows here.") == title


def test_one_line_file_has_no_title():
    assert headline("Just one line of text") is None


def test_markdown_front_matter(tmp_path):
    write(tmp_path / "story.md", "---\ntitle: \"Talks in Miami\"\nsource: Kyiv Independent\n"
          "url: https://example.com/a\npublished: Dec 21, 2025\n---\nBody starts here.\n")
    [article] = load_articles([tmp_path]).articles
    assert (article.id, article.title, article.source, article.url, article.published) == (
        "story", "Talks in Miami", "Kyiv Independent", "https://example.com/a", "2025-12-21")
    assert article.text == "Body starts here.\n"


def test_markdown_without_front_matter_uses_heading(tmp_path):
    write(tmp_path / "n.md", "# Peace plan shrinks\n\nNow twenty points.\n")
    [article] = load_articles([tmp_path]).articles
    assert article.title == "Peace plan shrinks" and article.text.startswith("# Peace plan")
    assert split_front_matter("no front matter") == ({}, "no front matter")


def test_html_text_title_and_meta_date(tmp_path):
    write(tmp_path / "page.html", """<!doctype html><html><head><title>Kremlin denies talks</title>
        <meta property="article:published_time" content="2025-12-21T09:30:00Z">
        <meta property="og:site_name" content="Kyiv Independent"><style>p{color:red}</style>
        <script>var tracking = "do not index";</script></head>
        <body><nav>Home | World</nav><p>Yuri   Ushakov denied
        the talks.</p><p>Delegations rushed to <b>Miami</b>.</p></body></html>""")
    [article] = load_articles([tmp_path / "page.html"]).articles
    assert article.title == "Kremlin denies talks" and article.source == "Kyiv Independent"
    assert article.published == "2025-12-21T09:30:00+00:00"
    assert article.text == "Yuri Ushakov denied the talks.\n\nDelegations rushed to Miami."
    assert "tracking" not in article.text and "Home" not in article.text


def test_html_time_element_date(tmp_path):
    write(tmp_path / "t.htm", "<html><body><h1>Head</h1><time datetime='2025-12-20'>Saturday</time>"
          "<p>Text.</p></body></html>")
    [article] = load_articles([tmp_path]).articles
    assert article.published == "2025-12-20" and article.title == "Head"


def test_html_prefers_article_element_and_json_ld_date(tmp_path):
    write(tmp_path / "ld.html", """<html><body><header><h1>Peace plan shrinks</h1></header>
        <script type="application/ld+json">{"@graph": [{"@type": "NewsArticle",
          "datePublished": "2025-12-19T08:00:00-05:00"}]}</script>
        <div class="promo">Subscribe now</div>
        <article><p>The plan now has twenty points.</p><ul><li>Security</li><li>Territory</li></ul></article>
        </body></html>""")
    [article] = load_articles([tmp_path]).articles
    assert article.title == "Peace plan shrinks" and article.published == "2025-12-19T08:00:00-05:00"
    assert article.text == "The plan now has twenty points.\n\nSecurity\n\nTerritory"


def test_html_without_text_is_skipped(tmp_path):
    write(tmp_path / "blank.html", "<html><head><title>T</title></head><body><script>x()</script></body></html>")
    result = load_articles([tmp_path])
    assert result.articles == () and result.skipped == 1 and "blank.html" in result.warnings[0]


def test_json_object_list_ids_and_fields(tmp_path):
    write(tmp_path / "feed.json", json.dumps([
        {"title": "One", "body": "First story.", "published_at": "2025-12-21T10:00:00+01:00", "id": 17},
        {"content": "Second story.", "source": {"name": "Reuters"}, "link": "https://r.example/2"},
        {"title": "No text here"},
    ]))
    result = load_articles([tmp_path])
    assert [a.id for a in result.articles] == ["17", "feed#2"]
    one, two = result.articles
    assert (one.title, one.text, one.published) == ("One", "First story.", "2025-12-21T10:00:00+01:00")
    assert (two.source, two.url) == ("Reuters", "https://r.example/2")
    assert result.skipped == 1 and "feed.json record 3" in result.warnings[0] and "no text" in result.warnings[0]


def test_jsonl_malformed_line_is_skipped_with_file_and_line(tmp_path):
    write(tmp_path / "f.jsonl", '{"text": "Good one."}\n{"text": broken\n\n{"body": "Good two."}\n'
          '{"title": "empty", "text": "   "}\n[1, 2]\n')
    result = load_articles([tmp_path / "f.jsonl"])
    assert [a.id for a in result.articles] == ["f#1", "f#3"]  # numbering counts the bad line
    assert result.skipped == 3
    assert any("f.jsonl:2" in w and "malformed JSON" in w for w in result.warnings)
    assert any("f.jsonl:5" in w and "no text" in w for w in result.warnings)
    assert any("f.jsonl:6" in w and "JSON object" in w for w in result.warnings)


def test_malformed_json_file_is_skipped_not_raised(tmp_path):
    write(tmp_path / "bad.json", '{"text": "a",\n "title": }')
    result = load_articles([tmp_path])
    assert result.articles == () and result.skipped == 1 and "bad.json:2" in result.warnings[0]


def test_csv_text_column_like_the_benchmark_corpus(tmp_path):
    write(tmp_path / "bbc.csv", 'category,text\nSports,"tigers wary of farrell, gamble"\nPolitics,\n'
          'Politics,"blair, brown and the budget"\n')
    result = load_articles([tmp_path])
    assert [(a.id, a.text) for a in result.articles] == [
        ("bbc#1", "tigers wary of farrell, gamble"), ("bbc#3", "blair, brown and the budget")]
    assert result.skipped == 1 and "bbc.csv:3" in result.warnings[0]
    write(tmp_path / "x.csv", "a,b\n1,2\n")
    assert "no text column" in load_articles([tmp_path / "x.csv"]).warnings[0]


def test_empty_file_is_skipped_with_a_warning(tmp_path):
    write(tmp_path / "empty.txt", "  \n\t\n")
    result = load_articles([tmp_path])
    assert result.articles == () and result.skipped == 1
    assert "empty.txt" in result.warnings[0] and "empty" in result.warnings[0]
    assert result.files == (str((tmp_path / "empty.txt").resolve()),)  # still considered (no prune)


def test_non_utf8_bytes_are_replaced_with_a_warning(tmp_path):
    write(tmp_path / "latin.txt", "Caf\xe9 talks resume\nThe envoy arrived.\n".encode("latin-1"))
    result = load_articles([tmp_path])
    [article] = result.articles
    assert article.text.startswith("Caf\ufffd talks") and result.skipped == 0
    assert len(result.warnings) == 1 and "latin.txt" in result.warnings[0] and "UTF-8" in result.warnings[0]


def test_binary_and_unknown_files(tmp_path):
    write(tmp_path / "blob.txt", b"\x00\x01\x02binary")
    write(tmp_path / "photo.png", b"\x89PNG\r\n")
    write(tmp_path / ".DS_Store", b"\x00\x00")
    write(tmp_path / ".git" / "HEAD.txt", "ref: refs/heads/main\nmore\n")
    write(tmp_path / "ok.txt", "A story.\n")
    result = load_articles([tmp_path])
    assert [a.id for a in result.articles] == ["ok"]
    assert result.skipped == 1 and "blob.txt" in result.warnings[0] and "binary" in result.warnings[0]
    named = load_articles([tmp_path / "photo.png"])
    assert named.skipped == 1 and "photo.png" in named.warnings[0] and "unknown file type" in named.warnings[0]


def test_folder_walk_is_recursive_and_sorted(tmp_path):
    for name in ["b/2.txt", "a/9.txt", "a/10.md", "c.txt"]:
        write(tmp_path / name, f"Story {name}.\n")
    ids = [a.id for a in load_articles([tmp_path]).articles]
    assert ids == ["10", "9", "2", "c"]


def test_duplicate_ids_keep_the_first(tmp_path):
    write(tmp_path / "a" / "same.txt", "First.\n")
    write(tmp_path / "b" / "same.md", "Second.\n")
    result = load_articles([tmp_path])
    assert [a.text for a in result.articles] == ["First.\n"]
    assert result.skipped == 1 and "same" in result.warnings[0] and "b" in result.warnings[0]


def test_missing_path_raises_input_error_naming_it(tmp_path):
    with pytest.raises(InputError, match="nowhere") as err:
        load_articles([tmp_path / "nowhere"])
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("raw, iso", [
    ("2025-12-21", "2025-12-21"),
    ("Dec. 21, 2025", "2025-12-21"),
    ("Sun, 21 Dec 2025 14:30:00 GMT", "2025-12-21T14:30:00+00:00"),
    ("2025-12-21T10:00:00.250Z", "2025-12-21T10:00:00.250000+00:00"),
    ("2025-12-21 14:30", "2025-12-21T14:30:00"),
    ("December 2025", "2025-12"),
    ("2025", "2025"),
    ("20251221", "2025-12-21"),
    ("Monday", None),
    ("Dec 21", None),
    ("yesterday", None),
    ("2025-13-45", None),
    ("", None),
    (None, None),
    (1766311200, "2025-12-21T10:00:00+00:00"),
])
def test_published_dates_are_normalised_never_invented(raw, iso):
    assert parse_published(raw) == iso


def test_a_file_named_twice_loads_once(tmp_path):
    write(tmp_path / "a.txt", "A story.\n")
    result = load_articles([tmp_path, tmp_path / "a.txt"])
    assert [a.id for a in result.articles] == ["a"] and result.warnings == () and len(result.files) == 1


def test_unreadable_file_is_a_warning(tmp_path):
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "gone.txt")  # listed by the walk, unreadable
    write(tmp_path / "ok.txt", "A story.\n")
    result = load_articles([tmp_path])
    assert [a.id for a in result.articles] == ["ok"]
    assert result.skipped == 1 and "dangling.txt" in result.warnings[0] and "cannot read" in result.warnings[0]


def test_gzipped_jsonl_is_read_as_it_is(tmp_path):
    import gzip

    from index.sources.files import load_articles

    with gzip.open(tmp_path / "dump.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.write('{"id": "n1", "title": "Bridge reopens", "published": "2024-03-02", "text": "The bridge reopened."}\n')
        fh.write('{"id": "n2", "text": "Ferries resumed on Monday."}\n')
    (tmp_path / "broken.jsonl.gz").write_bytes(b"not gzip at all")
    out = load_articles([tmp_path])
    assert [a.id for a in out.articles] == ["n1", "n2"]
    assert out.articles[0].title == "Bridge reopens" and out.articles[0].published == "2024-03-02"
    assert len(out.warnings) == 1 and "broken.jsonl.gz" in out.warnings[0] and "gzip" in out.warnings[0]
