"""Readers: every supported format, encodings, errors, stable ids, dates, folders."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from graph.model import Article
from ingest.readers import (ReadError, iter_files, normalise_date, normalise_text, read_articles,
                            read_file)

from conftest import EXAMPLES


def read(path) -> list[Article | ReadError]:
    return list(read_articles([path]))


def only_articles(items) -> list[Article]:
    return [i for i in items if isinstance(i, Article)]


def only_errors(items) -> list[ReadError]:
    return [i for i in items if isinstance(i, ReadError)]


def one_article(path) -> Article:
    items = read(path)
    assert len(items) == 1 and isinstance(items[0], Article), items
    return items[0]


# --- .txt ------------------------------------------------------------------------

def test_txt_first_line_is_title_and_doc_is_stem(tmp_path):
    f = tmp_path / "vologda-park.txt"
    f.write_text("Парк «Северный луч» открыт\n\nВ Вологде открыли парк.\nВторая строка.\n", encoding="utf-8")
    a = one_article(f)
    assert a.title == "Парк «Северный луч» открыт"
    assert a.doc == "vologda-park"
    assert a.source == str(f)
    assert a.text.startswith("Парк «Северный луч» открыт\n\nВ Вологде")
    assert not a.text.endswith("\n")


def test_txt_text_is_normalised_for_offsets(tmp_path):
    f = tmp_path / "crlf.txt"
    f.write_bytes("Заголовок  \r\n\r\nПервый абзац.   \r\nВторой\x00 абзац.\r\n".encode("utf-8"))
    a = one_article(f)
    assert "\r" not in a.text and "\x00" not in a.text
    assert a.text == "Заголовок\n\nПервый абзац.\nВторой абзац."
    assert a.title == "Заголовок"


def test_cp1251_txt_is_decoded(tmp_path):
    text = "Губернатор Липецкой области встретился с инвесторами.\n\nАгропарк «Зелёная долина» откроется в 2025 году."
    f = tmp_path / "lipetsk.txt"
    f.write_bytes(text.encode("cp1251"))
    with pytest.raises(UnicodeDecodeError):
        f.read_bytes().decode("utf-8")  # the file really is not UTF-8
    a = one_article(f)
    assert a.text == text
    assert a.title == "Губернатор Липецкой области встретился с инвесторами."


def test_utf8_bom_is_dropped(tmp_path):
    f = tmp_path / "bom.txt"
    f.write_bytes(b"\xef\xbb\xbf" + "Заголовок с BOM\n\nТекст.".encode("utf-8"))
    a = one_article(f)
    assert a.title == "Заголовок с BOM"
    assert not a.text.startswith("\ufeff")


def test_utf8_bom_csv_header_still_has_text_column(tmp_path):
    f = tmp_path / "bom.csv"
    f.write_bytes(b"\xef\xbb\xbf" + "text,title\nТекст статьи,Заголовок\n".encode("utf-8"))
    a = one_article(f)
    assert a.text == "Текст статьи" and a.title == "Заголовок"


# --- .html -----------------------------------------------------------------------

PAGE = """<!DOCTYPE html>
<html lang="ru"><head>
<meta charset="utf-8">
<title>Заголовок вкладки — Новости Севера</title>
<meta property="article:published_time" content="2024-05-22T14:30:00+03:00">
<link rel="canonical" href="https://news.example.ru/2024/05/22/park">
<style>.x { color: red } СТИЛЬНЫЙМУСОР</style>
<script>var tracker = "СКРИПТОВЫЙМУСОР";</script>
</head><body>
<header class="site-header"><a href="/">ШАПКАСАЙТА</a></header>
<nav><ul><li><a href="/">НАВИГАЦИЯ Главная</a></li><li>Политика</li></ul></nav>
<main>
  <article>
    <h1>Тайга Металл построит завод в парке</h1>
    <div class="meta"><time datetime="2024-05-22">22 мая 2024</time></div>
    <p>ООО «Тайга Металл» стало резидентом индустриального парка.</p>
    <p>Инвестиции составят <b>1,2 млрд</b> рублей.</p>
    <script>console.log("ВНУТРЕННИЙСКРИПТ")</script>
  </article>
  <aside><h3>Читайте также</h3><p>БОКОВАЯКОЛОНКА про погоду</p></aside>
