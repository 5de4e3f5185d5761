"""The relation model: which candidates are relations, with what confidence and role.

Trained from the gold by `make train` (`ingest/train.py`) and shipped as one JSON file,
`ingest/data/relation_model.json`: per relation type a LightGBM booster (gradient-boosted
trees, which see how features combine: a cue counts for a pair in one sentence, less for the
article's project named three sentences away) over the candidates' named features and navec
vectors, the feature names it reads, and the decision threshold chosen in training; for
INVOLVED_IN also one logistic scorer per role.
"""
from __future__ import annotations

import json
import sys
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from types import ModuleType
from typing import TypeVar

import numpy as np

from graph.model import Evidence, Relation

from .candidates import Candidate

MODEL_FILE = "relation_model.json"
# what lightgbm imports when installed, for its scikit-learn estimators and DataFrame input, which
# the relation model does not use (boosters over numpy arrays): 1.2 s of every extracting
# process's start where they are installed (the training extra, the tests, the app's pandas)
UNUSED_BY_LIGHTGBM = ("sklearn", "pandas")


def lightgbm_module() -> ModuleType:
    """lightgbm, imported without scikit-learn and pandas unless they are imported already (a None
    in sys.modules makes an import fail; it is taken out again at once, so that they import as
    usual afterwards)."""
    if "lightgbm" in sys.modules:
        return sys.modules["lightgbm"]
    hidden = [name for name in UNUSED_BY_LIGHTGBM if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]
    try:
        import lightgbm
    finally:
        for name in hidden:
            if sys.modules.get(name, 0) is None:
                del sys.modules[name]
    return lightgbm


@dataclass
class Linear:
    """One logistic scorer: named sparse features plus a dense vector."""

    weights: dict[str, float]
    vector: np.ndarray
    bias: float

    def score(self, c: Candidate) -> float:
        z = self.bias + sum(self.weights.get(k, 0.0) * v for k, v in c.features.items())
        if c.vector is not None and self.vector.size:
            z += float(self.vector @ c.vector)
        return z

    def probabilities(self, candidates: list) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-np.array([self.score(c) for c in candidates], dtype=np.float64)))

    @classmethod
    def from_json(cls, d: dict) -> Linear:
        return cls(d["weights"], np.asarray(d.get("vector", []), dtype=np.float32), d["bias"])

    def to_json(self) -> dict:
        return {"bias": self.bias, "weights": self.weights, "vector": [round(float(x), 6) for x in self.vector]}


def feature_matrix(candidates: list, column: dict[str, int], vector_size: int) -> np.ndarray:
    """One row per candidate: its named features in their columns, then its vector."""
    x = np.zeros((len(candidates), len(column) + vector_size), dtype=np.float32)
    for i, c in enumerate(candidates):
        for k, v in c.features.items():
            if (j := column.get(k)) is not None:
                x[i, j] = v
        if vector_size and c.vector is not None:
            x[i, len(column):] = c.vector
    return x


class Boosted:
    """A LightGBM booster over a fixed list of named features and the candidate's vector."""

    def __init__(self, names: list[str], vector_size: int, booster_text: str) -> None:
        self.names, self.vector_size, self.text = names, vector_size, booster_text
        self.column = {k: i for i, k in enumerate(names)}
        self.booster = lightgbm_module().Booster(model_str=booster_text)

    def probabilities(self, candidates: list) -> np.ndarray:
        if not candidates:
            return np.zeros(0)
        x = feature_matrix(candidates, self.column, self.vector_size)
        return np.asarray(self.booster.predict(x, num_threads=1))

    def to_json(self) -> dict:
        return {"features": self.names, "vector_size": self.vector_size, "booster": self.text}

    @classmethod
    def from_json(cls, d: dict) -> Boosted:
        return cls(d["features"], d["vector_size"], d["booster"])


