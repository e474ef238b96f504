"""Tests of dlf.attention against torch (MHA, SDPA, encoder layer), closed forms and autograd."""

import hashlib
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from dlf import attention as at

DT = torch.float64


def test_text_is_ascii_and_fixed():
    text = at.load_text()
    assert text.isascii() and len(text) == 4014
    # regression guard on the shipped text: the digest literal was computed once from the
    # text as published; any edit of the text must update it (and the chapter's calibration)
    assert hashlib.sha256(text.encode()).hexdigest() == (
        "df53482d8dda5f2e1c3e327d13fe2c9106540abb06612076bfedc8ca5984418d")


def test_nadaraya_watson_closed_form():
    rng = np.random.default_rng(0)
    x, y = rng.uniform(0, 5, 20), rng.standard_normal(20)
    xq = np.array([0.3, 2.2, 4.9])
    pred, w = at.nadaraya_watson(xq, x, y, 0.7)
    k = np.exp(-(xq[:, None] - x[None]) ** 2 / (2 * 0.49))
    np.testing.assert_allclose(w, k / k.sum(1, keepdims=True), rtol=1e-13)
    np.testing.assert_allclose(pred, (k @ y) / k.sum(1), rtol=1e-13)
    # extreme bandwidth: no overflow, limit is nearest neighbour
    pred0, _ = at.nadaraya_watson(np.array([1.0]), np.array([0.0, 0.9, 3.0]),
                                  np.array([5.0, 7.0, 9.0]), 1e-6)
    assert pred0[0] == 7.0


def test_sdpa_matches_torch_with_masks():
    torch.manual_seed(0)
    q, k, v = (torch.randn(2, 3, 5, 4, dtype=DT) for _ in range(3))
    mask = torch.rand(5, 5) < 0.5
    mask[:, 0] = True
    out, w = at.scaled_dot_product_attention(q, k, v, mask=mask)
    ref = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    torch.testing.assert_close(out, ref, rtol=0, atol=1e-12)
    torch.testing.assert_close(w.sum(-1), torch.ones(2, 3, 5, dtype=DT))
    out_c, _ = at.scaled_dot_product_attention(q, k, v, causal=True)
    torch.testing.assert_close(out_c, F.scaled_dot_product_attention(q, k, v, is_causal=True),
                               rtol=0, atol=1e-12)
    # a flipped mask gives a different answer
    flip = at.scaled_dot_product_attention(q, k, v, mask=~mask | (torch.arange(5) == 1))[0]
    assert (flip - out).abs().max() > 0.1


def test_mha_matches_torch():
    torch.manual_seed(1)
    m = nn.MultiheadAttention(12, 3, batch_first=True, dtype=DT).eval()
    mine = at.MultiHeadAttention.from_torch(m)
    x = torch.randn(2, 6, 12, dtype=DT)
    kpm = torch.tensor([[True] * 6, [True] * 4 + [False] * 2])
    with torch.no_grad():
        y, w = mine(x, x, x, key_padding_mask=kpm, causal=True)
        yt, wt = m(x, x, x, key_padding_mask=~kpm, attn_mask=~at.causal_mask(6),
                   average_attn_weights=False)
    torch.testing.assert_close(y, yt, rtol=0, atol=1e-12)
    torch.testing.assert_close(w, wt, rtol=0, atol=1e-12)


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("act", ["relu", "gelu"])
def test_block_matches_encoder_layer(norm_first, act):
    torch.manual_seed(2)
    layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, activation=act, batch_first=True,
                                       norm_first=norm_first, dtype=DT).eval()
    blk = at.TransformerBlock.from_torch(layer)
    x = torch.randn(3, 5, 8, dtype=DT)
    with torch.no_grad():
        torch.testing.assert_close(blk(x), layer(x), rtol=0, atol=1e-12)
    n = sum(p.numel() for p in blk.parameters())
    assert n == sum(p.numel() for p in layer.parameters()) == 4 * 64 + 32 + 2 * 8 * 16 + 16 + 8 + 32


