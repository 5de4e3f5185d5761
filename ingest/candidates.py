"""Relation candidates: every pair of entities that could stand in a relation, with what a
model needs to judge it.

A candidate is a (type, source, target) pair of one article's entities, seen in one sentence:
  - INVOLVED_IN: a person or organisation and a project,
  - LOCATED_IN: a project or organisation and a place,
both named in the same sentence, or one of them named earlier and referred to in this
sentence by a referring word ("Она потратит 8,5 млрд рублей на логистический центр",
"Завод разместится в Ельце", "вложит в него", "построит там комплекс"): the referring word
then stands in for it, and the sentence where it stands is the evidence.

Features are what generalises beyond the words of the training texts: entity types and
kinds, the dependency path between the two (natasha's syntax), the lemma that joins them,
cue words of the clause, the words between (as lemmas, as their nearness in meaning to groups
of cue words, so that a cue never seen in training counts by its meaning, and for WORKS_AT as
navec vectors), distances, and the rules' own vote.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
from natasha import Doc

from graph.model import ZONE_KINDS, Entity, Relation
from graph.text import lemma, name_key

from .aliases import canonical
from .mentions import Span, lexicon
from .parties import federal_power
from .pipeline import pipeline
from .syntax import Tree
from .vocabulary import mapping, words

LEARNED_TYPES = ("INVOLVED_IN", "LOCATED_IN", "WORKS_AT")  # the relation types candidates are made for
POST_REACH = 80  # characters between a person and a post that may still be theirs
PARTIES = {"PERSON", "ORG"}
LOCATABLE = {"PROJECT", "ORG"}
# words that refer back to the organisation named last: "она", "компания", "инвестор" …
ORG_PRONOUNS = {"она", "он", "оно", "они"}
# a masculine or neuter pronoun as an object points back to the project named last: "вложит в него
# 324 млн рублей", "Его открывает ООО «…»" (as a subject, "он" is the organisation's, above)
PROJECT_PRONOUNS = {"его", "него", "ему", "нему", "им", "ним", "нем", "нём"}
# "построит там комплекс": the territory (a park, a zone) or the place named last
THERE = {"там", "здесь"}
ORG_REFERRING = words("org_referring")
# words that refer back to the project named last: "завод", "проект", "площадка" …
PROJECT_REFERRING = words("project_referring")
# nouns that refer back to the place of their scale named last: "построит в регионе завод" (LOCATED_IN only)
PLACE_REFERRING = mapping("place_referring")
# what hangs on a place noun that is not a stand-in: "в районе села …", "в соседнем регионе", "в области освоения лесов"
NAMED_ON = ("nmod", "appos", "flat", "amod", "nummod")
# words that cite an organisation as the news' source: "сообщает ТАСС", "по данным Росстата"
CITING = words("citing_words")
# a federal body: "Минпромторг России" (the state's, not a region's), and the federal powers ("Госдума")
OF_RUSSIA = re.compile(r"\b(России|РФ|Российской Федерации)$")
DATELINE = re.compile(r"^[^\n]{0,120}\d{4}[^\n]{0,12}[—–-]\s*$|^[A-ZА-ЯЁ][A-ZА-ЯЁ-]+,[^\n]{0,60}[—–-]\s*$")
REFERRING_SENTENCES = 2  # how far back a referring word may point
MAX_BETWEEN = 12  # words between a pair that still count as its context
CLAUSE_BREAK = re.compile(r",\s+(а|но|однако|котор\w+)\s|;|—")
EMBEDDING_SIZE = 300
# the nouns that make a place's name a region's («… область», «… край»), and a district's
REGION_NOUNS, DISTRICT_NOUNS = frozenset(mapping("region_words")["регион"]), frozenset(mapping("region_words")["район"])


@dataclass
class Candidate:
    type: str
    source: Entity
    target: Entity
    sentence: tuple[int, int]
    features: dict[str, float] = field(default_factory=dict)
    vector: np.ndarray | None = None  # navec meaning of the joining word and the words between
    rule_role: str | None = None  # the role the rules gave the pair; None when the rules did not propose it
    role: str | None = None  # WORKS_AT: the post near the person, as the relation's role


COORDINATED = re.compile(r"\s*,?\s*(и|а также)\s+")
# stand-ins for one relation type only: "в регионе", "Объекты появятся в …" say where projects are,
# not who takes part; a post with no name at it ("Премьер-министр Израиля заявил") says where its
# holder works
ONLY_FOR = {"place": "LOCATED_IN", "plural": "LOCATED_IN", "post": "WORKS_AT"}


@dataclass
class Point:
    """Where one side of a candidate stands in its sentence: a mention's span, or the
    referring word standing in for it."""

    start: int
    stop: int
    referring: str = ""  # "", "pronoun", "noun", "plural", "there", "place" or "post"
    back: int = 0  # sentences between the referring word and the entity's last mention


def chars_between(a: Span, b: Span) -> int:
    """Characters between two spans (0 when they touch or overlap)."""
    return max(0, max(a.start, b.start) - min(a.stop, b.stop))


def within(inner: Span, outer: Span) -> bool:
    return outer.start <= inner.start and inner.stop <= outer.stop


def most_mentioned(entities: list[Entity]) -> Entity:
    """The entity with the most mentions, the first named of equals."""
    return min(entities, key=lambda e: (-len(e.mentions), e.mentions[0].start))


def embedding_of(words: list[str]) -> np.ndarray:
    vectors = [v for v in map(word_vector, words) if v is not None]
    if not vectors:
        return np.zeros(EMBEDDING_SIZE, dtype=np.float32)
    return np.mean(vectors, axis=0).astype(np.float32)


# the types whose candidates carry navec's vectors (600 dimensions: the joining word's, the mean of
# the words between) for their scorer: WORKS_AT's pairs are joined by the post itself («директор»,
# «глава»), whose meaning the vectors carry (over six seeds 0.821 with them, 0.809 without). The
# INVOLVED_IN and LOCATED_IN scorers fitted them to the training pairs' noise and read navec through
# cue_similarity alone (docs/quality.md, stop 30)
VECTOR_TYPES = frozenset({"WORKS_AT"})


def pair_vector(rtype: str, joining: list[str], between: list[str]) -> np.ndarray | None:
    """The joining word's navec vector and the mean of the words between, for the types that read them."""
    if rtype not in VECTOR_TYPES:
        return None
    return np.concatenate([embedding_of(joining), embedding_of(between)])


