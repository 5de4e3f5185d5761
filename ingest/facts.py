"""Project facts the text states: investment, jobs, area, stage, years — each with evidence.

Facts in a sentence belong to the project named in it (the nearest one), or to the project
the text was last talking about. The first statement of each fact in an article wins.
"""
from __future__ import annotations

import re

from natasha import Doc

from graph.model import Entity

from .grammars.money import find_area_ha, find_jobs, find_money
from .mentions import Found

INVESTMENT_CUE = re.compile(r"инвест|влож|вклад|стоимост|бюджет|финансир|затрат|капитал|оценива", re.I)
STAGES = [  # most advanced first
    ("opened", re.compile(r"\b(открыт\w*|открыл\w*|запущен\w*|запустил\w*|введ[её]н\w* в (строй|эксплуатацию)|"
                          r"начал\w* работ\w*|заработал\w*|торжественно открыт\w*)", re.I)),
    ("under_construction", re.compile(r"\b(стро[ия]тся|строительство (идет|идёт|ведется|ведётся|началось)|"
                                      r"возвод\w*|ведут\w* строительств\w*|строят|строит\b)", re.I)),
    ("planned", re.compile(r"\b(планир\w*|намерен\w*|создадут|построят|появ\w+|будет построен\w*|"
                           r"собира\w+ (построить|создать)|проект\w* (создания|строительства)|"
                           r"подписал\w* соглашение)", re.I)),
]
YEAR = re.compile(r"\b(20[0-4]\d)\s*(?:год|г\.)", re.I)


def evidence(article_id: str, sent, start: int, stop: int, text: str) -> dict:
    return {"article": article_id, "start": start, "stop": stop, "text": text,
            "sentence_start": sent.start, "sentence_stop": sent.stop}


def project_facts(doc: Doc, article_id: str, mentions: list[Found], entity_of: dict[int, Entity]) -> None:
    """Set `facts` on the project entities of one article (in place)."""
    projects = [m for m in mentions if m.type == "PROJECT" and id(m) in entity_of]
    if not projects:
        return
    topic: Found | None = None
    for sent in doc.sents:
        here = [p for p in projects if sent.start <= p.start < sent.stop]
        target = here[0] if len(here) == 1 else (here[-1] if here else topic)
        if here:
            topic = here[-1]
        if target is None:
            continue
        facts = entity_of[id(target)].facts
        text = sent.text
        if "investment" not in facts and INVESTMENT_CUE.search(text):
            for amount in find_money(text):
                facts["investment"] = {"amount": amount.value, "currency": amount.currency,
                                       "qualifier": amount.qualifier,
                                       "evidence": evidence(article_id, sent, sent.start + amount.start,
                                                            sent.start + amount.stop, amount.text)}
                break
        if "jobs" not in facts:
            for jobs in find_jobs(text):
                facts["jobs"] = {"count": int(jobs.value), "evidence": evidence(
                    article_id, sent, sent.start + jobs.start, sent.start + jobs.stop, jobs.text)}
                break
        if "area_ha" not in facts:
            for area in find_area_ha(text):
                facts["area_ha"] = {"value": round(area.value, 4), "evidence": evidence(
                    article_id, sent, sent.start + area.start, sent.start + area.stop, area.text)}
                break
        if here:
            for stage, pattern in STAGES:
                if m := pattern.search(text):
                    known = facts.get("stage", {}).get("value")
                    order = [s for s, _ in STAGES]
                    if known is None or order.index(stage) < order.index(known):
                        facts["stage"] = {"value": stage, "evidence": evidence(
                            article_id, sent, sent.start + m.start(), sent.start + m.end(), m.group(0))}
                    break
            years = sorted({int(y) for y in YEAR.findall(text)})
            if years:
                facts.setdefault("years", [])
                facts["years"] = sorted(set(facts["years"]) | set(years))
