"""natasha's models as the pipeline runs them: the packed convolutions give what slovnet's own give."""
from __future__ import annotations

import numpy as np
import pytest
from natasha import Doc, NewsEmbedding, NewsMorphTagger, NewsNERTagger, NewsSyntaxParser, Segmenter

from ingest.pipeline import PackedEncoder

TEXTS = [
    "Компания «Ромашка» построит в Липецкой области завод по выпуску бумаги за 5 млрд рублей.",
    "Губернатор Игорь Артамонов подписал соглашение.",
    "Резидентами ОЭЗ «Алабуга» стали три компании: «Альфа», «Бета» и «Гамма», сообщил глава "
    "Татарстана Рустам Минниханов на форуме в Казани, где также обсуждали строительство нового "
    "терминала в порту Усть-Луга и логистического центра под Ельцом.",
    "Да.",
]


@pytest.fixture(scope="module")
def models():
    embedding = NewsEmbedding()
    return [NewsMorphTagger(embedding), NewsSyntaxParser(embedding), NewsNERTagger(embedding)]


def analysed(models) -> list:
    out = []
    for text in TEXTS:
        doc = Doc(text)
        doc.segment(Segmenter())
        doc.tag_morph(models[0])
        doc.parse_syntax(models[1])
        doc.tag_ner(models[2])
        out.append(([(t.pos, t.feats, t.head_id, t.rel) for t in doc.tokens],
                    [(s.start, s.stop, s.type) for s in doc.spans]))
    return out


def test_packed_encoder_tags_parses_and_finds_what_slovnets_own_does(models):
    before = analysed(models)
    encoders = [m.infer.model.encoder for m in models]
    try:
        for m, encoder in zip(models, encoders, strict=True):
            m.infer.model.encoder = PackedEncoder(encoder)
        after = analysed(models)
    finally:
        for m, encoder in zip(models, encoders, strict=True):
            m.infer.model.encoder = encoder
    assert after == before
    assert any(spans for _, spans in before)  # the texts do give NER spans


def test_packed_encoder_numbers_match_for_sentences_of_different_lengths(models):
    """A batch of sentences of different lengths (padded at the end, as slovnet pads them): the
    encoder's output on every word is slovnet's, and zero on the padding."""
    encoder = models[0].infer.model.encoder
    rng = np.random.default_rng(7)
    lengths = [5, 1, 12, 3]
    batch = rng.standard_normal((len(lengths), max(lengths), 330)).astype(np.float32)
    mask = np.arange(max(lengths))[None, :] >= np.array(lengths)[:, None]
    batch[mask] = 0
    expected = encoder(batch.copy(), mask)
    got = PackedEncoder(encoder)(batch.copy(), mask)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got[~mask], expected[~mask], rtol=1e-4, atol=1e-4)
    assert not got[mask].any()
