"""Issue 13, second part: one article per file whichever way its path is spelled, one per url or
id within an input, names bounded the same way in both stores, a time limit per article."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from app.cli import cli

from conftest import KALUGA, VOROBYEV

EDITED = VOROBYEV + " Он посетил завод в Калуге."


def ingest(*args: str) -> tuple[int, str]:
    """`investgraph ingest --quiet ARGS` in this process: exit code and stderr."""
    result = CliRunner().invoke(cli, ["ingest", "--quiet", *args])
    return result.exit_code, result.stderr


def stats() -> dict:
    result = CliRunner().invoke(cli, ["stats", "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def summary(stderr: str) -> str:
    return stderr.strip().splitlines()[-1].split(" -> ")[0]


# --- 1. one article per file, per url, per id ----------------------------------------------------

@pytest.mark.parametrize("second", ["absolute", "dot", "link"])
def test_an_edited_file_named_another_way_replaces_its_old_version(tmp_path, nlp, second):
    f = tmp_path / "news" / "a.txt"
    f.parent.mkdir()
    f.write_text(VOROBYEV, encoding="utf-8")
    code, err = ingest("news/a.txt")
    assert code == 0 and summary(err) == "1 added, 0 replaced, 0 unchanged, 0 skipped, 0 failed", err
    f.write_text(EDITED, encoding="utf-8")
    if second == "link":
        (tmp_path / "alias").symlink_to(tmp_path / "news")
    spelled = {"absolute": str(f.resolve()), "dot": "./news/../news/a.txt", "link": "alias/a.txt"}[second]
    code, err = ingest(spelled)
    assert code == 0 and summary(err) == "0 added, 1 replaced, 0 unchanged, 0 skipped, 0 failed", err
    assert stats()["articles"] == 1
    code, err = ingest("news")
    assert summary(err) == "0 added, 0 replaced, 1 unchanged, 0 skipped, 0 failed", err


def test_articles_carry_the_resolved_path(tmp_path):
    from ingest.readers import read_articles
    (tmp_path / "news").mkdir()
    (tmp_path / "news" / "a.txt").write_text(KALUGA, encoding="utf-8")
    sources = {a.source for spelled in ("news", "./news/a.txt", str(tmp_path / "news"))
               for a in read_articles([spelled])}
    assert sources == {str((tmp_path / "news" / "a.txt").resolve())}


def test_two_versions_of_one_url_the_later_wins_and_a_rerun_is_unchanged(tmp_path, nlp):
    lines = [{"url": "https://example.org/1", "title": "Первая", "text": VOROBYEV},
             {"url": "https://example.org/2", "title": "Другая", "text": KALUGA},
             {"url": "https://example.org/1", "title": "Вторая", "text": EDITED}]
    (tmp_path / "batch.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in lines) + "\n",
                                          encoding="utf-8")
    code, err = ingest("batch.jsonl", "--batch-size", "1")
    assert code == 0, err
    assert "skipped: batch.jsonl line 1: same url https://example.org/1 as line 3: " \
           "the later record is kept" in err
    assert summary(err) == "2 added, 0 replaced, 0 unchanged, 1 skipped, 0 failed"
    first = stats()
    for _ in range(2):
        code, again = ingest("batch.jsonl", "--batch-size", "1")
        assert code == 0 and summary(again) == "0 added, 0 replaced, 2 unchanged, 1 skipped, 0 failed", again
        assert stats() == first
    from graph.open import open_store
    s = open_store()
    try:
        assert s.article("https://example.org/1")["title"] == "Вторая"
    finally:
        s.close()


def test_one_id_in_two_files_is_stored_once_from_the_later_file(tmp_path, nlp):
    for name, text in (("a.jsonl", VOROBYEV), ("b.jsonl", EDITED)):
        (tmp_path / name).write_text(json.dumps({"id": "news-1", "text": text}, ensure_ascii=False) + "\n",
                                     encoding="utf-8")
    code, err = ingest("a.jsonl", "b.jsonl")
    assert code == 0, err
    assert (f"skipped: {(tmp_path / 'a.jsonl').resolve()}: duplicate of record id 'news-1', which comes again "
            f"later in the input (in {(tmp_path / 'b.jsonl').resolve()}): the later one is kept") in err
    assert summary(err) == "1 added, 0 replaced, 0 unchanged, 1 skipped, 0 failed"
    code, err = ingest("a.jsonl", "b.jsonl")
    assert summary(err) == "0 added, 0 replaced, 1 unchanged, 1 skipped, 0 failed", err


def test_one_folder_named_twice_is_read_once(tmp_path, nlp):
    (tmp_path / "news").mkdir()
    (tmp_path / "news" / "a.txt").write_text(KALUGA, encoding="utf-8")
    code, err = ingest("news", str(tmp_path / "news"))
    assert code == 0 and summary(err) == "1 added, 0 replaced, 0 unchanged, 1 skipped, 0 failed", err
    assert "duplicate of the same text (a)" in err
    assert stats()["articles"] == 1


# --- 2. names bounded the same way in both stores ----------------------------------------------

def long_name_extraction(text_id: str = "long-1", words: int = 700):
    """An article naming an organisation of some 5,000 characters (words of Cyrillic letters, with
    a newline, an ESC and a zero-width space inside), which works with a person in it."""
    from graph.model import Article, Entity, Evidence, Extraction, Mention, Relation
    from graph.text import name_key
    long = " ".join(f"Слово{n}" for n in range(words)).replace("Слово3 ", "Слово3\n\x1b\u200b")
    text = f"Иван Петров работает в компании «{long}»."
    start = text.index(long)
    person = Entity("e1", "PERSON", "Иван Петров", key="PERSON:петров|и", mentions=[Mention(0, 11, "Иван Петров")])
    org = Entity("e2", "ORG", long, key=f"ORG:{name_key(long)}", mentions=[Mention(start, start + len(long), long)],
                 merged_by={long: "same lemmas"})
    works = Relation("WORKS_AT", "e1", "e2", evidence=[Evidence(text_id, 0, len(text), text)])
    return Extraction(Article(text_id, text, title="Длинное имя"), [person, org], [works])


def test_a_name_of_5000_characters_is_bounded_the_same_way_in_both_stores(store):
    from graph.bounds import MAX_KEY_CHARS, MAX_NAME_CHARS, bound_name
    ex = long_name_extraction()
    assert len(ex.entities[1].name) > 5000
    report = store.write([ex])
    assert report.added == ["long-1"]
    g = store.snapshot()
    org = next(n for n, d in g.nodes(data=True) if d["type"] == "ORG")
    name = g.nodes[org]["name"]
    assert len(org) <= MAX_KEY_CHARS and org.startswith("ORG:слово0 слово1")
    assert len(name) <= MAX_NAME_CHARS and name.endswith("…") and name == bound_name(ex.entities[1].name)
    assert name.startswith("Слово0 Слово1 Слово2 Слово3 Слово4") and not any(c in name for c in "\n\x1b\u200b")
    assert all(len(m["text"]) <= MAX_NAME_CHARS for m in g.nodes[org]["mentions"])
    assert [d["type"] for *_, d in g.edges(data=True)] == ["WORKS_AT"]
    assert [h.id for h in store.search("Слово0 Слово1")] == [org]
    card = store.entity(org)
    assert card.merge_log and all(len(e["alias"]) <= MAX_NAME_CHARS for e in card.merge_log)
    assert store.write([long_name_extraction()]).unchanged == ["long-1"]  # a re-run goes past it


def test_two_long_names_sharing_their_start_stay_two_entities(embedded_store):
    from graph.bounds import bound_key
    a, b = long_name_extraction("a", words=700), long_name_extraction("b", words=701)
    assert bound_key(a.entities[1].key) != bound_key(b.entities[1].key)
    embedded_store.write([a, b])
    assert embedded_store.stats()["entities"]["ORG"] == 2


def test_names_within_bounds_are_written_as_given():
    from graph.bounds import bounded
    from conftest import relation_extractions
    batch = relation_extractions()
    assert all(new is old for new, old in zip(bounded(batch), batch))


# --- 4. a time limit per article ------------------------------------------------------------------

SLOW = "Этот текст извлекается слишком долго."


@pytest.fixture
def slow_extraction(monkeypatch, nlp):
    """Extraction that hangs on any article containing SLOW, in ingest and in `extract`."""
    import time

    import ingest.extract
    import ingest.run
    from graph.model import Article
    real = ingest.extract.extract
    real(Article("warm-up", KALUGA))  # models load on first use: not the time of an article

    def extract(article):
        if SLOW in article.text:
            time.sleep(60)
        return real(article)

    monkeypatch.setattr(ingest.run, "extract", extract)
    monkeypatch.setattr(ingest.extract, "extract", extract)


def test_an_article_over_the_time_limit_fails_and_the_batch_goes_on(tmp_path, slow_extraction):
    import time
    (tmp_path / "news").mkdir()
    for name, text in (("1.txt", VOROBYEV), ("2-slow.txt", SLOW), ("3.txt", KALUGA)):
        (tmp_path / "news" / name).write_text(text, encoding="utf-8")
    began = time.monotonic()
    # --workers 1: the slow extraction is patched into this process (tests/test_parallel.py has the
    # time limit in worker processes)
    # a limit far above a real article's time, so that a loaded machine does not fail the good ones
    code, err = ingest("news", "--timeout", "5", "--batch-size", "1", "--workers", "1")
    assert time.monotonic() - began < 30
    assert code == 1, err
    assert f"failed: {(tmp_path / 'news' / '2-slow.txt').resolve()}: extraction failed: took longer than 5 s, " \
           "the time limit of one article (see --timeout)" in err
    assert summary(err) == "2 added, 0 replaced, 0 unchanged, 0 skipped, 1 failed"
    assert stats()["articles"] == 2


def test_extract_has_the_time_limit_too(tmp_path, slow_extraction):
    (tmp_path / "slow.txt").write_text(SLOW, encoding="utf-8")
    (tmp_path / "ok.txt").write_text(KALUGA, encoding="utf-8")
    result = CliRunner().invoke(cli, ["extract", "--timeout", "5", "slow.txt", "ok.txt"])
    assert result.exit_code == 1
    assert "failed: " in result.stderr and "slow.txt: extraction failed: took longer than 5 s" in result.stderr
    assert [json.loads(line)["doc"] for line in result.stdout.splitlines()] == ["ok"], result.stderr


def test_time_limit_restores_what_was_there_and_needs_the_main_thread():
    import signal
    import threading

    from ingest.timelimit import ExtractionTimeout, can_limit, time_limit
    before = signal.getsignal(signal.SIGALRM)
    with pytest.raises(ExtractionTimeout, match="took longer than 0.2 s"):
        with time_limit(0.2):
            while True:  # a loop in Python, as a pathological extraction would be
                pass
    assert signal.getsignal(signal.SIGALRM) is before and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    with time_limit(0):  # no limit
        pass
    seen = []
    worker = threading.Thread(target=lambda: seen.append(can_limit()))
    worker.start()
    worker.join()
    assert seen == [False] and can_limit()


def test_a_line_without_punctuation_is_cut_into_sentences_the_parser_can_hold(nlp):
    """One scraped line of thousands of words once asked the syntax parser for 466 GiB: a run
    longer than a sentence can be is parsed in pieces, and what it names is still found."""
    from graph.model import Article
    from ingest.extract import extract
    from ingest.pipeline import MAX_SENTENCE_TOKENS
    text = " ".join(["слово"] * 3000) + " губернатор Тульской области Алексей Дюмин открыл завод"
    doc = nlp.analyse(text)
    assert max(len(s.tokens) for s in doc.sents) <= MAX_SENTENCE_TOKENS
    assert all(doc.text[s.start:s.stop] == s.text for s in doc.sents)
    ex = extract(Article(id="long", text=text))
    assert "Алексей Дюмин" in {e.name for e in ex.entities}


def test_a_headline_a_dateline_and_list_items_are_sentences_of_their_own(nlp):
    """A headline has no full stop, so the segmenter ran it into the lead (in 83 of parks-dev's
    108 articles): the syntax parsed the two as one sentence and paired what each named. A line
    that goes on in lower case (wrapped text) is still one sentence."""
    text = ("В Бурятии появится промышленный парк\n24 октября 2025 года\n"
            "Резидентами парка стали две компании:\n— ООО «Альфа» построит завод;\n— АО «Бета» откроет склад.\n"
            "Об этом рассказал министр\nэкономики республики Иван Петров.")
    doc = nlp.analyse(text)
    sentences = [s.text for s in doc.sents]
    assert sentences[:5] == ["В Бурятии появится промышленный парк", "24 октября 2025 года",
                             "Резидентами парка стали две компании:", "— ООО «Альфа» построит завод;",
                             "— АО «Бета» откроет склад."]
    assert sentences[5] == "Об этом рассказал министр\nэкономики республики Иван Петров."
    assert all(doc.text[s.start:s.stop] == s.text for s in doc.sents)
    assert all(t.id.split("_")[0] == str(i) for i, s in enumerate(doc.sents, 1) for t in s.tokens)


def test_a_process_that_extracts_runs_blas_on_one_thread(nlp):
    """Workers are the parallelism: OpenBLAS threads in each of them spun over slovnet's small
    products and took several times the CPU (ingest/pipeline.py)."""
    from threadpoolctl import threadpool_info
    numpys = [pool for pool in threadpool_info() if pool["user_api"] == "blas" and "numpy" in pool["filepath"]]
    assert numpys and all(pool["num_threads"] == 1 for pool in numpys)  # slovnet's (scipy's, loaded later, aside)