# the groups of cue words a pair's words are compared with in meaning: each INVOLVED_IN role's cues
# (role_cues) and these lists of vocabulary.json
CUE_GROUPS = ("build_verbs", "build_nouns", "start_verbs", "speech_verbs", "placing_verbs")


@dataclass(frozen=True)
class CueMatrix:
    """The cue groups' words as one matrix of unit navec vectors, each group a run of rows."""

    names: tuple[str, ...]
    rows: np.ndarray
    bounds: tuple[int, ...]  # where each group's rows start, and the end


@lru_cache(maxsize=1)
def cue_matrix() -> CueMatrix:
    groups: dict[str, list[str]] = defaultdict(list)
    for word, role in mapping("role_cues").items():
        groups[role].append(word)
    for name in CUE_GROUPS:
        groups[name] += sorted(words(name))
    names, rows, bounds = [], [], [0]
    for name, group in groups.items():
        vectors = [v for v in map(unit_vector, group) if v is not None]
        if vectors:
            names.append(name)
            rows += vectors
            bounds.append(len(rows))
    return CueMatrix(tuple(names), np.vstack(rows), tuple(bounds))


def cue_similarity(prefix: str, ws: list[str]) -> dict[str, float]:
    """How near in meaning the words come to each cue group: the best cosine of a word and a cue
    (navec), so that «вложит» or «потратит» counts with «инвестировать» though training never saw it.
    A few such numbers generalise where 300 dimensions of one word fit the training pairs' noise."""
    vectors = [v for v in map(unit_vector, ws) if v is not None]
    if not vectors:
        return {}
    cues = cue_matrix()
    best = (np.vstack(vectors) @ cues.rows.T).max(axis=0)
    return {f"{prefix}:{name}": round(float(best[lo:hi].max()), 4)
            for name, lo, hi in zip(cues.names, cues.bounds, cues.bounds[1:], strict=False)}


@lru_cache(maxsize=10_000)
def unit_vector(word: str) -> np.ndarray | None:
    v = word_vector(word)
    return None if v is None else v / (np.linalg.norm(v) or 1.0)


@lru_cache(maxsize=10_000)
def word_vector(word: str) -> np.ndarray | None:
    """navec's vector of a word (decoded from its quantised table once per word, 1.2 kB each), None
    if it has none."""
    emb = pipeline().embedding
    return emb[word] if word in emb else None


