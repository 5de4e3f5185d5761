"""The natasha pipeline: one place that loads the models (once per process) and runs them.

`analyse(text)` segments, tags morphology, parses syntax and finds NER spans. The models
ship inside the natasha wheel (navec embeddings, slovnet taggers); nothing is fetched.
"""
from __future__ import annotations

from functools import lru_cache

from natasha import (Doc, MorphVocab, NamesExtractor, NewsEmbedding, NewsMorphTagger,
                     NewsNERTagger, NewsSyntaxParser, Segmenter)


class Pipeline:
    def __init__(self) -> None:
        self.segmenter = Segmenter()
        self.morph_vocab = MorphVocab()
        embedding = NewsEmbedding()
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


@lru_cache(maxsize=1)
def pipeline() -> Pipeline:
    """The process-wide pipeline; loading takes about a second."""
    return Pipeline()