</main>
<footer><p>ПОДВАЛ © 2024 Все права защищены</p></footer>
</body></html>
"""


def test_html_main_text_only(tmp_path):
    f = tmp_path / "page.html"
    f.write_text(PAGE, encoding="utf-8")
    a = one_article(f)
    assert "ООО «Тайга Металл» стало резидентом индустриального парка." in a.text
    assert "Инвестиции составят 1,2 млрд рублей." in a.text
    for junk in ("СТИЛЬНЫЙМУСОР", "СКРИПТОВЫЙМУСОР", "ВНУТРЕННИЙСКРИПТ", "ШАПКАСАЙТА", "НАВИГАЦИЯ",
                 "БОКОВАЯКОЛОНКА", "Читайте также", "ПОДВАЛ", "color"):
        assert junk not in a.text, junk
    assert a.title == "Тайга Металл построит завод в парке"
    assert a.text.startswith(a.title)  # the headline leads the text, once
    assert a.text.count(a.title) == 1
    assert a.date == "2024-05-22"
    assert a.url == "https://news.example.ru/2024/05/22/park"
    assert a.id == a.url
    assert a.doc == "page"


def test_html_headline_inside_article_header(tmp_path):
    """<article><header><h1> is the usual HTML5 markup: the headline is not site chrome."""
    f = tmp_path / "page.htm"
    f.write_text("""<html><head><title>Вкладка | Сайт</title></head><body>
        <header><nav>Меню сайта</nav></header>
        <article><header><h1>Настоящий заголовок статьи</h1></header>
        <p>Первый абзац статьи.</p></article>
        <footer>Подвал</footer></body></html>""", encoding="utf-8")
    a = one_article(f)
    assert a.title == "Настоящий заголовок статьи"
    assert a.text == "Настоящий заголовок статьи\n\nПервый абзац статьи."


def test_html_title_falls_back_to_title_tag_and_main(tmp_path):
    f = tmp_path / "plain.html"
    f.write_text("""<html><head><title>Новость без h1</title>
        <meta name="date" content="05.03.2024"></head><body>
        <nav>Меню</nav><main><p>Текст новости.</p><p>Ещё абзац.</p></main>
        <footer>Подвал</footer></body></html>""", encoding="utf-8")
    a = one_article(f)
    assert a.title == "Новость без h1"
    assert a.text == "Текст новости.\n\nЕщё абзац."
    assert "Меню" not in a.text and "Подвал" not in a.text
    assert a.date == "2024-03-05"


# --- .json / .jsonl --------------------------------------------------------------

def test_json_object(tmp_path):
    f = tmp_path / "one.json"
    f.write_text(json.dumps({"id": "rec-1", "title": "Заголовок", "date": "2024-02-08T10:00:00Z",
                             "text": "Первый абзац.\n\nВторой абзац."}, ensure_ascii=False), encoding="utf-8")
    a = one_article(f)
    assert (a.id, a.title, a.date, a.doc) == ("rec-1", "Заголовок", "2024-02-08", "rec-1")
    assert a.text == "Первый абзац.\n\nВторой абзац."


def test_json_list(tmp_path):
    f = tmp_path / "digest.json"
    records = [{"title": "Первая", "url": "https://a.example.ru/1", "text": "Текст первой."},
               {"title": "Вторая", "text": "Текст второй."}]
    f.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    items = read(f)
    assert not only_errors(items)
    a, b = only_articles(items)
    assert (a.title, a.text, a.id) == ("Первая", "Текст первой.", "https://a.example.ru/1")
    assert (b.title, b.text) == ("Вторая", "Текст второй.")
    assert b.id.startswith("sha1:")
    assert a.doc != b.doc  # records of one file get distinct doc names


def test_json_record_without_text_is_an_error_and_others_are_read(tmp_path):
    f = tmp_path / "mixed.json"
    f.write_text(json.dumps([{"title": "пусто"}, {"text": "Есть текст."}], ensure_ascii=False), encoding="utf-8")
    items = read(f)
    assert [a.text for a in only_articles(items)] == ["Есть текст."]
    (err,) = only_errors(items)
    assert str(f) in str(err) and "text" in str(err)


def test_invalid_json_file_is_a_read_error(tmp_path):
    f = tmp_path / "broken.json"
    f.write_text('{"text": "оборвано', encoding="utf-8")
    (err,) = read(f)
    assert isinstance(err, ReadError)
    assert str(f) in str(err)


def test_jsonl_bad_line_is_reported_and_other_lines_read(tmp_path):
    f = tmp_path / "batch.jsonl"
    lines = [json.dumps({"id": "b-1", "text": "Первая статья."}, ensure_ascii=False),
             "",
             "{это не json",
             json.dumps({"id": "b-2", "text": "Вторая статья.", "date": "12.10.2024"}, ensure_ascii=False)]
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = read(f)
    assert [a.id for a in only_articles(items)] == ["b-1", "b-2"]
    assert only_articles(items)[1].date == "2024-10-12"
    (err,) = only_errors(items)
    assert str(f) in str(err)
    assert "line 3" in str(err)


# --- .csv ------------------------------------------------------------------------

def test_csv_quoted_text_with_newlines(tmp_path):
    f = tmp_path / "regions.csv"
    f.write_text('id,title,url,date,text\n'
                 'csv-1,Первый,https://x.example.ru/1,2023-11-28,"Абзац один, с запятой.\n\nАбзац ""два""."\n'
                 'csv-2,Второй,,28.11.2023,Короткий текст\n', encoding="utf-8")
    items = read(f)
    assert not only_errors(items)
    a, b = only_articles(items)
    assert a.text == 'Абзац один, с запятой.\n\nАбзац "два".'
    assert (a.id, a.title, a.date) == ("https://x.example.ru/1", "Первый", "2023-11-28")
    assert (b.id, b.text, b.date) == ("csv-2", "Короткий текст", "2023-11-28")


def test_csv_without_text_column_is_a_read_error(tmp_path):
    f = tmp_path / "notext.csv"
    f.write_text("id,title,body\n1,Заголовок,Тело\n", encoding="utf-8")
    (err,) = read(f)
    assert isinstance(err, ReadError)
    assert str(f) in str(err) and "text" in str(err)


# --- errors ------------------------------------------------------------------------

def test_unsupported_suffix_is_a_read_error(tmp_path):
    f = tmp_path / "article.docx"
    f.write_bytes(b"PK\x03\x04")
    (err,) = read(f)
    assert isinstance(err, ReadError)
    assert str(f) in str(err) and ".docx" in str(err)


def test_missing_path_is_a_read_error(tmp_path):
    missing = tmp_path / "nowhere" / "news.txt"
    (err,) = read(missing)
    assert isinstance(err, ReadError)
    assert str(missing) in str(err)


@pytest.mark.parametrize("content", [b"", b"  \n\r\n\t  \n"])
def test_empty_file_is_a_read_error(tmp_path, content):
    f = tmp_path / "empty.txt"
    f.write_bytes(content)
    (err,) = read(f)
    assert isinstance(err, ReadError)
    assert str(f) in str(err)


def test_read_file_never_raises_on_unreadable_path(tmp_path):
    folder_named_like_a_file = tmp_path / "dir.txt"
    folder_named_like_a_file.mkdir()
    (err,) = list(read_file(folder_named_like_a_file))
    assert isinstance(err, ReadError) and str(folder_named_like_a_file) in str(err)


# --- ids and dates -------------------------------------------------------------------

def test_id_is_url_then_record_id_then_text_hash(tmp_path):
    f = tmp_path / "ids.jsonl"
    f.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [
        {"id": "rec-7", "url": "https://news.example.ru/7", "text": "С адресом."},
        {"id": "rec-8", "text": "Без адреса."},
        {"text": "Ни адреса, ни id."},
    ]), encoding="utf-8")
    a, b, c = only_articles(read(f))
    assert a.id == "https://news.example.ru/7"
    assert b.id == "rec-8"
    assert c.id.startswith("sha1:")
    assert c.id.removeprefix("sha1:") in hashlib.sha1(c.text.encode("utf-8")).hexdigest()


def test_text_hash_id_is_stable_and_follows_the_text(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("Заголовок\n\nТекст статьи.", encoding="utf-8")
    first = one_article(f).id
    assert one_article(f).id == first  # reading again: same id
    g = tmp_path / "copy.txt"
    g.write_text("Заголовок\n\nТекст статьи.\n", encoding="utf-8")
    assert one_article(g).id == first  # same (normalised) text elsewhere: same id
    f.write_text("Заголовок\n\nТекст статьи изменён.", encoding="utf-8")
    assert one_article(f).id != first


@pytest.mark.parametrize("raw, iso", [
    ("2024-05-22", "2024-05-22"),
    ("2024-05-22T14:30:00+03:00", "2024-05-22"),
    ("2025-01-02T00:00:00Z", "2025-01-02"),
    ("05.03.2024", "2024-03-05"),
    ("5.3.2024", "2024-03-05"),
    ("опубликовано 31.12.2023 в 10:00", "2023-12-31"),
    ("вчера", ""),
    ("", ""),
])
def test_normalise_date(raw, iso):
    assert normalise_date(raw) == iso


def test_normalise_text_keeps_paragraphs():
    assert normalise_text("\n\nА  \r\n\r\nБ\rВ\n\n") == "А\n\nБ\nВ"


# --- folders -------------------------------------------------------------------------

def test_folder_is_read_recursively_in_sorted_order_without_hidden_files(tmp_path):
    root = tmp_path / "corpus"
    (root / "b" / "deep").mkdir(parents=True)
    (root / "a").mkdir()
    (root / ".git").mkdir()
    files = {
        "z.txt": "Зет.", "a/m.txt": "Эм.", "b/deep/c.json": json.dumps({"text": "Си."}),
        "b/a.csv": "text\nЭй.\n", ".hidden.txt": "Скрытый.", ".git/config.txt": "Гит.",
        "notes.md": "Не статья.",
    }
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    found = list(iter_files([root]))
    rel = [p.relative_to(root).as_posix() for p in found]
    assert sorted(rel) == sorted(["z.txt", "a/m.txt", "b/deep/c.json", "b/a.csv"])
    assert found == sorted(found)
    texts = [a.text for a in only_articles(read(root))]
    assert sorted(texts) == sorted(["Зет.", "Эм.", "Си.", "Эй."])
    assert "Скрытый." not in texts and "Гит." not in texts
    assert texts == [a.text for a in only_articles(read(root))]  # same order every time


def test_several_paths_keep_their_order(tmp_path):
    one = tmp_path / "b.txt"
    two = tmp_path / "a.txt"
    one.write_text("Бэ.", encoding="utf-8")
    two.write_text("А.", encoding="utf-8")
    assert [a.text for a in only_articles(read_articles([one, two]))] == ["Бэ.", "А."]


# --- the example corpus ------------------------------------------------------------------

def test_examples_folder():
    items = read(EXAMPLES)
    assert not only_errors(items)
    articles = only_articles(items)
    assert len(articles) == 16
    assert len({a.id for a in articles}) == 16
    for a in articles:
        assert a.text.strip() and a.title
        assert "\r" not in a.text and "\ufffd" not in a.text
        assert a.date == "" or (len(a.date) == 10 and a.date[4] == "-" and a.date[7] == "-")
    (cp,) = [a for a in articles if a.doc.endswith("cp1251")]
    assert "Липецк" in cp.text and "«Зелёная долина»" in cp.text
    cyrillic = sum("а" <= ch.lower() <= "я" or ch in "ёЁ" for ch in cp.text)
    assert cyrillic > 0.5 * sum(ch.isalpha() for ch in cp.text)
    html = [a for a in articles if Path(a.source).suffix == ".html"]
    assert len(html) == 3
    for a in html:
        assert a.url.startswith("https://") and a.date
        assert "Реклама" not in a.text and "cookie" not in a.text
    by_format = {}
    for a in articles:
        by_format[Path(a.source).name] = by_format.get(Path(a.source).name, 0) + 1
    assert by_format["batch.jsonl"] == 4 and by_format["digest.json"] == 2 and by_format["regions.csv"] == 2


# --- nasty input: binary, wide encodings, control characters, limits, links ---------------------

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00\x1f\xf3\xffa"
ZIP = b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(range(256)) * 4
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nstream\n" + bytes(range(256)) * 4
GZIP = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + bytes(range(1, 256)) * 4
NO_SIGNATURE = bytes(range(256)) * 8  # NULs and control bytes, no known signature


@pytest.mark.parametrize("raw", [PNG, ZIP, PDF, GZIP, NO_SIGNATURE], ids=["png", "zip", "pdf", "gzip", "raw"])
def test_binary_file_named_txt_is_skipped_as_not_text(tmp_path, raw):
    f = tmp_path / "renamed.txt"
    f.write_bytes(raw)
    (err,) = read(f)
    assert isinstance(err, ReadError) and err.skipped
    assert str(f) in str(err) and "not text" in err.problem


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32", "utf-16-be", "utf-32-be"])
def test_utf16_and_utf32_with_bom_are_decoded(tmp_path, encoding):
    text = "Губернатор Липецкой области встретился с инвесторами.\n\nЗавод откроется в 2025 году."
    f = tmp_path / "wide.txt"
    bom = {"utf-16-be": b"\xfe\xff", "utf-32-be": b"\x00\x00\xfe\xff"}.get(encoding, b"")
    f.write_bytes(bom + text.encode(encoding))
    a = one_article(f)
    assert a.text == text and a.title == "Губернатор Липецкой области встретился с инвесторами."


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_detected(tmp_path, encoding):
    text = "Компания «Ока Фарма» построит завод в Калуге. Директор Ирина Соколова рассказала о планах."
    f = tmp_path / "wide.txt"
    f.write_bytes(text.encode(encoding))
    assert one_article(f).text == text


def test_cp1251_without_cyrillic_is_still_text(tmp_path):
    f = tmp_path / "latin.txt"
    f.write_bytes("Price list 2024 — No. 5, “Aurora” ltd.".encode("cp1251"))
    assert one_article(f).text.startswith("Price list 2024")


def test_control_characters_are_stripped_from_texts_and_fields(tmp_path):
    f = tmp_path / "bell.txt"
    f.write_bytes("Заголо\x07вок\x1b]0;owned\x07\n\nТекст\x08 с \x1b[2Jуправляющими\x9b\tсимволами.".encode("utf-8"))
    a = one_article(f)
    assert a.title == "Заголовок]0;owned"
    assert a.text == "Заголовок]0;owned\n\nТекст с [2Jуправляющими\tсимволами."
    g = tmp_path / "bell.jsonl"
    g.write_text(json.dumps({"id": "r\x1b-1", "url": "", "title": "Т\x07итул\nвторой", "text": "Те\x1bкст."},
                            ensure_ascii=False), encoding="utf-8")
    b = one_article(g)
    assert (b.id, b.title, b.text) == ("r-1", "Титул второй", "Текст.")


def test_html_page_without_text_is_skipped_not_stored(tmp_path):
    f = tmp_path / "empty-page.html"
    f.write_text("<html><head><title></title><script>var x = 1;</script></head><body><nav>Меню</nav>"
                 "<div></div></body></html>", encoding="utf-8")
    (err,) = read(f)
    assert isinstance(err, ReadError) and err.skipped
    assert str(f) in str(err) and "no article text" in err.problem


def test_jsonl_and_csv_record_errors_name_their_line(tmp_path):
    f = tmp_path / "lines.jsonl"
    f.write_text('{"id": "a", "text": "Первая."}\n\n{"id": "b", "title": "без текста"}\n', encoding="utf-8")
    (err,) = only_errors(read(f))
    assert str(err) == f"{f} line 3: has no 'text'"
    c = tmp_path / "rows.csv"
    c.write_text('id,text\n1,"Первая\nв две строки"\n2,\n3,Третья.\n', encoding="utf-8")
    items = read(c)
    (err,) = only_errors(items)
    assert str(err) == f"{c} line 4: has no 'text'"
    assert [a.doc for a in only_articles(items)] == ["1", "3"]


def test_file_larger_than_the_limit_is_skipped_unread(tmp_path, monkeypatch):
    f = tmp_path / "huge.txt"
    f.write_text("Слово " * 2000, encoding="utf-8")
    size = f.stat().st_size
    assert isinstance(only_articles(read_articles([f], max_bytes=size))[0], Article)
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("a file over the limit was read"))
    (err,) = read_articles([f], max_bytes=size - 1)
    assert err.skipped and str(f) in str(err)
    assert f"too large ({size:,} bytes, the limit is {size - 1:,}" in err.problem


def test_record_larger_than_the_limit_is_skipped_and_the_others_read(tmp_path):
    f = tmp_path / "feed.jsonl"
    f.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [
        {"id": "small", "text": "Коротко."}, {"id": "big", "text": "Очень длинно. " * 100}]), encoding="utf-8")
    items = list(read_articles([f], max_bytes=1000))
    assert [a.id for a in only_articles(items)] == ["small"]
    (err,) = only_errors(items)
    assert err.skipped and str(err).startswith(f"{f} line 2: too large")


def test_broken_link_in_a_folder_is_reported(tmp_path):
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "good.txt").write_text("Хорошая статья.", encoding="utf-8")
    (root / "dangling.txt").symlink_to(root / "deleted.txt")
    items = read(root)
    assert [a.text for a in only_articles(items)] == ["Хорошая статья."]
    (err,) = only_errors(items)
    assert str(root / "dangling.txt") in str(err) and "broken link" in err.problem and not err.skipped


def test_unreadable_subfolder_is_reported(tmp_path, monkeypatch):
    import os
    root = tmp_path / "corpus"
    (root / "locked").mkdir(parents=True)
    (root / "locked" / "secret.txt").write_text("Не прочесть.", encoding="utf-8")
    (root / "open.txt").write_text("Открытая статья.", encoding="utf-8")
    real = os.scandir

    def scandir(path="."):
        if Path(path) == root / "locked":  # as chmod 000 does for anyone but root
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    items = read(root)
    assert [a.text for a in only_articles(items)] == ["Открытая статья."]
    (err,) = only_errors(items)
    assert str(err) == f"{root / 'locked'}: cannot read folder (Permission denied)"


def test_link_loop_in_a_folder_ends_and_is_reported(tmp_path):
    root = tmp_path / "corpus"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "a.txt").write_text("Статья.", encoding="utf-8")
    (root / "sub" / "back").symlink_to(root)
    items = read(root)
    assert [a.text for a in only_articles(items)] == ["Статья."]
    (err,) = only_errors(items)
    assert err.skipped and "already read" in err.problem


def test_a_path_that_cannot_be_looked_at_is_an_error_and_the_rest_is_read(tmp_path, monkeypatch):
    import os
    locked = tmp_path / "locked" / "a.txt"  # its folder cannot be searched: stat fails
    good = tmp_path / "good.txt"
    good.write_text("Статья.", encoding="utf-8")
    real = os.stat

    def stat(path, *args, **kwargs):
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", stat)
    err, article = read_articles([locked, good])
    assert str(err) == f"{locked}: cannot read (Permission denied)"
    assert article.text == "Статья."


# --- any bytes in: an Article or a ReadError, nothing else ---------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

NASTY = st.one_of(
    st.binary(max_size=400),
    st.text(max_size=200).map(lambda t: t.encode("utf-8")),
    st.text(max_size=200).map(lambda t: t.encode("utf-16")),
    st.sampled_from([PNG, ZIP, PDF, GZIP, b"\xff\xfe", b"\x00\x00\xfe\xff\x00", b"{", b'{"text": 5}', b"[1, [2]]",
                     b"text\n\x00", b'"', b"<html>", "text\n«»\n".encode("cp1251")]),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=NASTY, suffix=st.sampled_from(SUFFIXES := [".txt", ".html", ".json", ".jsonl", ".csv"]))
def test_any_bytes_give_articles_or_read_errors(tmp_path, raw, suffix):
    f = tmp_path / f"any{suffix}"
    f.write_bytes(raw)
    for item in read_file(f, max_bytes=300):
        assert isinstance(item, (Article, ReadError)), item
        if isinstance(item, Article):
            assert item.text.strip() and str(f) == item.source
            assert not any(ch in item.text + item.title for ch in "\x00\x07\x08\x1b\x7f\x9b")
        else:
            assert str(f) in str(item) and item.problem
