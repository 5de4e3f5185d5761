"""How the yargy grammars are run: only on windows around their trigger words."""
from __future__ import annotations

from ingest.grammars import Trigger, findall_from, windows
from ingest.grammars.positions import parser as position_parser
from ingest.pipeline import pipeline


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
    # a match may begin from the window's start up to the last letter of the trigger word
    (first, last), = spans[0].starts
    assert first == 0 and window[last] == "р" and window[last - 6:last + 1] == "министр"
    assert windows(sent, Trigger(frozenset({"губернатор"}))) == []


def test_matches_begin_only_where_the_window_allows():
    text = "Об этом заявил премьер-министр Италии, а позже и министр финансов."
    parser = position_parser()
    everywhere = [m.span for m in parser.findall(text)]
    assert [tuple(s) for s in everywhere] == [(15, 22), (23, 30), (49, 65)]
    # starts inside "премьер-министр" only: its two hyphen parts, not the later "министр финансов"
    assert [m.span for m in findall_from(parser, text, ((0, 29),))] == everywhere[:2]
    assert [m.span for m in findall_from(parser, text, ((0, 29), (40, 49)))] == everywhere
