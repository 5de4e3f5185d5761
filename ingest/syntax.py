"""The dependency tree of one sentence, as natasha's syntax parser builds it.

Small questions the relation rules ask of a sentence: which token heads a span, what
hangs on a token, and what a locative phrase ("в Омске", "на территории города Кемерово")
is attached to.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from graph.text import lemma

from .vocabulary import words

LOCATIVE_PREPOSITIONS = {"в", "во", "на"}
# nouns a place can hang on and still place what the phrase is about: "на территории города Кемерово"
AREA_NOUNS = words("place_nouns")
# what the subject or object of a verb carries with it: lists and "возведение очереди промпарка"
CARRIERS = {"conj", "parataxis", "appos", "nmod", "flat:name"}


class Tree:
    def __init__(self, sentence) -> None:
        self.tokens = list(sentence.tokens)
        self.by_id = {t.id: t for t in self.tokens}
        self.children: dict[str, list] = defaultdict(list)
        for t in self.tokens:
            self.children[t.head_id].append(t)

    def span(self, start: int, stop: int) -> list:
        return [t for t in self.tokens if start <= t.start < stop]

    def head(self, start: int, stop: int):
        """The token of a span whose head lies outside it (the first such, when several do)."""
        inside = self.span(start, stop)
        ids = {t.id for t in inside}
        return next((t for t in inside if t.head_id not in ids), None)

    def parent(self, token):
        return self.by_id.get(token.head_id)

    def has_preposition(self, token, words: set[str]) -> bool:
        return any(c.rel == "case" and c.text.lower() in words for c in self.children[token.id])

    def locative_governor(self, token):
        """What "в/на <token>" is attached to, climbing through area nouns ("на территории
        города Кемерово" → the verb "разместится"); None when the token is not in a
        locative phrase."""
        for _ in range(4):
            # a conjunct with a preposition of its own ("во Владивостоке, на острове Русский")
            # hangs on what the first one hangs on
            if self.has_preposition(token, LOCATIVE_PREPOSITIONS) and token.rel != "conj":
                return self.parent(token)
            parent = self.parent(token)
            if parent is None:
                return None
            if token.rel != "conj" and (token.rel not in ("nmod", "appos", "flat:name", "amod")
                                        or lemma(parent.text) not in AREA_NOUNS):
                return None
            token = parent  # "… города Кемерово и Топкинского округа": a conjunct shares the phrase
        return None

    def arguments(self, verb) -> list:
        """The subjects and objects of a verb."""
        return [c for c in self.children[verb.id] if c.rel in ("nsubj", "nsubj:pass", "obj")]

    def carried(self, token, depth: int = 3) -> Iterator:
        """A token and what it carries: list members, appositions, nominal modifiers (those
        written after it: a modifier far before its head is more likely a parser error)."""
        yield token
        if depth:
            for c in self.children[token.id]:
                if c.rel in CARRIERS and c.start > token.start:
                    yield from self.carried(c, depth - 1)

    def subject(self, verb):
        """Who does what a verb says: its subject, the subject of the verb an infinitive
        depends on ("намерено вложить"), and for "который" the noun the clause is about
        ("ООО «Азот-2», которое намерено вложить"). None when the parse shows no subject."""
        for _ in range(3):
            subjects = [c for c in self.children[verb.id] if c.rel in ("nsubj", "nsubj:pass")]
            if subjects:
                subject = subjects[0]
                if lemma(subject.text) == "который" and verb.rel == "acl:relcl":
                    return self.parent(verb)
                return subject
            if verb.rel not in ("xcomp", "conj") or (verb := self.parent(verb)) is None:
                return None
        return None