def test_positions_rotation_and_shape():
    pe = at.sinusoidal_positions(10, 6)
    om = 10000.0 ** (-np.arange(3) * 2 / 6)
    np.testing.assert_allclose(pe[3, 0::2], np.sin(3 * om), rtol=1e-14)
    np.testing.assert_allclose(pe[3, 1::2], np.cos(3 * om), rtol=1e-14)
    G = pe @ pe.T
    np.testing.assert_allclose(np.diag(G, 2), np.full(8, np.cos(2 * om).sum()), atol=1e-13)
    with pytest.raises(ValueError, match="d"):
        at.sinusoidal_positions(4, 5)


def test_causal_jacobian_of_lm():
    tok = at.CharTokenizer("abcab")
    lm = at.TinyLM(tok.vocab_size, d_model=8, num_layers=1, num_heads=2, d_ff=8, context=4,
                   seed=0).double()
    ids = torch.tensor([[0, 1, 2, 0]])
    emb = lm.tok(ids).detach().requires_grad_(True)

    def f(e):
        h = e + lm.pos(torch.arange(4))
        for b in lm.blocks:
            h = b(h, causal=True)
        return lm.head(lm.norm(h))

    J = torch.autograd.functional.jacobian(f, emb)[0, :, :, 0]  # (T, V, T, d)
    blk = J.abs().sum(dim=(1, 3))
    assert float(blk[torch.triu(torch.ones(4, 4, dtype=torch.bool), 1)].max()) == 0.0
    assert float(blk[at.causal_mask(4)].min()) > 0


def test_lm_forward_is_causal():
    # the model's own forward pass: changing a future token leaves earlier logits bit for bit
    lm = at.TinyLM(7, d_model=16, num_layers=2, num_heads=2, d_ff=16, context=8, seed=1)
    ids = torch.tensor([[0, 1, 2, 3, 4, 5, 6, 0]])
    with torch.no_grad():
        base = lm(ids)
        for t in range(8):
            alt = ids.clone()
            alt[0, t] = (alt[0, t] + 1) % 7
            out = lm(alt)
            assert torch.equal(out[0, :t], base[0, :t])
            assert float((out[0, t:] - base[0, t:]).abs().max()) > 0


def test_tokenizer_roundtrip_and_errors():
    tok = at.CharTokenizer("hello world")
    assert tok.decode(tok.encode("low")) == "low"
    with pytest.raises(ValueError, match="text"):
        tok.encode("xyz!")


def test_train_lm_decreases_loss():
    n_threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        _train_small()
    finally:
        torch.set_num_threads(n_threads)


def _train_small():
    text = at.TEXT[:1500]
    tok = at.CharTokenizer(text)
    ids = tok.encode(text)
    lm = at.TinyLM(tok.vocab_size, d_model=32, num_layers=1, num_heads=2, d_ff=64, context=16,
                   seed=0)
    ce0 = at.evaluate_ce(lm, ids)
    assert abs(ce0 - math.log(tok.vocab_size)) < 0.3
    at.train_lm(lm, ids, steps=60, batch_size=16, lr=1e-2, warmup=5, seed=0)
    assert at.evaluate_ce(lm, ids) < ce0 - 0.8


def test_errors_name_arguments():
    q = torch.randn(3, 4, dtype=DT)
    with pytest.raises(ValueError, match="mask"):
        at.scaled_dot_product_attention(q, q, q, mask=torch.zeros(3, 3, dtype=torch.bool))
    with pytest.raises(TypeError, match="mask"):
        at.scaled_dot_product_attention(q, q, q, mask=torch.zeros(3, 3))
    with pytest.raises(ValueError, match="bandwidth"):
        at.nadaraya_watson([0.0], [0.0], [1.0], 0.0)
    with pytest.raises(ValueError, match="num_heads"):
        at.MultiHeadAttention(10, 3)
