"""The relation model: which candidates are relations, with what confidence and role.

The model is a set of logistic regressions trained from the gold by `make train`
(`ingest/train.py`) and shipped as a plain JSON file, `ingest/data/relation_model.json`:
per relation type a weight per feature name, weights for the navec vector, a bias and the
decision threshold chosen in training; for INVOLVED_IN also one such scorer per role.
Reading it needs only numpy, so extraction never needs the training libraries.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

from graph.model import Evidence, Relation

from .candidates import Candidate

MODEL_FILE = "relation_model.json"


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

    @classmethod
    def from_json(cls, d: dict) -> Linear:
        return cls(d["weights"], np.asarray(d.get("vector", []), dtype=np.float32), d["bias"])

    def to_json(self) -> dict:
        return {"bias": self.bias, "weights": self.weights, "vector": [round(float(x), 6) for x in self.vector]}


def sigmoid(z: float) -> float:
    return float(1 / (1 + np.exp(-z)))


@dataclass
class TypeModel:
    relation: Linear
    threshold: float
    roles: dict[str, Linear]

    def probability(self, c: Candidate) -> float:
        return sigmoid(self.relation.score(c))

    def role(self, c: Candidate) -> str | None:
        if not self.roles:
            return None
        return max(self.roles, key=lambda r: (self.roles[r].score(c), r))


@dataclass
class RelationModel:
    types: dict[str, TypeModel]
    trained_on: dict

    @classmethod
    def from_json(cls, d: dict) -> RelationModel:
        types = {t: TypeModel(Linear.from_json(m["relation"]), m["threshold"],
                              {r: Linear.from_json(x) for r, x in m.get("roles", {}).items()})
                 for t, m in d["types"].items()}
        return cls(types, d.get("trained_on", {}))

    def to_json(self) -> dict:
        return {"trained_on": self.trained_on,
                "types": {t: {"threshold": m.threshold, "relation": m.relation.to_json(),
                              "roles": {r: x.to_json() for r, x in m.roles.items()}}
                          for t, m in self.types.items()}}

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


def decide(candidates: list[Candidate], model: RelationModel, article_id: str, text: str) -> list[Relation]:
    """The candidates the model takes, one relation per (type, source, target): the role of its
    most confident sentence, the confidence of that sentence, every accepted sentence as evidence."""
    best: dict[tuple[str, str, str], tuple[float, Candidate]] = {}
    evidence: dict[tuple[str, str, str], list[Evidence]] = {}
    for c in candidates:
        m = model.types.get(c.type)
        if m is None:
            continue
        p = m.probability(c)
        if p < m.threshold:
            continue
        key = (c.type, c.source.id, c.target.id)
        start, stop = c.sentence
        ev = Evidence(article_id, start, stop, text[start:stop])
        evidence.setdefault(key, [])
        if ev not in evidence[key]:
            evidence[key].append(ev)
        if key not in best or p > best[key][0]:
            best[key] = (p, c)
    relations = []
    for key, (p, c) in best.items():
        role = model.types[c.type].role(c)
        relations.append(Relation(c.type, c.source.id, c.target.id, role, evidence[key], confidence=round(p, 3)))
    return relations