class SentenceView:
    """One sentence with its dependency tree and its tokens by offset."""

    def __init__(self, sent) -> None:
        self.sent = sent
        self.tree = Tree(sent)
        self.tokens = self.tree.tokens

    def head(self, p: Point):
        return self.tree.head(p.start, p.stop) or next((t for t in self.tokens if t.start >= p.start), None)

    def index(self, token) -> int:
        return self.tokens.index(token)

    def ancestors(self, token) -> list:
        chain = [token]
        while (parent := self.tree.parent(chain[-1])) is not None and len(chain) < 30:
            chain.append(parent)
        return chain


def path_features(view: SentenceView, a: Point, b: Point) -> tuple[dict[str, float], list[str]]:
    """The dependency path from a to b: relations up to the joining token and down again,
    its lemma, and the words that matter for meaning (the joining word, the path's words)."""
    f: dict[str, float] = {}
    ta, tb = view.head(a), view.head(b)
    if ta is None or tb is None:
        f["path:none"] = 1
        return f, []
    up, down = view.ancestors(ta), view.ancestors(tb)
    down_ids = [t.id for t in down]
    join = next((t for t in up if t.id in down_ids), None)
    if join is None:
        f["path:none"] = 1
        return f, []
    up_part = up[:next(i for i, t in enumerate(up) if t.id == join.id)]
    down_part = down[:down_ids.index(join.id)]
    rels = [t.rel.split(":")[0] for t in up_part] + ["^"] + [t.rel.split(":")[0] for t in reversed(down_part)]
    f["path:" + " ".join(rels)] = 1
    # the path's two ends alone generalise where the whole path is rare: "obl … nsubj"
    first, last = rels[0] if rels[0] != "^" else "end", rels[-1] if rels[-1] != "^" else "end"
    f["path_from:" + first] = 1
    f["path_to:" + last] = 1
    f[f"path_ends:{first}|{last}"] = 1
    f["path_len"] = min(len(rels) - 1, 8) / 8
    f["path_short"] = float(len(rels) - 1 <= 2)
    join_lemma = lemma(join.text)
    f["join:" + join_lemma] = 1
    f["join_pos:" + join.pos] = 1
    if join.id in (ta.id, tb.id):
        f["join_is_end"] = 1
    for t in up_part[1:] + down_part[1:]:
        f["on_path:" + lemma(t.text)] = 1
    meaning = [join.text.lower()] + [t.text.lower() for t in up_part[1:] + down_part[1:]
                                     if t.pos in ("VERB", "NOUN", "ADJ")]
    return f, meaning


def between_features(doc: Doc, view: SentenceView, a: Point, b: Point) -> tuple[dict[str, float], list[str]]:
    f: dict[str, float] = {}
    lo, hi = (a, b) if a.start <= b.start else (b, a)
    f["order:source_first"] = float(a.start <= b.start)
    inside = [t for t in view.tokens if lo.stop <= t.start and t.stop <= hi.start]
    f["between_len"] = min(len(inside), 30) / 30
    f["adjacent"] = float(len(inside) <= 2)
    if lo.stop > hi.start:  # one inside the other: "завод компании «X»", "парк в Хабаровске"
        f["nested"] = 1
    text = doc.text[lo.stop:hi.start] if lo.stop <= hi.start else ""
    f["clause_break"] = float(bool(CLAUSE_BREAK.search(text)))
    words = []
    if len(inside) <= MAX_BETWEEN:
        for t in inside:
            if t.pos in ("PUNCT",):
                f["between_punct:" + t.text] = 1
                continue
            f["between:" + lemma(t.text)] = 1
            words.append(t.text.lower())
    else:
        f["between_far"] = 1
    before = [t for t in view.tokens if t.stop <= b.start][-2:]
    for t in before:
        if t.pos == "ADP":
            f["target_prep:" + t.text.lower()] = 1
    return f, words


def sentence_cues(view: SentenceView, cue_words: frozenset[str]) -> dict[str, float]:
    return {"cue:" + w: 1 for t in view.tokens if (w := lemma(t.text)) in cue_words}


def kind_features(prefix: str, e: Entity) -> dict[str, float]:
    f = {f"{prefix}_type:{e.type}": 1.0}
    if e.kind:
        f[f"{prefix}_kind:{e.kind}"] = 1.0
    if e.type == "PROJECT":
        f[f"{prefix}_named"] = float("«" in e.name)
    return f