@dataclass
class Averaged:
    """A booster and a logistic regression fitted on the same candidates, their probabilities
    averaged: the linear model's smoother view of the sparse cue features steadies the trees."""

    boosted: Boosted
    linear: Linear

    def probabilities(self, candidates: list) -> np.ndarray:
        return (self.boosted.probabilities(candidates) + self.linear.probabilities(candidates)) / 2

    def to_json(self) -> dict:
        return {"boosted": self.boosted.to_json(), "linear": self.linear.to_json()}

    @classmethod
    def from_json(cls, d: dict) -> Averaged:
        return cls(Boosted.from_json(d["boosted"]), Linear.from_json(d["linear"]))


@dataclass
class Bagged:
    """Boosters fitted on resamples of the same candidates (rows and columns drawn per tree, each
    with its own seed), their probabilities averaged: a single booster's splits follow small
    changes in its few hundred positives; the average does not."""

    boosters: list[Boosted]

    def probabilities(self, candidates: list) -> np.ndarray:
        return np.mean([b.probabilities(candidates) for b in self.boosters], axis=0)

    def to_json(self) -> dict:
        return {"bagged": [b.to_json() for b in self.boosters]}

    @classmethod
    def from_json(cls, d: dict) -> Bagged:
        return cls([Boosted.from_json(b) for b in d["bagged"]])


Scorer = Boosted | Averaged | Bagged


def scorer_of(d: dict) -> Scorer:
    if "bagged" in d:
        return Bagged.from_json(d)
    return Averaged.from_json(d) if "linear" in d else Boosted.from_json(d)


@dataclass
class TypeModel:
    relation: Scorer
    threshold: float
    roles: dict[str, Linear]
    distant_threshold: float | None = None  # for pairs never named in one sentence; None: `threshold`

    def threshold_for(self, c: Candidate) -> float:
        if self.distant_threshold is not None and c.features.get("distant") == 1:
            return self.distant_threshold
        return self.threshold

    def probabilities(self, candidates: list) -> np.ndarray:
        return self.relation.probabilities(candidates)

    def probability(self, c) -> float:
        return float(self.probabilities([c])[0])

    def role(self, c: Candidate) -> str | None:
        if c.role is not None:  # a post read off the text (WORKS_AT)
            return c.role
        if not self.roles:
            return None
        return max(self.roles, key=lambda r: (self.roles[r].score(c), r))


def type_model_json(m: TypeModel) -> dict:
    return {"threshold": m.threshold, "distant_threshold": m.distant_threshold, "relation": m.relation.to_json(),
            "roles": {r: x.to_json() for r, x in m.roles.items()}}


def type_model(d: dict) -> TypeModel:
    return TypeModel(scorer_of(d["relation"]), d["threshold"],
                     {r: Linear.from_json(x) for r, x in d.get("roles", {}).items()}, d.get("distant_threshold"))


@dataclass
class RelationModel:
    """Per relation type, which candidates are relations; `projects`: which project phrases the
    grammar missed name a project (ingest/project_spans.py)."""

    types: dict[str, TypeModel]
    trained_on: dict
    projects: TypeModel | None = None
    # relation types made by rules alone (PART_OF): the share of their relations the gold states,
    # measured in training, as the confidence of each
    rule_precision: dict[str, float] = field(default_factory=dict)

    def projects_taken(self, candidates: list) -> list:
        if self.projects is None:
            return []
        ps = self.projects.probabilities(candidates)
        return [c for c, p in zip(candidates, ps, strict=False) if p >= self.projects.threshold]

    @classmethod
    def from_json(cls, d: dict) -> RelationModel:
        return cls({t: type_model(m) for t, m in d["types"].items()}, d.get("trained_on", {}),
                   type_model(d["projects"]) if d.get("projects") else None, d.get("rule_precision", {}))

    def to_json(self) -> dict:
        return {"trained_on": self.trained_on, "rule_precision": self.rule_precision,
                "projects": type_model_json(self.projects) if self.projects else None,
                "types": {t: type_model_json(m) for t, m in self.types.items()}}

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_json(), ensure_ascii=False, separators=(",", ":")), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> RelationModel:
        return cls.from_json(json.loads(path.read_text(encoding="utf-8")))


