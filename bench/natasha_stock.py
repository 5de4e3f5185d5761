"""natasha as its wheel ships it: the reference the speed benches measure extraction against.

The issues count raw natasha as segment + morphology + syntax + NER (+ the normal forms of its
spans): natasha's own models and `Doc` steps (ingest.pipeline.Natasha), loaded apart from the
pipeline ingest runs, which quickens the same models and cuts sentences of its own.
"""
from __future__ import annotations

from natasha import Doc

from ingest.pipeline import Natasha


class StockNatasha(Natasha):
    def analyse_and_normalise(self, text: str) -> Doc:
        """analyse, then each span's normal form and a person's name split into its parts."""
        doc = self.analyse(text)
        for span in doc.spans:
            span.normalize(self.morph_vocab)
            if span.type == "PER":
                span.extract_fact(self.names_extractor)
        return doc