class Candidates:
    """All candidates of one article."""

    def __init__(self, doc: Doc, entities: list[Entity], rule_relations: list[Relation], cue_words: frozenset[str],
                 posts: list | None = None):
        self.doc, self.entities, self.cue_words = doc, entities, cue_words
        self.posts = sorted(posts or [], key=lambda p: p.start)
        self.views = [SentenceView(s) for s in doc.sents]
        self.rules = {(r.type, r.source, r.target): r.role for r in rule_relations}
        self.rule_pairs = {(r.type, r.source, r.target) for r in rule_relations}
        self.points: dict[int, dict[str, list[Point]]] = defaultdict(lambda: defaultdict(list))
        for e in entities:
            for m in e.mentions:
                self.points[self.sentence_index(m.start)][e.id].append(Point(m.start, m.stop))
        self.by_id = {e.id: e for e in entities}
        self.traits = {e.id: self.traits_of(e) for e in entities}
        self.add_referring()
        self.add_unnamed_posts()

    def traits_of(self, e: Entity) -> dict[str, float]:
        """What the article says an organisation is: the word its name starts with
        ("правительство", "ООО", "корпорация"), and how often it is cited as the news' source
        ("передает ТАСС") rather than acting in it. A place: its scale and how much the article
        is about it (place_traits)."""
        if e.type == "LOC" and e.mentions:
            return self.place_traits(e)
        if e.type != "ORG" or not e.mentions:
            return {}
        first = e.name.split()[0] if e.name.split() else ""
        head = "«»" if first.startswith("«") else lemma(first.lower())
        cited = sum(self.cited_at(m.start, m.stop) for m in e.mentions)
        return {"head:" + head: 1.0, "cited": cited / len(e.mentions), "ever_cited": float(cited > 0),
                "federal": float(federal_power(e.name) or bool(OF_RUSSIA.search(canonical("ORG", e.name) or e.name)))}

    def place_traits(self, e: Entity) -> dict[str, float]:
        """A place's scale (a country, a region, a district, or smaller), its share of the
        article's place mentions, whether it is the most mentioned, and whether the headline
        (the first sentence) names it: a project named apart from any place is in the article's place."""
        key = name_key(e.name)
        words = set(key.split())
        scale = ("country" if key in lexicon()["countries"] else "region" if words & REGION_NOUNS
                 else "district" if words & DISTRICT_NOUNS else "local")
        places = [x for x in self.entities if x.type == "LOC" and x.mentions]
        total = sum(len(x.mentions) for x in places)
        return {"place:" + scale: 1.0, "place_share": len(e.mentions) / total,
                "place_top": float(most_mentioned(places) is e), "place_title": float(self.in_headline(e))}

    def in_headline(self, e: Entity) -> bool:
        """Whether the article's first sentence (its headline, or its lead) names the entity."""
        return any(self.sentence_index(m.start) == 0 for m in e.mentions)

    def cited_at(self, start: int, stop: int) -> bool:
        """A name cited as the source: after a word of citing, or in a dateline
        ("КАЗАНЬ, 11 октября — РИА Новости.")."""
        text = self.doc.text
        if any(lemma(w.lower()) in CITING for w in re.findall(r"\w+", text[max(0, start - 40):start])[-3:]):
            return True
        return start < 200 and bool(DATELINE.search(text[:start])) and text[stop:stop + 1] in (".", ":")

    def describe(self, side: str, e: Entity) -> dict[str, float]:
        """The features of one end of a candidate: its type and kind, and its traits."""
        f = kind_features(side, e)
        f.update({f"{side}_{k}": v for k, v in self.traits[e.id].items()})
        return f

    def sentence_index(self, offset: int) -> int:
        for i, s in enumerate(self.doc.sents):
            if s.start <= offset < s.stop:
                return i
        return -1

    def covered(self, i: int, token) -> bool:
        return any(p.start <= token.start < p.stop for ps in self.points[i].values() for p in ps if not p.referring)

    def last_named(self, i: int, offset: int, types: set[str], fits: Callable[[Entity], bool] = lambda e: True,
                   reach: int = REFERRING_SENTENCES) -> tuple[str, int] | None:
        """The entity of one of these types (that `fits`) named last before `offset` (in sentence
        i or the `reach` before it), and how many sentences back."""
        for back in range(reach + 1):
            j = i - back
            if j < 0:
                break
            named = self.named_in(j, offset, types, fits)
            if named:
                return max(named, key=lambda x: x[1])[0], back
            offset = 1 << 60
        return None

    def named_in(self, j: int, offset: int, types: set[str],
                 fits: Callable[[Entity], bool] = lambda e: True) -> list[tuple[str, int]]:
        """The entities of these types (that `fits`) named in sentence j before `offset`, each
        mention with where it starts, in the order they were found."""
        return [(eid, p.start) for eid, ps in self.points[j].items()
                if self.by_id[eid].type in types and fits(self.by_id[eid])
                for p in ps if not p.referring and p.stop <= offset]

    def add_referring(self) -> None:
        for i, view in enumerate(self.views):
            for t in view.tokens:
                word = t.text.lower()
                lem = lemma(word)
                if self.covered(i, t):
                    continue
                if (word in ORG_PRONOUNS and t.rel.startswith("nsubj")) or (lem in ORG_REFERRING and t.pos == "NOUN"
                                                                               and t.feats.get("Number") != "Plur"):
                    kind, types = ("pronoun" if word in ORG_PRONOUNS else "noun"), {"ORG"}
                elif lem in PROJECT_REFERRING and t.pos == "NOUN" and t.feats.get("Number") != "Plur":
                    kind, types = "noun", {"PROJECT"}
                elif lem in PROJECT_REFERRING and t.pos == "NOUN" and t.rel.startswith("nsubj"):
                    self.add_plural(i, t)
                    continue
                elif word in PROJECT_PRONOUNS and t.pos == "PRON" and t.rel in ("obj", "obl", "iobj"):
                    kind, types = "pronoun", {"PROJECT"}
                elif word in THERE:
                    self.add_there(i, t)
                    continue
                elif lem in PLACE_REFERRING and t.pos == "NOUN" and t.feats.get("Number") != "Plur" \
                        and not any(c.rel.split(":")[0] in NAMED_ON for c in view.tree.children[t.id]):
                    self.add_place(i, t, PLACE_REFERRING[lem])
                    continue
                else:
                    continue
                found = self.last_named(i, t.start, types)
                if found is None:
                    continue
                eid, back = found
                if back == 0 and types == {"PROJECT"}:
                    continue  # a project named earlier in the same sentence needs no stand-in
                self.points[i][eid].append(Point(t.start, t.stop, kind, back))

    def add_unnamed_posts(self) -> None:
        """"Премьер-министр Израиля заявил, что …" with no one named at the post: the post
        stands for the person named last (in its sentence or the few before), for WORKS_AT."""
        for post in self.posts:
            i = self.sentence_index(post.start)
            if post.plural or i < 0 or any(within(post, q) and q is not post for q in self.posts) or any(
                    self.by_id[eid].type == "PERSON" and chars_between(p, post) <= POST_REACH
                    for eid, ps in self.points[i].items() for p in ps if not p.referring):
                continue
            found = self.last_named(i, post.start, {"PERSON"})
            if found is not None:
                eid, back = found
                self.points[i][eid].append(Point(post.start, post.stop, "post", back))

    def add_plural(self, i: int, t) -> None:
        """"Объекты появятся в Салехарде": a plural referring noun as a subject stands for every
        project named in the nearest sentence before that names any; where they are, not who builds
        them (LOCATED_IN only, like a place noun: as a party's project it took more wrong than right)."""
        for back in range(1, min(REFERRING_SENTENCES, i) + 1):
            named = dict.fromkeys(eid for eid, _ in self.named_in(i - back, 1 << 60, {"PROJECT"}))
            for eid in named:
                self.points[i][eid].append(Point(t.start, t.stop, "plural", back))
            if named:
                return

    def add_there(self, i: int, t) -> None:
        """"там", "здесь": the territory project and the place named last before it (in this
        sentence or the few before), each stood in for by the word."""
        for found in (self.last_named(i, t.start, {"PROJECT"}, lambda e: e.kind in ZONE_KINDS),
                      self.last_named(i, t.start, {"LOC"})):
            if found is not None:
                eid, back = found
                self.points[i][eid].append(Point(t.start, t.stop, "there", back))

    def add_place(self, i: int, t, scales: tuple[str, ...]) -> None:
        """"в регионе", "в районе": the place of one of these scales named last before the word,
        however far back (the article's region is often named once, in its first lines)."""
        found = self.last_named(i, t.start, {"LOC"}, lambda e: any(self.traits[e.id].get("place:" + s) for s in scales),
                                reach=i)
        if found is not None:
            eid, back = found
            self.points[i][eid].append(Point(t.start, t.stop, "place", min(back, 2 * REFERRING_SENTENCES)))

    def pairs(self, rtype: str, sources: set[str], targets: set[str]) -> list[Candidate]:
        found: dict[tuple[str, str], Candidate] = {}
        for i, view in enumerate(self.views):
            here = {eid: usable for eid, ps in self.points[i].items()
                    if (usable := [p for p in ps if ONLY_FOR.get(p.referring, rtype) == rtype])}
            for sid, sps in here.items():
                s = self.by_id[sid]
                if s.type not in sources:
                    continue
                for tid, tps in here.items():
                    t = self.by_id[tid]
                    if tid == sid or t.type not in targets:
                        continue
                    closest = min(((a, b) for a in sps for b in tps if not (a.referring and b.referring)),
                                  key=lambda ab: (abs(ab[0].start - ab[1].start)), default=None)
                    if closest is None:
                        continue
                    a, b = closest
                    candidate = self.candidate(rtype, s, t, i, view, a, b)
                    candidate.features.update(self.rivals(here, sid, tid, a, b, sources, targets))
                    if rtype == "LOCATED_IN":
                        owned = self.owned(here, sid, tid, a, b, sources, targets)
                        # the place of another project's name, in a list ("…, комбинаты в Бодайбинском районе")
                        if owned.get("tgt_in_other") and not owned.get("tgt_in_other_coordinated"):
                            continue
                        candidate.features.update(owned)
                    key = (sid, tid)
                    old = found.get(key)
                    if old is None or candidate.features.get("distance", 1) < old.features.get("distance", 1):
                        found[key] = candidate
        return list(found.values())

    def rivals(self, here: dict[str, list[Point]], sid: str, tid: str, a: Point, b: Point,
               sources: set[str], targets: set[str]) -> dict[str, float]:
        """How the pair stands against the sentence's other entities of the same types: a party
        in a sentence naming three projects belongs to the nearest, not to all three."""
        def gap(x: Point, ps: list[Point]) -> int:
            return min(abs(x.start - p.start) for p in ps)

        lo, hi = min(a.start, b.start), max(a.start, b.start)
        out: dict[str, float] = {}
        for side, own, other, anchor, types in (("tgt", tid, sid, a, targets), ("src", sid, tid, b, sources)):
            rivals = [ps for eid, ps in here.items() if eid not in (own, other) and self.by_id[eid].type in types
                      and any(not p.referring for p in ps)]
            own_gap = abs(a.start - b.start)
            out[f"{side}_rivals"] = min(len(rivals), 4) / 4
            out[f"{side}_nearest"] = float(all(own_gap <= gap(anchor, ps) for ps in rivals))
            out[f"{side}_rival_between"] = float(any(lo < p.start < hi for ps in rivals for p in ps))
        return out

    def owned(self, here: dict[str, list[Point]], sid: str, tid: str, a: Point, b: Point,
              sources: set[str], targets: set[str]) -> dict[str, float]:
        """Whether the target is written inside another source's name ("комбинаты в Бодайбинском
        районе"), joined to this source by "и" or not, and whether this source's name holds a
        target of its own ("комплекс в Усть-Куте")."""
        out: dict[str, float] = {}
        if within(b, a):
            return out
        others = [(self.by_id[eid].type, p) for eid, ps in here.items() if eid not in (sid, tid)
                  for p in ps if not p.referring]
        holders = [p for kind, p in others if kind in sources and within(b, p)]
        if holders:
            out["tgt_in_other"] = 1.0
            if any(COORDINATED.fullmatch(self.doc.text[a.stop:p.start]) for p in holders if a.stop <= p.start):
                out["tgt_in_other_coordinated"] = 1.0
        if any(kind in targets and within(p, a) for kind, p in others):
            out["src_holds_other"] = 1.0
        return out

    def candidate(self, rtype: str, s: Entity, t: Entity, i: int, view: SentenceView, a: Point, b: Point) -> Candidate:
        f: dict[str, float] = {"bias": 1.0}
        f.update(self.describe("src", s))
        f.update(self.describe("tgt", t))
        path, meaning = path_features(view, a, b)
        f.update(path)
        between, words = between_features(self.doc, view, a, b)
        f.update(between)
        f.update(sentence_cues(view, self.cue_words))
        for side, p in (("src", a), ("tgt", b)):
            if p.referring:
                f[f"{side}_referring:{p.referring}"] = 1
                f[f"{side}_back"] = p.back / REFERRING_SENTENCES
        f["distance"] = min(abs(a.start - b.start), 400) / 400
        f["src_mentions"] = min(len(s.mentions), 10) / 10
        f["tgt_mentions"] = min(len(t.mentions), 10) / 10
        key = (rtype, s.id, t.id)
        rule_role = self.rules.get(key) if key in self.rule_pairs else None
        if key in self.rule_pairs:
            f["rule"] = 1
            f["rule_role:" + (rule_role or "none")] = 1
        f.update(cue_similarity("sim_join", meaning[:1]))
        f.update(cue_similarity("sim_path", words + meaning[1:]))
        vector = pair_vector(rtype, meaning[:1], words + meaning[1:])
        return Candidate(rtype, s, t, (view.sent.start, view.sent.stop), f, vector, rule_role)

    def all(self, rule_relations: list[Relation]) -> list[Candidate]:
        found = self.pairs("INVOLVED_IN", PARTIES, {"PROJECT"}) + self.pairs("LOCATED_IN", LOCATABLE, {"LOC"})
        found += [c for c in self.pairs("WORKS_AT", {"PERSON"}, {"ORG", "LOC"}) if self.with_post(c)]
        seen = {(c.type, c.source.id, c.target.id) for c in found}
        found += self.rule_only(rule_relations, seen)
        found += self.distant("INVOLVED_IN", PARTIES, {"PROJECT"}, "source", seen)
        found += self.distant("LOCATED_IN", {"PROJECT"}, {"LOC"}, "target", seen)
        return found

    def with_post(self, c: Candidate) -> bool:
        """A person–organisation pair is a WORKS_AT candidate only with a post near the person
        in the sentence: the post is its role ("гендиректор", "министр промышленности")."""
        lo, hi = c.sentence
        person = [m for m in c.source.mentions if lo <= m.start < hi]
        # the organisation named, or a noun standing for it ("генеральный директор концерна Иван Петров")
        target: list[Span] = [m for m in c.target.mentions if lo <= m.start < hi]
        target += [p for p in self.points[self.sentence_index(lo)][c.target.id] if p.referring == "noun"]
        near: list[tuple[int, Any, Span]] = [
            (min(abs(p.start - m.stop), abs(m.start - p.stop)), p, m) for p in self.posts
            if lo <= p.start < hi for m in person if min(abs(p.start - m.stop), abs(m.start - p.stop)) <= POST_REACH]
        # a post standing for its holder ("Премьер-министр Израиля заявил"): where they work is in
        # the post or right after it
        near += [(0, p, m) for m in self.points[self.sentence_index(lo)][c.source.id] if m.referring == "post"
                 for p in self.posts if (p.start, p.stop) == (m.start, m.stop)
                 and any(within(t, p) or 0 <= t.start - p.stop <= 2 for t in target)]
        if not near or not target:
            return False
        gap, post, m = min(near, key=lambda x: (x[0], x[1].start))
        t = min(target, key=lambda x: abs(x.start - post.start))
        text = self.doc.text
        c.role = post.role
        c.features["post_gap"] = min(gap, POST_REACH) / POST_REACH
        c.features["post_before_person"] = float(post.stop <= m.start)
        c.features["post_adjacent"] = float(not text[min(post.stop, m.stop):max(post.start, m.start)].strip(" ,—–-"))
        c.features["post_between"] = float(min(m.start, t.start) <= post.start < max(m.start, t.start))
        c.features["post_target_gap"] = min(abs(t.start - post.stop) if t.start >= post.stop else 200, 200) / 200
        c.features["post_target_adjacent"] = float(0 <= t.start - post.stop <= 2)
        c.features["post_plural"] = float(post.plural)
        words = post.role.split()
        if words:
            c.features["post:" + lemma(words[0])] = 1
        c.features["target_after_person"] = float(t.start > m.start)
        return True

    def topic_features(self, project: Entity, near: int) -> dict[str, float]:
        """How much a project is what the article is about: in its title (first sentence), its
        most mentioned project, how far its nearest mention is from sentence `near`."""
        projects = [e for e in self.entities if e.type == "PROJECT"]
        where = [self.sentence_index(m.start) for m in project.mentions]
        gap = min(abs(w - near) for w in where)
        before = [w for w in where if w < near]
        return {"topic_title": float(self.in_headline(project)),
                "topic_rank_first": float(most_mentioned(projects) is project),
                "topic_only": float(len(projects) == 1), "topic_projects": min(len(projects), 10) / 10,
                "topic_gap": min(gap, 10) / 10, "topic_gap1": float(gap == 1),
                "topic_last_before": float(bool(before) and not any(
                    self.sentence_index(m.start) in range(max(before) + 1, near)
                    for e in projects if e is not project for m in e.mentions))}

    def distant(self, rtype: str, sources: set[str], targets: set[str], anchor_side: str,
                seen: set[tuple[str, str, str]]) -> list[Candidate]:
        """Pairs never named in one sentence: the party (or place) in its own sentence, with
        the project the article is about ("ТОР «Бурятия» прирастет … Инициатором проекта
        выступило ООО «…»"). The anchor's sentence is the evidence."""
        out = []
        for s in self.entities:
            if s.type not in sources:
                continue
            for t in self.entities:
                if t.type not in targets or t.id == s.id or (rtype, s.id, t.id) in seen:
                    continue
                anchor, project = (s, t) if anchor_side == "source" else (t, s)
                m = min(anchor.mentions, key=lambda m: min(
                    abs(self.sentence_index(m.start) - self.sentence_index(p.start)) for p in project.mentions))
                i = self.sentence_index(m.start)
                if i < 0:
                    continue
                view = self.views[i]
                f: dict[str, float] = {"bias": 1.0, "distant": 1.0}
                f.update(self.describe("src", s))
                f.update(self.describe("tgt", t))
                f.update(self.topic_features(project, i))
                f.update({"distant_" + k: v for k, v in sentence_cues(view, self.cue_words).items()})
                token = view.head(Point(m.start, m.stop))
                meaning = []
                if token is not None:
                    f["anchor_rel:" + token.rel] = 1
                    if (parent := view.tree.parent(token)) is not None:
                        f["anchor_governor:" + lemma(parent.text)] = 1
                        meaning = [parent.text.lower()]
                f["anchor_project_word"] = float(any(lemma(x.text) in PROJECT_REFERRING for x in view.tokens))
                f["anchor_has_project"] = float(any(self.by_id[e].type == "PROJECT" for e in self.points[i]))
                f["anchor_paired"] = float(self.named_with(anchor, project.type))
                seen.add((rtype, s.id, t.id))
                vector = pair_vector(rtype, meaning, [])
                out.append(Candidate(rtype, s, t, (view.sent.start, view.sent.stop), f, vector, None))
        return out

    def named_with(self, anchor: Entity, kind: str) -> bool:
        """Whether `anchor` is named in a sentence with some entity of type `kind`: a party
        named beside a project of its own is less likely to belong to one named elsewhere."""
        return any(self.by_id[e].type == kind and e != anchor.id
                   for ps in self.points.values() if anchor.id in ps for e in ps)

    def rule_only(self, rule_relations: list[Relation], seen: set[tuple[str, str, str]]) -> list[Candidate]:
        """What the rules found across sentences that no pair above covers ("the plants the text
        was just listing"): a candidate with the rule's vote and the two entities' kinds."""
        out = []
        for r in rule_relations:
            key = (r.type, r.source, r.target)
            if r.type not in LEARNED_TYPES or key in seen or not r.evidence:
                continue
            seen.add(key)
            s, t = self.by_id[r.source], self.by_id[r.target]
            f = {"bias": 1.0, "rule": 1.0, "rule_only": 1.0, "rule_role:" + (r.role or "none"): 1.0}
            f.update(self.describe("src", s))
            f.update(self.describe("tgt", t))
            ev = r.evidence[0]
            out.append(Candidate(r.type, s, t, (ev.start, ev.stop), f, None, r.role))
        return out



def relation_candidates(doc: Doc, entities: list[Entity], rule_relations: list[Relation],
                        cue_words: frozenset[str], posts: list | None = None) -> list[Candidate]:
    return Candidates(doc, entities, rule_relations, cue_words, posts).all(rule_relations)
