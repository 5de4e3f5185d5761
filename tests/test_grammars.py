"""How the yargy grammars are run: only on windows around their trigger words."""
from __future__ import annotations

from pathlib import Path

import pytest

from ingest.grammars import Lead, Trigger, everywhere, findall_from, windows
from ingest.grammars.positions import parser as position_parser
from ingest.pipeline import pipeline

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "news"


def test_a_trigger_fires_on_every_form_of_its_lemmas_and_on_parts_of_compounds():
    trigger = Trigger(frozenset({"министр", "губернатор"}), exact=frozenset({"ОЭЗ"}), prefixes=("промпарк",))
    for word in ("министра", "Министрами", "губернаторе", "экс-министр", "ОЭЗ", "промпарка"):
        assert trigger.fires(word), word
    for word in ("министерство", "оэз", "парк", "губерния"):
        assert not trigger.fires(word), word


def test_windows_surround_the_trigger_words_and_skip_the_rest(nlp):
    text = ("Вчера в городе прошёл большой праздник с концертами, ярмаркой и салютом на набережной, "
            "а вечером министр промышленности и торговли края Иван Петров открыл новый цех.")
    sent = pipeline().analyse(text).sents[0]
    spans = windows(sent, Trigger(frozenset({"министр"}), before=20, after=60))
    assert len(spans) == 1
    window = sent.text[spans[0].start:spans[0].stop]
    assert window.startswith(("а вечером", "вечером")) and "министр промышленности" in window
    assert "праздник" not in window and not window.endswith(" ")
    # a match may begin at an adjective from the window's start on, or inside the trigger word
    lead, = spans[0].leads
    assert lead.start == 0 and window[lead.word:lead.last + 1] == "министр"
    assert windows(sent, Trigger(frozenset({"губернатор"}))) == []


def test_matches_begin_only_where_the_window_allows():
    text = "Об этом заявил премьер-министр Италии, а позже и бывший министр финансов."
    parser = position_parser()
    spans_anywhere = [m.span for m in parser.findall(text)]
    assert [tuple(s) for s in spans_anywhere] == [(15, 22), (23, 30), (49, 72)]
    # inside "премьер-министр" only: its two hyphen parts, not the later "бывший министр финансов"
    assert [m.span for m in findall_from(parser, text, (Lead(15, 15, 29),))] == spans_anywhere[:2]
    # before a trigger word only an adjective begins a match: "бывший", not "и"
    later = Lead(40, 56, 62)
    assert [m.span for m in findall_from(parser, text, (Lead(15, 15, 29), later))] == spans_anywhere
    # and only from the lead's start: without "бывший" the post is "министр финансов"
    assert [tuple(m.span) for m in findall_from(parser, text, (Lead(56, 56, 62),))] == [(56, 72)]


def test_a_window_may_begin_no_more_words_before_its_trigger_than_the_grammar_allows(nlp):
    text = "Власти региона решили, что новая большая особая экономическая зона «Кедр» появится в Томске."
    sent = pipeline().analyse(text).sents[0]
    wide, = windows(sent, Trigger(frozenset({"зона"})))
    narrow, = windows(sent, Trigger(frozenset({"зона"}), words_before=4))
    assert sent.text[wide.start:].startswith("региона решили")
    assert sent.text[narrow.start:].startswith("новая большая особая экономическая зона")
    assert narrow.stop == wide.stop


def facts_of(matches) -> list:
    """Span, tokens and fact (for a grammar that interprets) of each match, in order."""
    return [(tuple(m.span), [t.value for t in m.tokens], repr(m.fact) if m.tree.root.interpretator else None)
            for m in matches]


@pytest.mark.parametrize("grammar", ["projects", "organisations", "positions", "natasha names"])
def test_the_lookahead_chart_finds_what_yargys_own_parser_finds(grammar):
    """Predicting each rule once per token, and only its productions that can begin with the next
    token, leaves yargy's matches, their facts and their order as they were."""
    import importlib
    parser = (pipeline().names_extractor.parser if grammar == "natasha names"
              else importlib.import_module(f"ingest.grammars.{grammar}").parser())
    text = (EXAMPLES / "2023-09-19-kaluga-oez-oka-park-pharma.txt").read_text(encoding="utf-8")
    text += " " + (EXAMPLES / "2025-08-12-khabarovsk-tor-amursky-bereg.txt").read_text(encoding="utf-8")
    for line in filter(None, (line.strip() for line in text.splitlines())):
        assert facts_of(findall_from(parser, line, everywhere(line))) == facts_of(parser.findall(line)), line
    assert any(parser.findall(line) for line in text.splitlines())


def test_the_lookahead_reads_through_rules_that_may_match_nothing():
    """FIRST sets through optional and repeated parts: a production is predicted when the token
    after an empty prefix can begin it, and not when nothing can."""
    from yargy import or_, rule
    from yargy.predicates import caseless, eq, gram

    from ingest.grammars import make_parser
    grammar = rule(rule(gram("ADJF")).optional().repeatable(), caseless("парк"), eq("«").optional())
    parser = make_parser(or_(grammar, rule(caseless("зона"))))
    text = "новый большой парк и зона, а затем парк «Кедр» без прилагательных"
    assert facts_of(findall_from(parser, text, everywhere(text))) == facts_of(parser.findall(text))
    assert [m.span.start for m in findall_from(parser, text, everywhere(text))] == [0, 21, 35]


def test_the_memory_of_words_is_bounded_and_starting_again_changes_nothing(monkeypatch):
    """A grammar remembers what its predicates say of at most WORDS words; when full it forgets
    them all and goes on, with the same matches."""
    import ingest.grammars
    import ingest.grammars.earley as chart_module
    from ingest.grammars.projects import parser as project_parser
    parser = project_parser()
    text = (EXAMPLES / "2025-08-12-khabarovsk-tor-amursky-bereg.txt").read_text(encoding="utf-8")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    expected = [facts_of(parser.findall(line)) for line in lines]
    monkeypatch.setattr(chart_module, "WORDS", 5)
    chart = chart_module.EarleyChart(parser)
    monkeypatch.setattr(ingest.grammars, "lookahead_chart", lambda p: chart)
    for line, want in zip(lines, expected, strict=True):
        assert facts_of(findall_from(parser, line, everywhere(line))) == want
        assert len(chart.words) <= 5
    assert any(expected)
