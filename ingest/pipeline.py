"""The natasha pipeline: one place that loads the models (once per process) and runs them.

`analyse(text)` segments, tags morphology, parses syntax and finds NER spans. The models
ship inside the natasha wheel (navec embeddings, slovnet taggers); nothing is fetched.
`Natasha` is natasha as its wheel ships it (the speed benches' reference); `Pipeline`, what
ingest runs, is the same models with four of slovnet's steps done faster to the same numbers
(`ingest/slovnet_steps.py`) and its own sentence cuts.
"""
from __future__ import annotations

import gc
from functools import lru_cache

from natasha import (
    Doc,
    MorphVocab,
    NamesExtractor,
    NewsEmbedding,
    NewsMorphTagger,
    NewsNERTagger,
    NewsSyntaxParser,
    Segmenter,
)
from natasha.doc import DocSent
from threadpoolctl import threadpool_limits

from .slovnet_steps import quicken

# slovnet's models multiply small matrices, one sentence at a time. OpenBLAS splits each product
# over threads that spin while they wait: on 2 cores that took 2.5x the CPU of one thread on news
# articles and 7x on short records, and ingest workers (one per core) fought over the cores.
# Parallelism comes from the workers, so BLAS runs on one thread in a process that extracts.
BLAS_THREADS = 1
# Extraction fills its memories of words and spans as it goes (tens of thousands of objects that
# live on) and makes and drops a million small ones per hundred articles: Python's collector then
# walked every live object, the models' included, 4 times in 109 articles new to it, 0.15 s each,
# 13% of the extraction's time. The models are frozen out of its walks once loaded, and a full
# walk waits for this many younger collections instead of 10. Garbage in cycles is still found
# among the young objects; the old ones held none (a full collection after 690 articles found 4).
FULL_COLLECTION_AFTER = 1000


class Natasha:
    """natasha's models and its own `Doc` steps, as its wheel ships them."""

    def __init__(self) -> None:
        threadpool_limits(limits=BLAS_THREADS, user_api="blas")
        self.segmenter = Segmenter()
        self.morph_vocab = MorphVocab()
        embedding = NewsEmbedding()
        self.embedding = embedding  # navec word vectors: the relation model reads meanings from them
        self.morph_tagger = NewsMorphTagger(embedding)
        self.syntax_parser = NewsSyntaxParser(embedding)
        self.ner_tagger = NewsNERTagger(embedding)
        self.names_extractor = NamesExtractor(self.morph_vocab)

    def analyse(self, text: str) -> Doc:
        doc = Doc(text)
        doc.segment(self.segmenter)
        doc.tag_morph(self.morph_tagger)
        doc.parse_syntax(self.syntax_parser)
        doc.tag_ner(self.ner_tagger)
        return doc


class Pipeline(Natasha):
    """What ingest runs: natasha's models quickened, kept out of the garbage collector's walks,
    and sentences cut where the segmenter ran two into one."""

    def __init__(self) -> None:
        super().__init__()
        for tagger in (self.morph_tagger, self.syntax_parser, self.ner_tagger):
            quicken(tagger)
        gc.freeze()
        young, middle, _ = gc.get_threshold()
        gc.set_threshold(young, middle, FULL_COLLECTION_AFTER)

    def analyse(self, text: str) -> Doc:
        doc = Doc(text)
        doc.segment(self.segmenter)
        split_sentences(doc)
        doc.tag_morph(self.morph_tagger)
        doc.parse_syntax(self.syntax_parser)
        agree_adjectives(doc)
        doc.tag_ner(self.ner_tagger)
        return doc


# A "sentence" longer than this is no sentence (a table, a list without punctuation, a scraped
# page in one line): the syntax parser's memory grows with the square of a sentence's length
# (one 5 MB line asked for 466 GiB), so such a run is cut into pieces of this many tokens.
MAX_SENTENCE_TOKENS = 250


def split_sentences(doc: Doc, limit: int = MAX_SENTENCE_TOKENS) -> None:
    """Cut what the segmenter took for one sentence where it is not one: at a line break before
    a line that does not go on in lower case (a headline or a dateline has no full stop, so the
    segmenter ran it into the lead; so with the items of a list), and into runs of `limit` tokens."""
    sents = []
    for sent in doc.sents:
        for line in lines_of(doc.text, sent.tokens):
            for i in range(0, len(line), limit):
                tokens = line[i:i + limit]
                if len(tokens) == len(sent.tokens):
                    sents.append(sent)
                    continue
                start, stop = tokens[0].start, tokens[-1].stop
                sents.append(DocSent(start, stop, doc.text[start:stop], tokens=tokens))
    doc.sents = sents


def lines_of(text: str, tokens: list) -> list[list]:
    """The tokens in runs cut at each line break followed by anything but a lower-case word
    (a wrapped line, "…»\n\nзаявил он", goes on)."""
    runs: list[list] = [[]]
    for token in tokens:
        if runs[-1] and "\n" in text[runs[-1][-1].stop:token.start] and not token.text[:1].islower():
            runs.append([])
        runs[-1].append(token)
    return runs


AGREEMENT = ("Case", "Number", "Gender")


def agree_adjectives(doc: Doc) -> None:
    """An adjective the tagger does not know ("туристско-рекреационного") comes without case, so
    the normaliser cannot put it in the nominative; it agrees with its noun: take the noun's."""
    for sent in doc.sents:
        tokens = {t.id: t for t in sent.tokens}
        for t in sent.tokens:
            head = tokens.get(t.head_id)
            if t.pos == "ADJ" and t.rel == "amod" and "Case" not in t.feats and head is not None \
                    and "Case" in head.feats:
                t.feats = {**t.feats, **{k: head.feats[k] for k in AGREEMENT if k in head.feats}}


@lru_cache(maxsize=1)
def pipeline() -> Pipeline:
    """The process-wide pipeline; loading takes about a second."""
    return Pipeline()
