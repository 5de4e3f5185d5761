"""natasha's models as the pipeline runs them: slovnet's steps done faster give what slovnet's own give."""
from __future__ import annotations

import numpy as np
import pytest
from natasha import Doc, NewsEmbedding, NewsMorphTagger, NewsNERTagger, NewsSyntaxParser, Segmenter

from ingest.slovnet_steps import NavecLookup, PackedEncoder, Viterbi, quicken

TEXTS = [
    "Компания «Ромашка» построит в Липецкой области завод по выпуску бумаги за 5 млрд рублей.",
    "Губернатор Игорь Артамонов подписал соглашение.",
    "Резидентами ОЭЗ «Алабуга» стали три компании: «Альфа», «Бета» и «Гамма», сообщил глава "
    "Татарстана Рустам Минниханов на форуме в Казани, где также обсуждали строительство нового "
    "терминала в порту Усть-Луга и логистического центра под Ельцом. Да.",
]


def models() -> list:
    embedding = NewsEmbedding()
    return [NewsMorphTagger(embedding), NewsSyntaxParser(embedding), NewsNERTagger(embedding)]


@pytest.fixture(scope="module")
def stock():
    return models()


def analysed(morph, syntax, ner) -> list:
    out = []
    for text in TEXTS:
        doc = Doc(text)
        doc.segment(Segmenter())
        doc.tag_morph(morph)
        doc.parse_syntax(syntax)
        doc.tag_ner(ner)
        out.append(([(t.pos, t.feats, t.head_id, t.rel) for t in doc.tokens],
                    [(s.start, s.stop, s.type) for s in doc.spans]))
    return out


def test_quickened_models_tag_parse_and_find_what_slovnets_own_do(stock):
    quick = models()
    for tagger in quick:
        quicken(tagger)
    assert isinstance(quick[2].infer.model.head.crf, Viterbi)
    expected = analysed(*stock)
    assert analysed(*quick) == expected
    assert all(spans for _, spans in expected)  # every text gives NER spans to compare


def test_packed_encoder_numbers_match_for_sentences_of_different_lengths(stock):
    """A batch of sentences of different lengths (padded at the end, as slovnet pads them): the
    encoder's output on every word is slovnet's, and zero on the padding."""
    encoder = stock[0].infer.model.encoder
    lengths = [5, 1, 12, 3]
    batch = np.random.default_rng(7).standard_normal((len(lengths), max(lengths), 330)).astype(np.float32)
    mask = np.arange(max(lengths))[None, :] >= np.array(lengths)[:, None]
    batch[mask] = 0
    expected = encoder(batch.copy(), mask)
    got = PackedEncoder(encoder)(batch.copy(), mask)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got[~mask], expected[~mask], rtol=1e-4, atol=1e-4)
    assert not got[mask].any()


def test_navec_lookup_gives_navecs_vectors(stock):
    navec = stock[1].infer.model.emb.word
    ids = np.array([[0, 17, 250_001], [42, 42, 99_999]])
    assert np.array_equal(NavecLookup(navec)(ids), navec(ids))


def test_viterbi_finds_slovnets_paths_in_a_padded_batch(stock):
    crf = stock[2].infer.model.head.crf
    tags = crf.transitions.array.shape[0]
    emissions = np.random.default_rng(3).standard_normal((3, 9, tags)).astype(np.float32)
    mask = np.arange(9)[None, :] < np.array([9, 4, 1])[:, None]
    expected = crf.decode(emissions, mask)
    got = Viterbi(crf).decode(emissions, mask)
    assert [p.tolist() for p in got] == [p.tolist() for p in expected]
    assert [len(p) for p in got] == [9, 4, 1]
