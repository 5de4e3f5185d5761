"""The natasha pipeline: one place that loads the models (once per process) and runs them.

`analyse(text)` segments, tags morphology, parses syntax and finds NER spans. The models
ship inside the natasha wheel (navec embeddings, slovnet taggers); nothing is fetched. Their
convolutions run over each batch's words packed end to end (`PackedEncoder`): the same numbers
as slovnet's own, a fifth less time.
"""
from __future__ import annotations

import gc
from functools import lru_cache

import numpy as np
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


class Pipeline:
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
        for model in (self.morph_tagger, self.syntax_parser, self.ner_tagger):
            model.infer.model.encoder = PackedEncoder(model.infer.model.encoder)
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


class PackedEncoder:
    """slovnet's CNN encoder (per layer: convolution, ReLU, batch norm, padding zeroed) over a
    batch's words packed end to end, each sentence followed by zero rows as wide as the kernel's
    reach, instead of each padded to the longest of the batch and cut into windows: no work on
    padding, no copy of every window, and a convolution is one product per kernel position.
    slovnet adds each position's product inside one matrix product, this adds them one after
    the other: the tags, heads and spans came out the same on parks-dev, the seed and factru-dev
    (tests/test_pipeline.py compares the two), for about 0.45 of the encoder's time."""

    def __init__(self, encoder) -> None:
        self.layers = []
        self.reach = max(layer.conv.padding for layer in encoder.layers)
        for layer in encoder.layers:
            weight = layer.conv.weight.array  # filters x input x kernel
            if weight.shape[2] != 2 * layer.conv.padding + 1 or layer.conv.padding != self.reach:
                raise ValueError("PackedEncoder takes convolutions that keep the length, all of one kernel")
            by_position = [np.ascontiguousarray(weight[:, :, k].T) for k in range(weight.shape[2])]
            self.layers.append((by_position, layer.conv.bias.array, layer.norm))

    def __call__(self, input: np.ndarray, pad_mask: np.ndarray) -> np.ndarray:
        batch, length, _ = input.shape
        words = ~pad_mask
        reach = self.reach
        # each sentence's first row in the packed rows: `reach` zero rows before each sentence
        # and after the last
        starts = reach + np.concatenate(([0], np.cumsum(words.sum(axis=1) + reach)[:-1]))
        rows = (starts[:, None] + np.arange(length))[words]
        count = int(rows[-1]) + 1 + reach if rows.size else 2 * reach
        x = np.zeros((count, input.shape[2]), dtype=input.dtype)
        x[rows] = input[words]
        gaps = np.ones(count, dtype=bool)
        gaps[rows] = False
        inner = count - 2 * reach
        for by_position, bias, norm in self.layers:
            y = x[0:inner] @ by_position[0]
            for k in range(1, len(by_position)):
                y += x[k:k + inner] @ by_position[k]
            y += bias
            np.maximum(y, 0, out=y)
            y -= norm.mean.array  # slovnet's batch norm, step by step in its order
            y /= norm.std.array
            y *= norm.weight.array
            y += norm.bias.array
            x = np.empty((count, y.shape[1]), dtype=y.dtype)
            x[reach:reach + inner] = y
            x[gaps] = 0
        out = np.zeros((batch, length, x.shape[1]), dtype=x.dtype)
        out[words] = x[rows]
        return out


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
