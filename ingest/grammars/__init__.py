"""yargy grammars, one module per kind of fact, and how to run them.

All parsers share one tokenizer (one pymorphy dictionary and word cache), and run only on
the sentences that contain a trigger word of their grammar: yargy's Earley parser is
pure Python, and most sentences of a news text hold no project, post or organisation.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from yargy import Parser
from yargy.tokenizer import MorphTokenizer


@lru_cache(maxsize=1)
def tokenizer() -> MorphTokenizer:
    return MorphTokenizer()


def make_parser(rule) -> Parser:
    return Parser(rule, tokenizer=tokenizer())


def sentence_matches(parser: Parser, doc, trigger: re.Pattern) -> Iterator[tuple[int, object]]:
    """(offset of the sentence, match) for each match in sentences the trigger finds."""
    for sent in doc.sents:
        if trigger.search(sent.text):
            for match in parser.findall(sent.text):
                yield sent.start, match
