"""natasha as its wheel ships it: the reference the speed benches measure extraction against.

The issues count raw natasha as segment + morphology + syntax + NER (+ the normal forms of its
spans): natasha's own models and `Doc` steps, loaded apart from ingest.pipeline's, which runs the
same models with its own convolutions and its own sentence cuts.
"""
from __future__ import annotations

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
from threadpoolctl import threadpool_limits


class StockNatasha:
    def __init__(self) -> None:
        threadpool_limits(limits=1, user_api="blas")  # as ingest.pipeline runs BLAS
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

    def analyse_and_normalise(self, text: str) -> Doc:
        """analyse, then each span's normal form and a person's name split into its parts."""
        doc = self.analyse(text)
        for span in doc.spans:
            span.normalize(self.morph_vocab)
            if span.type == "PER":
                span.extract_fact(self.names_extractor)
        return doc
