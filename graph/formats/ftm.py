"""`investgraph export --format ftm`: a snapshot as FollowTheMoney entities, one JSON object a line
(`ftm` tools, Aleph / OpenAleph, yente and screening pipelines read them), made and cleaned with
the followthemoney library (`pip install 'investgraph[ftm]'`).

    PERSON   -> Person            name, alias, sourceUrl
    ORG      -> Company when a name or alias carries a commercial legal form (ООО, АО, ПАО, …,
                "компания"), else Organization
    LOC      -> Address           name, full: FtM's place schema
    PROJECT  -> Project           name, alias, summary (the kind), amount + currency (investment),
                                  phase (stage), notes (jobs, area, years)
    WORKS_AT    PERSON -> ORG   -> Employment (employee, employer, role: the post)
                PERSON -> LOC   -> UnknownLink (subject, object, role: the post), as Employment
                                   needs an organisation
    INVOLVED_IN                 -> ProjectParticipant (participant, project, role)
    PART_OF                     -> Membership (member: the unit or company, organization: the body
                                   or group, role "входит в")
    LOCATED_IN                  -> addressEntity of the project or organisation: FtM's own way of
                                   placing a thing

Every entity and link has sourceUrl (the urls of the articles that mention it or state it);
links also have recordId (the relation's id), date (their articles' dates) and description
(the evidence sentences). With `articles` each article is an Article entity (title, publishedAt,
sourceUrl) and every entity and link names its articles as proof. Ids are SHA-1 of the node or
relation id (`make_id`), so the same snapshot gives the same ids.

The manifest cannot go inside (every line is an entity): it goes beside, FILE.manifest.json.
Kept between passes: node id -> type and the places of each node (LOCATED_IN), and the articles.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from graph.model import SCHEMA, labels

from .base import Parts, article_urls, evidence_articles, mention_articles

NAMESPACE = "investgraph"
COMPANY = re.compile(r"\b(ООО|ОАО|ЗАО|ПАО|АО|НАО|LLC|Ltd|Inc|GmbH|JSC|PJSC)\b|компани", re.IGNORECASE)
NODE_SCHEMA = {"PERSON": "Person", "ORG": "Organization", "LOC": "Address", "PROJECT": "Project"}
# relation type -> (schema, property of the source, property of the target); WORKS_AT at a place: FALLBACK
LINKS = {"WORKS_AT": ("Employment", "employee", "employer"),
         "INVOLVED_IN": ("ProjectParticipant", "participant", "project"),
         "PART_OF": ("Membership", "member", "organization")}
FALLBACK = ("UnknownLink", "subject", "object")


def manifest_path(path: Path) -> Path:
    return path.with_name(path.name + ".manifest.json")


@dataclass
class Context:
    """What the passes over a snapshot share."""

    articles: dict[str, dict[str, Any]]
    urls: dict[str, str]
    with_articles: bool
    types: dict[str, str] = field(default_factory=dict)
    places: dict[str, list[str]] = field(default_factory=dict)

    def urls_of(self, article_ids: list[str]) -> list[str]:
        return [self.urls[a] for a in article_ids if a in self.urls]

    def dates_of(self, article_ids: list[str]) -> list[str]:
        return sorted({self.articles[a]["date"] for a in article_ids if self.articles.get(a, {}).get("date")})


def ftm_id(kind: str, ident: str) -> str:
    from followthemoney.util import make_entity_id
    made = make_entity_id(NAMESPACE, kind, ident)
    assert made is not None  # None only when every part is empty
    return made


def node_schema(d: dict[str, Any]) -> str:
    schema = NODE_SCHEMA.get(d.get("type", ""), "Thing")
    if schema == "Organization" and any(COMPANY.search(n) for n in [d.get("name", ""), *d.get("aliases", [])]):
        return "Company"
    return schema


def project_props(d: dict[str, Any]) -> dict[str, list[Any]]:
    facts, props = d.get("facts") or {}, {}
    if d.get("kind"):
        props["summary"] = [labels("project_kinds").get(d["kind"], d["kind"])]
    if isinstance(inv := facts.get("investment"), dict) and inv.get("amount") is not None:
        props["amount"], props["currency"] = [inv["amount"]], [inv.get("currency") or ""]
    if isinstance(stage := facts.get("stage"), dict) and stage.get("value"):
        props["phase"] = [stage["value"]]
    notes = []
    if isinstance(jobs := facts.get("jobs"), dict) and jobs.get("count") is not None:
        notes.append(f"рабочих мест: {jobs['count']}")
    if isinstance(area := facts.get("area_ha"), dict) and area.get("value") is not None:
        notes.append(f"площадь: {area['value']} га")
    if facts.get("years"):
        notes.append("годы: " + ", ".join(str(y) for y in facts["years"]))
    if notes:
        props["notes"] = ["; ".join(notes)]
    return props


def make(schema: str, ident: str, props: dict[str, list[Any]]):
    """An entity proxy with its values cleaned by followthemoney (an invalid value raises)."""
    from followthemoney import model
    proxy = model.make_entity(schema)
    proxy.id = ident
    for prop, values in props.items():
        proxy.add(prop, [v for v in values if v not in (None, "")])
    return proxy


def node_entity(ctx: Context, n: str, d: dict[str, Any]):
    schema = node_schema(d)
    articles = mention_articles(d)
    props: dict[str, list[Any]] = {"name": [d.get("name")], "alias": list(d.get("aliases", [])),
                                   "sourceUrl": ctx.urls_of(articles)}
    if schema == "Address":
        props["full"] = [d.get("name")]
    if schema == "Project":
        props.update(project_props(d))
    if ctx.places.get(n) and schema != "Address":
        props["addressEntity"] = ctx.places[n]
    if ctx.with_articles:
        props["proof"] = [ftm_id("article", a) for a in articles]
    return make(schema, ftm_id("node", n), props)


def role_of(d: dict[str, Any]) -> str:
    role = d.get("role") or ""
    if d.get("type") == "INVOLVED_IN" and role:
        label = labels("involvement_roles").get(role)
        return f"{label} ({role})" if label else role
    if d.get("type") == "PART_OF":
        return SCHEMA["relation_types"]["PART_OF"]["label"]
    return role


def link_entity(ctx: Context, u: str, v: str, key: str, d: dict[str, Any]):
    """The link entity of one relation, or None for LOCATED_IN (an addressEntity instead)."""
    if d.get("type") not in LINKS:
        return None
    schema, source, target = LINKS[d["type"]]
    if d["type"] == "WORKS_AT" and ctx.types.get(v) != "ORG":
        schema, source, target = FALLBACK
    articles = evidence_articles(d)
    props = {source: [ftm_id("node", u)], target: [ftm_id("node", v)], "role": [role_of(d)],
             "recordId": [key], "sourceUrl": ctx.urls_of(articles), "date": ctx.dates_of(articles),
             "description": list(dict.fromkeys(e.get("sentence") or "" for e in d.get("evidence", [])))}
    if ctx.with_articles:
        props["proof"] = [ftm_id("article", a) for a in articles]
    return make(schema, ftm_id("relation", key), props)


def article_entity(ctx: Context, a: dict[str, Any]):
    props = {"title": [a.get("title") or a["id"]], "name": [a.get("title") or a["id"]],
             "publishedAt": [a.get("date") or ""], "sourceUrl": ctx.urls_of([a["id"]])}
    return make("Article", ftm_id("article", a["id"]), props)


def context(parts: Parts, with_articles: bool) -> Context:
    """The first pass: articles, node types, and the places (LOCATED_IN) of each node."""
    ctx = Context({a["id"]: a for a in parts.articles()}, article_urls(parts), with_articles)
    ctx.types = {n: d.get("type", "") for n, d in parts.nodes()}
    for u, v, _, d in parts.edges():
        if d.get("type") == "LOCATED_IN" and ctx.types.get(v) == "LOC":
            ctx.places.setdefault(u, []).append(ftm_id("node", v))
    return ctx


def entities(parts: Parts, with_articles: bool = False) -> Iterator[Any]:
    """Every FtM entity of the snapshot: articles (when asked), nodes, then links."""
    ctx = context(parts, with_articles)
    if with_articles:
        yield from (article_entity(ctx, a) for a in ctx.articles.values())
    yield from (node_entity(ctx, n, d) for n, d in parts.nodes())
    for u, v, k, d in parts.edges():
        if (link := link_entity(ctx, u, v, k, d)) is not None:
            yield link


def write(parts: Parts, out: IO[bytes], with_articles: bool = False) -> None:
    for proxy in entities(parts, with_articles):
        out.write((json.dumps(proxy.to_dict(), ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8"))
