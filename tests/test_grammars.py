"""How the yargy grammars are run: only on windows around their trigger words."""
from __future__ import annotations

from ingest.grammars import Trigger, windows
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
    start, stop = spans[0]
    window = sent.text[start:stop]
    assert window.startswith(("а вечером", "вечером")) and "министр промышленности" in window
    assert "праздник" not in window and not window.endswith(" ")
    assert windows(sent, Trigger(frozenset({"губернатор"}))) == []
