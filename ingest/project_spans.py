"""Projects the grammar misses, found by a model: a project head noun ("завод", "производство",
"терминал", "промзона" …) with what its dependency subtree says about it ("завод мелющих
шаров", "производство метанола", "складской комплекс для хранения нефтепродуктов").

Every such phrase the grammar did not already take is a candidate; the model (trained from
the gold's PROJECT names, `ingest/train.py`) keeps the ones that name one project rather than
talk about a kind ("индустриальные парки как инструмент", "производство выросло").
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from natasha import Doc

from graph.text import lemma, name_key

from .grammars.projects import kind_of
from .mentions import Found, make_found
from .syntax import Tree
from .vocabulary import words

HEADS = words("span_heads")
LEFT = {"amod", "compound"}
RIGHT = {"nmod", "flat", "flat:name", "appos", "amod", "nummod:gov", "compound"}
# what a right-hand nmod takes with it
ARGUMENT = {"case", "amod", "det", "flat", "flat:name", "nummod", "nummod:gov", "cc"}
GENERIC = words("span_generic")
# words of the moment: "новый завод", "будущий парк" say nothing about which one
PASSING = words("span_passing_words")
MAX_TOKENS = 14


@dataclass
class SpanCandidate:
    start: int
    stop: int
    head: str
    features: dict[str, float] = field(default_factory=dict)
    vector: np.ndarray | None = None


def subtree_right(tree: Tree, token, depth: int, top: bool = True) -> list:
    """What hangs on the token to its right, `depth` levels down; below the head, lists too
    ("терминалы для приёма и переработки рыбы"; of the head itself a list is other projects)."""
    out = []
    for c in tree.children[token.id]:
        if c.start <= token.start or not (c.rel in RIGHT or (not top and c.rel == "conj")):
            continue
        out.append(c)
        for g in tree.children[c.id]:
            if g.rel in ARGUMENT and g.start < c.start and g.text not in ",—":
                out.append(g)
                # "на 200 тысяч тонн": the count's own number
                out += [n for n in tree.children[g.id] if n.rel.startswith("nummod") and n.start < g.start]
        if depth:
            out += subtree_right(tree, c, depth - 1, top=False)
    return out


def phrase(tree: Tree, head) -> list:
    """The head and the contiguous words around it that its subtree holds."""
    chosen = {head.id}
    for c in tree.children[head.id]:
        if c.start < head.start and c.rel in LEFT:
            chosen.add(c.id)
            chosen |= {g.id for g in tree.children[c.id]
                       if g.rel in ("amod", "advmod", "conj", "cc") and g.start < head.start}
    chosen |= {t.id for t in subtree_right(tree, head, 3)}
    tokens = tree.tokens
    i = tokens.index(head)
    lo = i
    while lo > 0 and tokens[lo - 1].id in chosen:
        lo -= 1
    hi = i
    while hi + 1 < len(tokens) and hi + 1 - lo < MAX_TOKENS and (
            tokens[hi + 1].id in chosen or (tokens[hi + 1].text in "«»\"" and hi + 2 < len(tokens))):
        hi += 1
    while hi > i and (tokens[hi].text in "«\"-—," or tokens[hi].pos in ("ADP", "CCONJ")):
        hi -= 1
    words = tokens[lo:hi + 1]
    if words and words[-1].text == "»" and sum(t.text == "«" for t in words) < sum(t.text == "»" for t in words):
        words = words[:-1]
    return words


def span_candidates(doc: Doc, found: list[Found]) -> list[SpanCandidate]:
    from .candidates import embedding_of
    out = []
    taken = [(f.start, f.stop, f.type) for f in found]
    heads = {f.head for f in found if f.type == "PROJECT" and f.head} | \
            {lemma(w) for f in found if f.type == "PROJECT" for w in f.normal.lower().split()}
    for sent in doc.sents:
        tree = Tree(sent)
        for i, t in enumerate(tree.tokens):
            head = lemma(t.text)
            if head not in HEADS or t.pos != "NOUN":
                continue
            if any(a <= t.start < b for a, b, _ in taken):
                continue
            words = phrase(tree, t)
            content = [w for w in words if w is not t and w.pos in ("NOUN", "ADJ", "PROPN", "X")
                       and lemma(w.text) not in GENERIC | PASSING]
            if not content:  # "завод", "новый завод": another mention of a project, not one of its own
                continue
            start, stop = words[0].start, words[-1].stop
            if any(a < stop and start < b and typ == "PROJECT" for a, b, typ in taken):
                continue
            f: dict[str, float] = {"bias": 1.0, "head:" + head: 1.0, "length": min(len(words), 14) / 14}
            f["plural"] = float(t.feats.get("Number") == "Plur")
            f["case:" + t.feats.get("Case", "?")] = 1
            f["alone"] = float(len(words) == 1)
            for w in words:
                if w is t:
                    continue
                side = "left" if w.start < t.start else "right"
                f[f"{side}:{lemma(w.text)}"] = 1
                f[f"{side}_pos:{w.pos}"] = 1
                if w.text[:1].isupper() and w.start != sent.start:
                    f["capital_inside"] = 1
                if w.text == "«":
                    f["quoted"] = 1
            inside = [typ for a, b, typ in taken if start <= a and b <= stop]
            for typ in inside:
                f["contains:" + typ] = 1
            before = tree.tokens[max(0, i - 3):tree.tokens.index(words[0])]
            for w in before[-2:]:
                f["before:" + lemma(w.text)] = 1
                if lemma(w.text) in GENERIC:
                    f["generic_before"] = 1
            governors = []
            if (parent := tree.parent(t)) is not None:
                f["governor:" + lemma(parent.text)] = 1
                f["rel:" + t.rel] = 1
                governors.append(parent.text.lower())
                if (grand := tree.parent(parent)) is not None:
                    f["governor2:" + lemma(grand.text)] = 1
                    governors.append(grand.text.lower())
            f["sentence_start"] = float(words[0].start == sent.start)
            f["position"] = min(sent.start, 3000) / 3000
            after = doc.text[stop:stop + 3]
            f["same_head_exists"] = float(head in heads)
            f["then_place"] = float(any(typ == "LOC" and stop <= a <= stop + 4 for a, b, typ in taken))
            f["then_comma"] = float(after.startswith(","))
            # what it is, and what is done with it ("возведет", "запуск"): meanings, not words
            vector = np.concatenate([embedding_of([w.text.lower() for w in words if w.pos in ("NOUN", "ADJ")]),
                                     embedding_of(governors)])
            out.append(SpanCandidate(start, stop, head, f, vector))
    return out


def as_found(doc: Doc, c: SpanCandidate) -> Found:
    f = make_found(doc, "PROJECT", c.start, c.stop, "learned")
    f.kind = kind_of(f.text)
    f.head = c.head
    f.sense = name_key(f.normal)
    return f
