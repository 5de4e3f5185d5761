"""yargy's Earley chart, filled with one token of lookahead.

yargy's parser predicts every production of a rule wherever the rule may begin, and predicts it
again for each state that asks for it; most of those states die at the next token. Here a rule
is predicted once per column, and only with the productions whose first token can be the next
token (their FIRST predicates, read through nullable rules, as in any Earley parser with
lookahead). The states that survive are the same ones yargy makes, with the same ranks, so the
matches and their order are the same. What the predicates say of a word, and which productions
may begin before it, is remembered per word (`Word`) across texts; the chart is emptied once
read (`released`).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

from yargy.parser import Chart, Column, State, is_rule
from yargy.rule.bnf import BNFRule
from yargy.tree import Leaf, Node

from ..memory import Memory

Predicate = Callable[[object], bool]


class Start(NamedTuple):
    """What a production can begin with: the ids of the predicates of its possible first tokens;
    nullable if it can also match nothing (it is then predicted whatever comes next)."""

    rank: int  # its place among its rule's productions (yargy orders ambiguous trees by it)
    production: object
    predicates: tuple[int, ...]
    nullable: bool


def rules_of(start: BNFRule) -> list[BNFRule]:
    """Every rule reachable from the grammar's start rule."""
    seen: dict[int, BNFRule] = {id(start): start}
    todo = [start]
    while todo:
        for production in todo.pop().productions:
            for term in production.terms:
                if is_rule(term) and id(term) not in seen:
                    seen[id(term)] = term
                    todo.append(term)
    return list(seen.values())


def grammar_starts(start: BNFRule) -> tuple[dict[int, list[Start]], dict[int, Predicate]]:
    """The Start of every production of every rule (rules by id), and every predicate by id;
    FIRST sets and nullability to a fixed point, as rules may be recursive."""
    rules = rules_of(start)
    first: dict[int, dict[int, Predicate]] = {id(r): {} for r in rules}
    nullable: set[int] = set()

    def leading(production) -> tuple[dict[int, Predicate], bool]:
        """The FIRST predicates of a production and whether it can match nothing."""
        found: dict[int, Predicate] = {}
        for term in production.terms:
            found.update(first[id(term)] if is_rule(term) else {id(term): term})
            if not (is_rule(term) and id(term) in nullable):
                return found, False
        return found, True

    changed = True
    while changed:
        changed = False
        for rule in rules:
            into = first[id(rule)]
            for production in rule.productions:
                found, empty = leading(production)
                if found.keys() - into.keys() or (empty and id(rule) not in nullable):
                    into.update(found)
                    if empty:
                        nullable.add(id(rule))
                    changed = True
    starts: dict[int, list[Start]] = {}
    for rule in rules:
        starts[id(rule)] = []
        for rank, production in enumerate(rule.productions):
            found, empty = leading(production)
            starts[id(rule)].append(Start(rank, production, tuple(found), empty))
    predicates = {id(term): term for rule in rules for production in rule.productions
                  for term in production.terms if not is_rule(term)}
    return starts, predicates


class Word(dict):
    """What each predicate (by id) says of one word, each asked once, and the productions of each
    rule (by id) worth predicting before it. yargy's predicates read a token's text, type and
    morphological forms, all three given by the word itself, so one Word serves every token of
    that text and type in every document."""

    def __init__(self, token, predicates: dict[int, Predicate]) -> None:
        super().__init__()
        self.token, self.predicates = token, predicates
        self.predictions: dict[int, list[tuple[int, object]]] = {}

    def __missing__(self, key: int) -> bool:
        answer = self[key] = bool(self.predicates[key](self.token))
        return answer


WORDS = 10_000  # words remembered per grammar (about 1.2 kB each) before the memory starts again


