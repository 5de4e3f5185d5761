"""Four of slovnet's inference steps done faster, to the same numbers: what natasha's taggers
and parser spend their time on besides the products they must compute.

- `WordCodes`: a word's vocabulary id and shape id, remembered per word;
- `PackedEncoder`: the convolutions over a batch's words packed end to end;
- `NavecLookup`: navec's quantised vectors decoded with one gather;
- `Viterbi`: the NER tagger's best tag path without an index grid per word.

`quicken(tagger)` puts them into one of natasha's taggers or its parser (ingest.pipeline does,
once per process); tests/test_pipeline.py checks each against slovnet's own.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np

from .memory import Memory

WORDS_REMEMBERED = 20_000  # per model: a word and its two ids, about 0.2 kB


class WordCodes:
    """A slovnet encoder's ids of each word and of its shape («Xxxx», «x-x»): its `item`, asked
    once per word (it computes the shape and looks both up, and three models read every word)."""

    def __init__(self, item: Callable[[list[str]], tuple[list[int], list[int]]]) -> None:
        self.item = item
        self.memory: Memory[tuple[int, int]] = Memory(WORDS_REMEMBERED)

    def one(self, word: str) -> tuple[int, int]:
        (word_id,), (shape_id,) = self.item([word])
        return word_id, shape_id

    def __call__(self, words: list[str]) -> tuple[list[int], list[int]]:
        codes = [self.memory.get(word) or self.memory.recall(word, partial(self.one, word)) for word in words]
        return [w for w, _ in codes], [s for _, s in codes]


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


class NavecLookup:
    """navec's vectors for word ids: each word's 100 codes index one table of 100 x 256 centroids
    of 3 numbers, gathered in one `take` instead of a two-array index (a quarter of the time)."""

    def __init__(self, navec) -> None:
        codes = navec.codes.array  # subvectors x centroids x width
        subvectors, centroids, width = codes.shape
        self.table = codes.reshape(subvectors * centroids, width)
        self.offsets = np.arange(subvectors, dtype=np.intp) * centroids
        self.indexes = navec.indexes.array
        self.dim = subvectors * width

    def __call__(self, word_ids: np.ndarray) -> np.ndarray:
        rows = self.indexes[word_ids.ravel()].astype(np.intp)
        rows += self.offsets
        return np.take(self.table, rows, axis=0).reshape(*word_ids.shape, self.dim)


class Viterbi:
    """The CRF's best tag path, as slovnet's `CRF.decode` finds it: each word's best score is read
    with `max` where slovnet indexes the scores with their `argmax` through an index grid."""

    def __init__(self, crf) -> None:
        self.transitions = crf.transitions.array

    def decode(self, emissions: np.ndarray, mask: np.ndarray) -> list[np.ndarray]:
        length = emissions.shape[1]
        score = emissions[:, 0]
        history = []
        for i in range(1, length):
            step = score[:, :, None] + self.transitions + emissions[:, i][:, None, :]
            history.append(step.argmax(1))
            score = np.where(mask[:, i][:, None], step.max(1), score)
        paths = []
        for b, size in enumerate(mask.sum(1) - 1):
            best = score[b].argmax()
            tags = [best]
            for back in reversed(history[:size]):
                best = back[b][best]
                tags.append(best)
            tags.reverse()
            paths.append(np.array(tags))
        return paths


def quicken(tagger) -> None:
    """Put the faster steps into one of natasha's slovnet models (morphology, syntax or NER)."""
    tagger.infer.encoder.item = WordCodes(tagger.infer.encoder.item)
    model = tagger.infer.model
    model.encoder = PackedEncoder(model.encoder)
    model.emb.word = NavecLookup(model.emb.word)
    crf = getattr(model.head, "crf", None)
    if crf is not None:
        model.head.crf = Viterbi(crf)
