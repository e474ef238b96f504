"""Valid calls of dlf.attention (format: tests/contract/__init__.py)."""

import numpy as np
import torch
from torch import nn

from dlf import attention

_DT = torch.float64


def _qkv():
    g = torch.Generator().manual_seed(0)
    return dict(q=torch.randn(2, 3, 4, generator=g, dtype=_DT),
                k=torch.randn(2, 3, 4, generator=g, dtype=_DT),
                v=torch.randn(2, 3, 4, generator=g, dtype=_DT),
                mask=torch.ones(3, 3, dtype=torch.bool), causal=True, scale=0.5)


def _mha():
    return attention.MultiHeadAttention(d_model=4, num_heads=2).double()


def _mha_fwd():
    x = torch.randn(2, 3, 4, generator=torch.Generator().manual_seed(1), dtype=_DT)
    return dict(query=x, key=x.clone(), value=x.clone(), mask=torch.ones(3, 3, dtype=torch.bool),
                key_padding_mask=torch.ones(2, 3, dtype=torch.bool), causal=False,
                _self=_mha)


def _block():
    return attention.TransformerBlock(d_model=4, num_heads=2, d_ff=8).double()


def _block_fwd():
    x = torch.randn(2, 3, 4, generator=torch.Generator().manual_seed(2), dtype=_DT)
    return dict(x=x, mask=torch.ones(3, 3, dtype=torch.bool), causal=True, _self=_block)


def _lm():
    return attention.TinyLM(vocab_size=5, d_model=8, num_layers=1, num_heads=2, d_ff=8,
                            context=6, seed=0)


def _ids(n=20):
    return torch.arange(n) % 5


def _tok():
    return attention.CharTokenizer("hello world")


VALID_CALLS = {
    "load_text": dict(),
    "nadaraya_watson": dict(x_query=np.array([0.5, 1.5]), x_train=np.array([0.0, 1.0, 2.0]),
                            y_train=np.array([1.0, 2.0, 0.0]), bandwidth=0.5),
    "scaled_dot_product_attention": _qkv,
    "causal_mask": dict(T=4),
    "sinusoidal_positions": dict(T=5, d=4, base=10000.0),
    "MultiHeadAttention": dict(d_model=4, num_heads=2),
    "MultiHeadAttention.from_torch": dict(mha=nn.MultiheadAttention(4, 2, batch_first=True)),
    "MultiHeadAttention.forward": _mha_fwd,
    "TransformerBlock": dict(d_model=4, num_heads=2, d_ff=8, norm_first=True, activation="relu"),
    "TransformerBlock.from_torch": dict(
        layer=nn.TransformerEncoderLayer(4, 2, 8, batch_first=True)),
    "TransformerBlock.forward": _block_fwd,
    "CharTokenizer": dict(text="hello world"),
    "CharTokenizer.encode": dict(text="low", _self=_tok),
    "CharTokenizer.decode": dict(ids=torch.tensor([0, 1, 2]), _self=_tok),
    "TinyLM": dict(vocab_size=5, d_model=8, num_layers=1, num_heads=2, d_ff=8, context=6, seed=0),
    "TinyLM.forward": dict(idx=torch.tensor([[0, 1, 2], [3, 4, 0]]), _self=_lm),
    "train_lm": lambda: dict(model=_lm(), data=_ids(), steps=2, batch_size=2, lr=1e-3, warmup=1,
                             weight_decay=0.01, seed=0),
    "evaluate_ce": lambda: dict(model=_lm(), data=_ids()),
}