@lru_cache(maxsize=1)
def shipped_model() -> RelationModel | None:
    """The model in the package; None before `make train` has ever written one."""
    resource = resources.files("ingest.data").joinpath(MODEL_FILE)
    if not resource.is_file():
        return None
    return RelationModel.from_json(json.loads(resource.read_text(encoding="utf-8")))


T = TypeVar("T")


def best_of_each(items: list[T], party: Callable[[T], Hashable | None],
                 probability: Callable[[T], float]) -> list[T]:
    """The items whose party is None, and of each party's items the most probable (the first of
    equals), in their order."""
    best: dict[Hashable, tuple[float, int]] = {}
    for i, item in enumerate(items):
        key = party(item)
        if key is not None and (key not in best or probability(item) > best[key][0]):
            best[key] = (probability(item), i)
    kept = {i for _, i in best.values()}
    return [item for i, item in enumerate(items) if party(item) is None or i in kept]


def one_distant_per_party(scored: list[tuple[Candidate, float]]) -> list[tuple[Candidate, float]]:
    """A distant pair gives a party never named with a project the project the article is about;
    an article has one such for each party: of a party's distant INVOLVED_IN pairs only the most
    probable stays. (An article listing a forum's agreements paired each company with each of its
    eleven projects; 5-fold CV over seeds 13/7/21: INVOLVED_IN 0.458 -> 0.480.)"""
    def party(cp: tuple[Candidate, float]) -> str | None:
        c = cp[0]
        return c.source.id if c.type == "INVOLVED_IN" and c.features.get("distant") == 1 else None
    return best_of_each(scored, party, lambda cp: cp[1])


def decide(candidates: list[Candidate], model: RelationModel, rules: list[Relation],
           article_id: str, text: str) -> list[Relation]:
    """The rules' relations, each with the model's confidence in it, and the candidates the model
    takes that the rules did not find: one relation per (type, source, target), with the role of
    its most confident sentence and every accepted sentence as evidence. The rules stay where they
    are precise (on the texts they were written for the learned relations alone scored lower)."""
    confidence: dict[tuple[str, str, str], float] = {}
    best: dict[tuple[str, str, str], tuple[float, Candidate]] = {}
    evidence: dict[tuple[str, str, str], list[Evidence]] = {}
    scored: list[tuple[Candidate, float]] = []  # numpy's float64 is a float
    for rtype, m in model.types.items():
        of_type = [c for c in candidates if c.type == rtype]
        scored += zip(of_type, m.probabilities(of_type), strict=False)
    for c, p in one_distant_per_party(scored):
        m = model.types[c.type]
        p = float(p)
        key = (c.type, c.source.id, c.target.id)
        confidence[key] = max(p, confidence.get(key, 0.0))
        if p < m.threshold_for(c):
            continue
        start, stop = c.sentence
        ev = Evidence(article_id, start, stop, text[start:stop])
        evidence.setdefault(key, [])
        if ev not in evidence[key]:
            evidence[key].append(ev)
        if key not in best or p > best[key][0]:
            best[key] = (p, c)
    relations = []
    for r in rules:
        key = (r.type, r.source, r.target)
        if key in confidence:
            r = replace(r, confidence=round(confidence[key], 3))
        elif r.type in model.rule_precision:
            r = replace(r, confidence=model.rule_precision[r.type])
        relations.append(r)
    by_rules = {(r.type, r.source, r.target) for r in rules}
    for key, (p, c) in best.items():
        if key not in by_rules:
            role = model.types[c.type].role(c)
            relations.append(Relation(c.type, c.source.id, c.target.id, role, evidence[key], confidence=round(p, 3)))
    return relations
