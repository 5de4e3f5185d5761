"""Who is involved in which project, in what role, and where projects are.

INVOLVED_IN organisation or person → project, with a role read off cue words in the
sentence: "резидент" → resident, "инвестор"/"вложит" → investor, "управляющая
компания" → management_company, "девелопер"/"строительство вела" → developer,
"оператор" → operator, "по инициативе" → initiator, "соглашение"/"партнёр" → partner,
"участвуют" → participant. Each organisation takes the cue nearest to it that can apply
(a verb cue only to its subject: "резиденты уже вложили" is not about the director named
before it); the project is the one its cue points at, else the nearest in the sentence,
else what the text was last talking about (previous sentences; all the plants of a list).
A company inside a plant's name ("завод ГК «Содружество»", "линия Rockwool") is its investor,
and so is who builds for itself ("ГК «Содружество» намерена приступить к возведению завода").
"Этот резидент …" is the organisation named just before; what "мы" do in a quote, the
organisation of its speaker does ("…который мы начинаем строить, — отметил директор АНО «…»").

LOCATED_IN project → place: places inside the project's own words ("парк в
Краснофлотском районе Хабаровска"), right after it ("ТОР «Белогорск» в Амурской
области"), "расположен в …", and locative phrases read off the dependency tree ("в Омске
создадут индустриальный парк", "алюминиевый завод и анодная фабрика в Тайшетском районе"),
lands joined to a zone ("присоединение к ТОР «Приморье» земель во Владивостоке"), and "на нём"
in a project's relative clause (the place named just before). An organisation's home too:
"корпорация «ТехноНиколь» из Москвы", and a foreign country's adjective before it where the article
names that country ("турецкого холдинга «Йылдызлар Ятырым»" … "у себя в Турции").
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import takewhile

from natasha import Doc

from graph.model import Entity, Evidence, Relation
from graph.text import lemma, name_key

from .aliases import canonical
from .mentions import Found, inside, outermost
from .projects import ZONE_KINDS
from .resolve import place_core, place_key
from .syntax import Tree
from .vocabulary import mapping, words

# cue lemmas (natasha's morph lemmas) → role; phrases are matched on the lower-cased text
ROLE_WORDS = mapping("role_cues")
ROLE_PHRASES = [
    (re.compile(r"управляющ\w* компани\w*|\bУК\b", re.I), "management_company"),
    (re.compile(r"строительство\s+вел\w*|стро\w+\s+компани\w*|возвод\w*", re.I), "developer"),
]
# the end of a quote and who said it: ", — отметил директор АНО «…» Руслан Заливацкий" (a verb of saying)
ATTRIBUTION = re.compile(r"[,!?.]\s*—\s*(\w+)")
WE_ROLES = mapping("we_role_cues")
SPEECH_VERBS = words("speech_verbs")
ON_IT = re.compile(r",\s*(который|которая|которое)\b[^,.;]{0,40}?\b(на|в|во)\s+(нём|нем|ней)\b", re.I)
REFERRING = re.compile(r"\b(этот|эта|это|данный|данная|данное)\s+$", re.I)
CLAUSE_BREAK = re.compile(r",\s+(а|но|однако|котор\w+)\s|;")
PLACE_AFTER = re.compile(r"^\s*(\(|,\s*расположенн\w+\s+в\s+|\s*в\s+|\s*на\s+)$")
SOURCE = re.compile(r"(сообща\w*|пиш\w+|передает|передаёт|рассказа\w*|заяви\w*|по данным|по словам|по мнению|"
                    r"со ссылкой на|"
                    r"издани\w+|агентств\w+|в сообщении|пресс-служб\w+)\s*[^,.;]{0,15}$")
HOME = re.compile(r"\s*,?\s*из\s+")
COUNTRY_ADJECTIVES = mapping("country_adjectives")
QUOTES = {"«", "»", '"', "„", "“"}
LOCATED_CUE = re.compile(r"(располож\w+|размест\w+|находит\w+|строит\w+|появит\w+|созда\w+)\s+(в|на)\s+$", re.I)


@dataclass
class Cue:
    start: int
    role: str
    listing: bool = False  # "пять резидентов ОЭЗ: «A», «B» …": every party after it
    # a verb cue ("вложили") names its party as its subject: the character offsets of the
    # subject's tokens; None for nouns and phrases
    subject: frozenset[int] | None = None

    def allows(self, actor: Found) -> bool:
        return self.subject is None or any(actor.start <= s < actor.stop for s in self.subject)


def cues(doc: Doc, sent, tree: Tree) -> list[Cue]:
    start, stop = sent.start, sent.stop
    tokens = tree.tokens
    found = []
    for i, t in enumerate(tokens):
        word = lemma(t.text)
        if (builder := builder_of(tree, t, word)) is not None:
            found.append(Cue(t.start, "investor", subject=builder))
            continue
        if word not in ROLE_WORDS:
            continue
        plural = t.pos == "NOUN" and t.feats.get("Number") == "Plur"
        listing = any(x.text == ":" for x in tokens[i + 1:i + 7])
        # "партнёрами станут A и B", "являются резидентами" (not "с резидентами")
        predicate = t.feats.get("Case") == "Ins" and not any(c.rel == "case" for c in tree.children[t.id])
        if plural and not (listing or predicate):
            continue  # "число резидентов", "для инвесторов": talk about a group, not a party
        subject = None
        if t.pos == "VERB" and (who := tree.subject(t)) is not None:
            subject = frozenset(x.start for x in tree.carried(who))
        found.append(Cue(t.start, ROLE_WORDS[word], listing, subject))
    text = doc.text[start:stop]
    for pattern, role in ROLE_PHRASES:
        found += [Cue(start + m.start(), role) for m in pattern.finditer(text)]
    return found


# who builds for itself invests: "ГК «Содружество» построит завод", "намерена приступить к возведению завода"
BUILD_VERBS = words("build_verbs")
BUILD_NOUNS = words("build_nouns")
START_VERBS = words("start_verbs")


def builder_of(tree: Tree, token, word: str) -> frozenset[int] | None:
    """The subject (offsets of its tokens) of a verb of building, or of a verb of starting or
    intending that governs a noun of building; None when the token is neither or has no subject."""
    verb = token if token.pos == "VERB" and word in BUILD_VERBS else None
    if verb is None and word in BUILD_NOUNS and (parent := tree.parent(token)) is not None \
            and parent.pos == "VERB" and lemma(parent.text) in START_VERBS:
        verb = parent
    who = tree.subject(verb) if verb is not None else None
    return frozenset(x.start for x in tree.carried(who)) if who is not None else None


BARE_ZONE = re.compile(r"\b(ТОР|ТОСЭР|ОЭЗ)\b(?!\s*«)")
ZONE_ABBREVIATIONS = mapping("zone_abbreviations")
# lands joined to a zone are where the zone is
LAND_NOUNS = words("land_nouns")
JOINING_WORDS = words("joining_words")
BUILDING_NOUNS = words("building_nouns")
def distance(a: int, m: Found) -> int:
    return 0 if m.start <= a < m.stop else min(abs(a - m.start), abs(a - m.stop))


class ProjectRelations:
    def __init__(self, doc: Doc, article_id: str, mentions: list[Found], entity_of: dict[int, Entity]):
        self.doc, self.article_id, self.entity_of = doc, article_id, entity_of
        self.mentions = [m for m in mentions if id(m) in entity_of]
        self.projects = [m for m in self.mentions if m.type == "PROJECT"]
        self.places = [m for m in self.mentions if m.type == "LOC"]
        self.relations: list[Relation] = []
        self.trees: dict[int, Tree] = {}
        self.sentence_cues: dict[int, list[Cue]] = {}
        self.speakers: dict[int, frozenset[int]] = {}

    def tree(self, sent) -> Tree:
        """The sentence's dependency tree, built once for both relation kinds."""
        if sent.start not in self.trees:
            self.trees[sent.start] = Tree(sent)
        return self.trees[sent.start]

    def cues(self, sent) -> list[Cue]:
        """The sentence's role cues, found once."""
        if sent.start not in self.sentence_cues:
            self.sentence_cues[sent.start] = cues(self.doc, sent, self.tree(sent))
        return self.sentence_cues[sent.start]

    def evidence(self, sent) -> Evidence:
        return Evidence(self.article_id, sent.start, sent.stop, sent.text)

    def add(self, rtype: str, source: Found, target: Found, role: str | None, sent) -> None:
        a, b = self.entity_of[id(source)], self.entity_of[id(target)]
        if a is not b:
            self.relations.append(Relation(rtype, a.id, b.id, role, [self.evidence(sent)]))

    def run(self) -> list[Relation]:
        topic: list[Found] = []
        last_org: Found | None = None
        for sent in self.doc.sents:
            inside = [m for m in self.mentions if sent.start <= m.start < sent.stop]
            self.homes(sent, inside)
            if not self.projects:  # an article without projects: homes only
                continue
            projects = [m for m in inside if m.type == "PROJECT"]
            self.located_in(sent, projects, inside)
            self.owners_in_names(sent, projects, inside)
            if projects:
                self.involved_in(sent, projects, inside)
                self.referred_back(sent, projects, last_org)
                self.spoken_for(sent, projects)
                topic = self.topic_of(projects)
            else:
                self.involved_in(sent, topic, inside, all_of=True)
            last_org = next((m for m in reversed(outermost(inside)) if m.type == "ORG"), last_org)
        return self.relations

    def spoken_for(self, sent, projects: list[Found]) -> None:
        """A quote whose speaker names an organisation: "…технопарк, который мы начинаем строить,
        — отметил директор АНО «…» Руслан Заливацкий". What "мы" do in the quote, the
        speaker's organisation does: start (initiator), take part (participant), invest …"""
        tree = self.tree(sent)
        we_do = [(t, role) for t in tree.tokens if (role := self.we_role(tree, t)) is not None]
        if not we_do:
            return
        text = self.doc.text
        paragraph_end = text.find("\n", sent.stop)
        paragraph_end = len(text) if paragraph_end < 0 else paragraph_end
        said = next((m for m in ATTRIBUTION.finditer(text, sent.start, paragraph_end)
                     if lemma(m.group(1)) in SPEECH_VERBS), None)
        if said is None:
            return
        speaker_org = next((m for m in outermost(self.mentions) if m.type == "ORG"
                            and said.start() <= m.start < paragraph_end), None)
        if speaker_org is None:
            return
        for token, role in we_do:
            project = min(projects, key=lambda p: distance(token.start, p))
            self.add("INVOLVED_IN", speaker_org, project, role, sent)

    @staticmethod
    def we_role(tree: Tree, token) -> str | None:
        """The role a word gives its subject when that subject is "мы": "мы начинаем" →
        initiator, "мы хотели бы принять участие" → participant, "мы вложим" → investor."""
        word = lemma(token.text)
        role = WE_ROLES.get(word) or ROLE_WORDS.get(word)
        if role is None:
            return None
        verb = token if token.pos == "VERB" else tree.parent(token)
        if verb is None or verb.pos != "VERB":
            return None
        who = tree.subject(verb)
        return role if who is not None and who.text.lower() == "мы" else None

    def referred_back(self, sent, projects: list[Found], last_org: Found | None) -> None:
        """"…проект датской компании Rockwool. Этот резидент «Алабуги» расширил мощности": a
        role noun after "этот"/"данный" is the organisation named last before the sentence."""
        if last_org is None:
            return
        for cue in self.cues(sent):
            if cue.subject is None and REFERRING.search(self.doc.text[max(sent.start, cue.start - 12):cue.start]):
                project = min(projects, key=lambda p: distance(cue.start, p))
                self.add("INVOLVED_IN", last_org, project, cue.role, sent)

    @staticmethod
    def topic_of(projects: list[Found]) -> list[Found]:
        """What the next sentences talk about: the sentence's last project, or all the plants
        it lists ("появятся три производства: предприятие …, завод … и кластер …"); a zone
        they are placed in is the setting, not the topic."""
        works = [p for p in projects if p.kind in ("plant", "infrastructure", "cluster")]
        if len(works) > 1:
            return works
        return projects[-1:]

    def located_in(self, sent, projects: list[Found], in_sentence: list[Found]) -> None:
        text = self.doc.text
        places = [m for m in in_sentence if m.type == "LOC"]
        self.placed_by_syntax(sent, projects or self.zone_abbreviated(sent), places, in_sentence)
        for p in projects:
            self.named_after_place(p, sent)
            self.placed_by_pronoun(p, places, sent)
            for place in places:
                within = p.start <= place.start and place.stop <= p.stop and place.start >= p.label_stop
                gap = text[p.stop:place.start] if place.start >= p.stop else None
                right_after = gap is not None and len(gap) < 40 and (PLACE_AFTER.match(gap) or LOCATED_CUE.search(gap))
                if within or right_after:
                    self.add("LOCATED_IN", p, place, None, sent)

    def placed_by_syntax(self, sent, projects: list[Found], places: list[Found], in_sentence: list[Found]) -> None:
        """A place in a locative phrase places what the phrase hangs on: the project noun itself
        ("фабрика в Тайшетском районе", and every member of a list it ends: "алюминиевый завод
        и анодная фабрика в …"), or the subjects and objects of the verb it modifies ("в Омске
        создадут индустриальный парк", "на острове Русский появятся A, B и C")."""
        if not projects or not places:
            return
        tree = self.tree(sent)
        orgs = [m for m in in_sentence if m.type == "ORG"]
        for place in places:
            if any(inside(place, o) for o in orgs):
                continue
            owner = next((p for p in projects if inside(place, p)), None)
            if owner is not None:  # "анодная фабрика в Тайшетском районе", and "алюминиевый завод и" before it
                for p in [owner] + self.joined_before(owner, projects):
                    self.add("LOCATED_IN", p, place, None, sent)
                continue
            head = tree.head(place.start, place.stop)
            governor = tree.locative_governor(head) if head is not None else None
            if governor is None:
                continue
            owner = next((p for p in projects if p.start <= governor.start < p.stop), None)
            if owner is not None:
                placed = [governor]
            elif governor.pos in ("VERB", "AUX", "ADJ"):
                # not through a party ("Резидент ОЭЗ «Алабуга» купил земли в Казани")
                placed = [t for a in tree.arguments(governor) if lemma(a.text) not in ROLE_WORDS
                          for t in tree.carried(a)]
            elif lemma(governor.text) in BUILDING_NOUNS:  # "строительство завода в Хабаровске"
                placed = list(tree.carried(governor))
            elif lemma(governor.text) in LAND_NOUNS | JOINING_WORDS and (zone := self.zone_joined(sent, projects)):
                self.add("LOCATED_IN", zone, place, None, sent)
                continue
            else:
                continue
            for p in projects:
                if any(p.start <= t.start < p.stop for t in placed):
                    self.add("LOCATED_IN", p, place, None, sent)

    def zone_abbreviated(self, sent) -> list[Found]:
        """"В состав ТОР войдут земли в …": a sentence that names no project but a zone by its bare
        abbreviation is about the article's one named zone of that kind (for lands joined to it)."""
        kinds = {ZONE_ABBREVIATIONS[m.group(1)] for m in BARE_ZONE.finditer(sent.text)}
        zone = self.one_entity([p for p in self.projects if p.label and p.kind in kinds])
        return [zone] if zone is not None else []

    def zone_joined(self, sent, projects: list[Found]) -> Found | None:
        """The zone that lands are joined to ("присоединение к ТОР «Приморье» земель во
        Владивостоке", "в состав ОЭЗ включат участки в …"), when the sentence says so of one zone."""
        if not {lemma(t.text) for t in sent.tokens} & JOINING_WORDS:
            return None
        return self.one_entity([p for p in projects if p.kind in ZONE_KINDS])

    def one_entity(self, mentions: list[Found]) -> Found | None:
        """A mention of the one entity these mentions name, or None when they name none or several."""
        by_entity = {id(self.entity_of[id(m)]): m for m in mentions}
        return next(iter(by_entity.values())) if len(by_entity) == 1 else None

    def placed_by_pronoun(self, project: Found, places: list[Found], sent) -> None:
        """"остров Большой Уссурийский и российско-китайский технопарк, который мы начинаем на нём
        строить": "на нём" in the project's relative clause is the place named last before it."""
        if ON_IT.match(self.doc.text, project.stop):
            before = [pl for pl in places if pl.stop <= project.start]
            if before:
                self.add("LOCATED_IN", project, before[-1], None, sent)

    def joined_before(self, project: Found, projects: list[Found]) -> list[Found]:
        """The project written right before this one with "и" and pinned by nothing of its own:
        "алюминиевый завод и анодная фабрика в …"."""
        return [p for p in projects if p.stop <= project.start and not p.label and p.label_stop >= p.stop
                and re.fullmatch(r"\s+и\s+", self.doc.text[p.stop:project.start])]

    def named_after_place(self, project: Found, sent) -> None:
        """ТОР «Белогорск» is in Белогорск, ТОР «Приморье» in Приморский край, центр «Русский»
        on остров Русский, when the article names that place."""
        if not project.label:
            return
        label = project.label.strip("«»\"")
        inner = label.rsplit("«", 1)[-1]  # «Технополис «Москва»: Москва
        keys = {name_key(label), name_key(canonical("LOC", label) or ""), name_key(inner)}
        for place in self.places:
            entity = self.entity_of[id(place)]
            if {name_key(entity.name), name_key(place.text), place_key(entity)} & keys:
                self.add("LOCATED_IN", project, place, None, sent)
                return

    def homes(self, sent, inside: list[Found]) -> None:
        """An organisation's home: "корпорация «ТехноНиколь» из Москвы", "компания Dandong Flowers из КНР",
        and a foreign country's adjective before it when the article names that country ("турецкого
        промышленного холдинга «Йылдызлар Ятырым»" … "у себя в Турции")."""
        named = outermost(inside)
        for org, place in zip(named, named[1:], strict=False):
            if org.type == "ORG" and place.type == "LOC" and HOME.fullmatch(self.doc.text[org.stop:place.start]):
                self.add("LOCATED_IN", org, place, None, sent)
        for org in named:
            if org.type == "ORG" and (country := self.country_before(org, sent)) is not None:
                self.add("LOCATED_IN", org, country, None, sent)

    def country_before(self, org: Found, sent) -> Found | None:
        """The mention of the country whose adjective stands before the organisation's name, after
        at most one noun of what it is, in the mention ("турецкого промышленного холдинга «…»") or
        before it ("индийская фармацевтическая компания Cadila", "белорусский «Амкодор»")."""
        tokens = self.tree(sent).tokens
        own = [t for t in tokens if org.start <= t.start < org.stop]
        lead = list(takewhile(lambda t: t.pos in ("ADJ", "NOUN") and t.text[:1].islower(), own))
        before = [t for t in tokens if t.stop <= org.start and t.text not in QUOTES][::-1] if not lead else []
        words = lead[::-1] + before
        if words and words[0].pos == "NOUN":
            words = words[1:]
        for t in takewhile(lambda t: t.pos == "ADJ", words):
            if (country := COUNTRY_ADJECTIVES.get(lemma(t.text.lower()))) is not None:
                return next((p for p in self.places if place_core(self.entity_of[id(p)].name) == place_core(country)),
                            None)
        return None

    def owners_in_names(self, sent, projects: list[Found], inside: list[Found]) -> None:
        for p in projects:
            if p.kind not in ("plant", "infrastructure"):
                continue
            for org in inside:
                if org.type == "ORG" and p.start <= org.start and org.stop <= p.stop:
                    self.add("INVOLVED_IN", org, p, "investor", sent)

    def involved_in(self, sent, projects: list[Found], inside: list[Found], all_of: bool = False) -> None:
        if not projects:
            return
        actors = [m for m in outermost(inside) if m.type in ("ORG", "PERSON")]
        found_cues = self.cues(sent)
        if not actors or not found_cues:
            return
        for actor in actors:
            if self.is_source(actor) or self.speaks(actor, sent) \
                    or any(p.start <= actor.start and actor.stop <= p.stop for p in projects):
                continue
            applicable = [c for c in found_cues if c.allows(actor)]
            if not applicable:
                continue
            applicable = [c for c in applicable if self.same_clause(c.start, actor.start)] or applicable
            listed = [c for c in applicable if c.listing and c.start < actor.start and actor.type == "ORG"]
            cue = listed[-1] if listed else min(applicable, key=lambda c: distance(c.start, actor))
            reach = 12 if actor.type == "PERSON" else 90  # people are rarely parties: only "инвестор Иван Петров"
            if not listed and (distance(cue.start, actor) > reach or self.other_actor_between(cue, actor, actors)):
                continue
            # not a project named inside the party's own name ("институт «Технопарк «Родина»")
            targets = [p for p in projects if not (actor.start <= p.start and p.stop <= actor.stop)]
            if not targets:
                continue
            if all_of:  # the projects the text was last talking about
                for project in targets:
                    self.add("INVOLVED_IN", actor, project, cue.role, sent)
                continue
            project = min(targets, key=lambda p: distance(cue.start, p) if p.start >= sent.start else 10_000)
            self.add("INVOLVED_IN", actor, project, cue.role, sent)

    def same_clause(self, a: int, b: int) -> bool:
        """"Инвестором выступит А, а партнёрами станут Б": no ", а", ", но", ", который" or ";"
        between two offsets."""
        lo, hi = sorted((a, b))
        return not CLAUSE_BREAK.search(self.doc.text[lo:hi])

    def speaks(self, actor: Found, sent) -> bool:
        """"Как рассказал министр … Денис Гармаев, соглашение подписали …": a person who is the
        subject of a verb of saying reports what the sentence says; he is not a party to it."""
        if actor.type != "PERSON":
            return False
        if sent.start not in self.speakers:  # where the subjects of the sentence's verbs of saying stand
            tree = self.tree(sent)
            self.speakers[sent.start] = frozenset(
                t.start for verb in tree.tokens if verb.pos == "VERB" and lemma(verb.text) in SPEECH_VERBS
                and (who := tree.subject(verb)) is not None for t in tree.carried(who))
        return any(actor.start <= s < actor.stop for s in self.speakers[sent.start])

    def is_source(self, actor: Found) -> bool:
        """"сообщает СИ «…»", "рассказал изданию «Толк»": who reports is not a party."""
        before = self.doc.text[max(0, actor.start - 40):actor.start].lower()
        return bool(SOURCE.search(before))

    def other_actor_between(self, cue: Cue, actor: Found, actors: list[Found]) -> bool:
        """Another party of the same type stands between the cue and this one, unless they are
        listed together ("партнёрами станут ООО «А» и Кузбасская ТПП")."""
        lo, hi = sorted((cue.start, actor.start))
        between = sorted((o for o in actors if o is not actor and lo < o.start < hi and o.type == actor.type),
                         key=lambda o: o.start)
        if not between or cue.start > actor.start:
            return bool(between)
        chain = between + [actor]
        return not all(re.fullmatch(r"\s*(,|и|,\s*а также)\s*", self.doc.text[a.stop:b.start])
                       for a, b in zip(chain, chain[1:], strict=False))


def project_relations(doc: Doc, article_id: str, mentions: list[Found],
                      entity_of: dict[int, Entity]) -> list[Relation]:
    return ProjectRelations(doc, article_id, mentions, entity_of).run()