class EarleyChart:
    """Fills yargy's Chart for one parser (its rule, tokenizer and tagger), predicting with
    lookahead where `predicts_at(token)` lets the grammar begin."""

    def __init__(self, parser) -> None:
        self.parser = parser
        self.starts, self.predicates = grammar_starts(parser.rule)
        self.words: Memory[Word] = Memory(WORDS)

    def word(self, token) -> Word:
        return self.words.recall((token.value, token.type), lambda: Word(token, self.predicates))

    def predictable(self, rule, token, word: Word | None) -> Iterable[tuple[int, object]]:
        """(rank, production) of the rule worth predicting before the next token."""
        if word is None:
            return enumerate(rule.productions)
        if type(rule) is not BNFRule:  # yargy's pipelines index their own productions
            return enumerate(rule.predict(token))
        found = word.predictions.get(id(rule))
        if found is None:
            found = word.predictions[id(rule)] = [
                (start.rank, start.production) for start in self.starts[id(rule)]
                if start.nullable or any(word[key] for key in start.predicates)]
        return found

    def fill(self, text: str, predicts_at: Callable[[object], bool]) -> Chart:
        parser = self.parser
        chart = Chart(parser.tagger(parser.tokenizer(text)))
        for column, next_column in chart:
            token = next_column.token if next_column is not None else None
            word = self.word(token) if token is not None else None
            predicted: set[int] = set()
            if word is not None and predicts_at(token):
                self.predict(column, token, word, parser.rule, predicted)
            for state in column:
                if state.completed:
                    complete(column, state)
                elif state.waits_for is not None:
                    self.predict(column, token, word, state.next_term, predicted)
                elif word is not None and word[id(state.next_term)]:
                    scan(next_column, state)
        return chart

    def predict(self, column: Column, token, word: Word | None, rule, predicted: set[int]) -> None:
        if id(rule) in predicted:
            return  # the same states again, which the column would drop
        predicted.add(id(rule))
        for rank, production in self.predictable(rule, token, word):
            add(column, Item(rule, production, 0, column, column, Node(rule, production, rank=rank, children=[]), ()))


class Item(State):
    """yargy's State with what yargy asks of a state again and again computed once: its hash (the
    one yargy computes, from which the column drops duplicates) from the ids of its node's children
    kept, without walking them; whether it is completed, its next term, and the id of the rule it
    waits for (None when it waits for a token or for nothing)."""

    __slots__ = ("rule", "production", "dot_index", "start_column", "stop_column", "node",
                 "completed", "next_term", "waits_for", "children", "value")

    def __init__(self, rule, production, dot_index: int, start_column: Column, stop_column: Column,
                 node: Node, children: tuple[int, ...]) -> None:
        # what State.__init__ sets, set here: a call less for each of the chart's 100,000 items
        self.rule, self.production, self.dot_index = rule, production, dot_index
        self.start_column, self.stop_column, self.node = start_column, stop_column, node
        terms = production.terms
        self.completed = dot_index >= len(terms)
        self.next_term: Any = None if self.completed else terms[dot_index]
        self.waits_for = id(self.next_term) if isinstance(self.next_term, BNFRule) else None
        self.children = children
        self.value = hash((id(rule), id(production), dot_index, start_column.index, stop_column.index, children))

    def __hash__(self) -> int:
        return self.value

    def advanced(self, column: Column, child) -> Item:
        """The item one term further on, ending at the column, with the child under its node."""
        return Item(self.rule, self.production, self.dot_index + 1, self.start_column, column,
                    self.node.attached(child), self.children + (id(child),))


def scan(column: Column, state: Item) -> None:
    """yargy's scan of the column's token, the predicate already asked."""
    predicate = state.next_term
    add(column, state.advanced(column, Leaf(predicate, predicate.constrain(column.token))))


def complete(column: Column, completed: Item) -> None:
    """yargy's complete: the items waiting for the completed rule move over it."""
    for state in completed.start_column.states_index[id(completed.rule)]:
        add(column, state.advanced(column, completed.node))


def add(column: Column, item: Item) -> None:
    """yargy's Column.append of an Item: kept unless the column has its hash, indexed by the rule
    it waits for."""
    if item.value not in column.hashes:
        column.hashes.add(item.value)
        column.states.append(item)
        if item.waits_for is not None:
            column.states_index[item.waits_for].append(item)


def released(chart: Chart) -> None:
    """Empties the chart's columns once its matches are read: a column holds its states and each
    state its columns, a cycle that only the garbage collector would free, and collecting charts
    took a tenth of the extraction's time. The matches' trees hold nodes, not states."""
    for column in chart.columns:
        column.states.clear()
        column.states_index.clear()
        column.hashes.clear()
