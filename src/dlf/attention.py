"""Attention, multi-head attention, masks, positions, the transformer block and a tiny character LM.

Implements the Nadaraya-Watson kernel smoother and its reading as softmax attention, scaled
dot-product attention with boolean masks, multi-head attention (with a loader from
``torch.nn.MultiheadAttention``), sinusoidal position encodings, the pre-LN and post-LN
transformer encoder block (with a loader from ``torch.nn.TransformerEncoderLayer``; the block lives
here rather than in a separate module), a character tokenizer, a small decoder-only language model
with learned positions, its training loop and its cross-entropy, and a short public-domain text to
train it on (:data:`TEXT`, written for this book).

**Mask convention.** Every boolean mask in this module means *True = may attend*, as in
``torch.nn.functional.scaled_dot_product_attention``. ``torch.nn.MultiheadAttention`` uses the
opposite convention (True = blocked) for its boolean ``attn_mask`` and ``key_padding_mask``: pass
``~mask`` to it.

Derived in: book/architectures/transformers.md (Attention and transformers).
Depends on: numpy, torch; no other dlf module.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch
from torch import nn

__all__ = [
    "TEXT",
    "load_text",
    "nadaraya_watson",
    "scaled_dot_product_attention",
    "causal_mask",
    "sinusoidal_positions",
    "MultiHeadAttention",
    "TransformerBlock",
    "CharTokenizer",
    "TinyLM",
    "train_lm",
    "evaluate_ce",
]

#: A short plain-ASCII English text written for this book (public domain, CC0), used to train
#: the character-level language model of the chapter. About 4,000 characters.
TEXT = """\
The river begins in the hills as a thin thread of water that runs between stones. In the spring
the snow melts and the thread becomes a stream, and the stream becomes loud. It carries sand and
leaves and small branches down the valley, and it does not stop to ask where they wish to go.
By the time it reaches the old mill the river is wide and slow, and the water is brown with the
soil of the fields. The miller used to say that a river is a long sentence written by the rain.
He said that every word of it is the same word, water, and yet no two words are alike.

The mill has not turned for many years. Its wheel is still there, dark and green with moss, and
the children of the village climb on it in the summer. They sit on the wooden paddles and watch
the water go by, and they count the fish that rise to take the flies. Some days they count ten,
and some days they count none at all. The old men on the bridge say that the fish know when the
weather will change, and that they hide in the deep pools before a storm. Nobody has ever proved
it, but nobody has ever proved the opposite either, and so the story is told again every year.

In the autumn the rain comes from the west. It falls on the hills and on the roofs and on the
river, and the river rises. The water climbs the stone steps below the bridge one step at a
time, and the people of the village watch it and talk about the great flood that their
grandparents saw. That flood came in the night, they say, and in the morning the square was a
lake and the church stood in the water like a ship. The marks of it are still on the wall of the
inn, a line of white paint and a date, higher than a tall man can reach.

Winter is quiet. The river freezes at its edges and the ice makes a sound like glass when the
sun touches it. The fields are white and the roads are empty, and the smoke from the chimneys
goes straight up into the cold air. In the evenings the lamps are lit early, and the baker stays
late to make bread for the morning. He says that the dough needs time, like the river needs the
rain, and that a man who is in a hurry should not bake bread. The children come to the window to
look at the loaves, and sometimes he gives them the small ones that did not rise.

When the spring returns, the ice breaks with a noise that can be heard from the hill. The
pieces turn and knock against each other and go down the river toward the sea, which none of
the children has seen. The teacher tells them that the sea is the end of every river, and that
the water there is salt because the rivers have carried the salt of the land to it for a very
long time. The children do not quite believe her. They think that the sea must be a river too,
only wider, and that somewhere on the other side there is another village with another mill.

A traveller once stopped at the inn and stayed for a week. He had walked from the coast, and he
told the children that they were right: on the other side of the sea there were villages and
mills and rivers, and children who counted fish. He said that people everywhere tell the same
stories about the weather, and that the stories are true more often than the learned men think.
Then he paid for his room, thanked the baker for the bread, and walked up the road into the
hills, following the river back to the place where it was only a thread between the stones.

The miller's daughter keeps the key of the mill. On the first day of each summer she opens the
door and lets the light into the room where the great stones used to grind the grain. The dust
rises in the sun, and the room smells of wood and old flour. She says that one day the wheel
will turn again, when someone finds a reason to make it turn. Until then the river goes by the
mill without stopping, as it went by before the mill was built, and as it will go by when the
mill is gone. The water does not remember the wheel, but the people of the village remember the
water, and they tell its story to their children, who will tell it to theirs.
"""


def load_text() -> str:
    """The book's training text :data:`TEXT` (plain ASCII English prose, public domain, CC0)."""
    return TEXT


# ---------------------------------------------------------------------------------------------
# validation


def _posint(name: str, x: Any, minimum: int = 1) -> int:
    if isinstance(x, bool) or not isinstance(x, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {type(x).__name__} {x!r}")
    if x < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {x}")
    return int(x)


def _real(name: str, x: Any, *, low: float = -math.inf, low_open: bool = False,
          high: float = math.inf) -> float:
    if isinstance(x, bool) or isinstance(x, (complex, np.complexfloating)):
        raise TypeError(f"{name} must be a real number, got {x!r}")
    try:
        v = float(x)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be a real number, got {type(x).__name__}") from err
    if not math.isfinite(v) or v < low or (low_open and v == low) or v > high:
        lo = "(" if low_open else "["
        raise ValueError(f"{name} must be finite and in {lo}{low}, {high}], got {v}")
    return v


def _array(name: str, x: Any, ndim: int) -> np.ndarray:
    if isinstance(x, (str, bytes)) or x is None:
        raise TypeError(f"{name} must be an array of real numbers, got {type(x).__name__}")
    a = np.asarray(x)
    if a.dtype.kind == "c":
        raise TypeError(f"{name} must be real, got complex dtype")
    if a.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be an array of real numbers, got dtype {a.dtype}")
    a = a.astype(float)
    if a.ndim != ndim or a.size == 0:
        raise ValueError(f"{name} must be a non-empty {ndim}-d array, got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite (no NaN or inf)")
    return a


def _tensor(name: str, x: Any, ndims: tuple[int, ...]) -> torch.Tensor:
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must be a torch tensor, got {type(x).__name__}")
    if x.is_complex() or not x.is_floating_point():
        raise TypeError(f"{name} must be a real floating tensor, got dtype {x.dtype}")
    if x.ndim not in ndims or x.numel() == 0:
        raise ValueError(f"{name} must be non-empty with {' or '.join(map(str, ndims))} "
                         f"dimensions, got shape {tuple(x.shape)}")
    if not bool(torch.isfinite(x.detach()).all()):
        raise ValueError(f"{name} must be finite (no NaN or inf)")
    return x


def _bool_mask(name: str, mask: Any, shape: tuple[int, ...]) -> torch.Tensor:
    if not isinstance(mask, torch.Tensor) or mask.dtype != torch.bool:
        raise TypeError(f"{name} must be a boolean torch tensor (True = may attend), "
                        f"got {type(mask).__name__} {getattr(mask, 'dtype', '')}")
    try:
        torch.broadcast_shapes(tuple(mask.shape), shape)
    except RuntimeError as err:
        raise ValueError(f"{name} of shape {tuple(mask.shape)} does not broadcast to "
                         f"{shape}") from err
    if mask.ndim > len(shape):
        raise ValueError(f"{name} has too many dimensions: {tuple(mask.shape)} for {shape}")
    return mask


def _ids(name: str, x: Any, vocab: int) -> torch.Tensor:
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must be a torch tensor of token ids, got {type(x).__name__}")
    if x.is_complex() or x.is_floating_point() or x.dtype == torch.bool:
        raise TypeError(f"{name} must be an integer tensor of token ids, got dtype {x.dtype}")
    if x.numel() == 0:
        raise ValueError(f"{name} must not be empty")
    if bool((x < 0).any()) or bool((x >= vocab).any()):
        raise ValueError(f"{name} must hold token ids in [0, {vocab - 1}]")
    return x


# ---------------------------------------------------------------------------------------------
# kernel smoothing and attention


def nadaraya_watson(x_query: Any, x_train: Any, y_train: Any, bandwidth: float
                    ) -> tuple[np.ndarray, np.ndarray]:
    r"""Nadaraya-Watson regression with the Gaussian kernel, and its attention weights.

    Implements (eq-tf-nw): ``f(x) = sum_i a_i(x) y_i`` with
    ``a_i(x) = exp(-(x - x_i)^2 / (2 sigma^2)) / sum_j exp(-(x - x_j)^2 / (2 sigma^2))``,
    computed as a softmax of the logits (stable for any bandwidth).

    Parameters
    ----------
    x_query : array_like, shape (m,)
    x_train, y_train : array_like, shape (n,)
    bandwidth : float
        The kernel width ``sigma > 0``.

    Returns
    -------
    pred : ndarray, shape (m,)
    weights : ndarray, shape (m, n)
        Row ``j`` holds the weights of the training points for query ``j`` (rows sum to one).
    """
    xq = _array("x_query", x_query, 1)
    xt = _array("x_train", x_train, 1)
    yt = _array("y_train", y_train, 1)
    if yt.shape != xt.shape:
        raise ValueError(f"y_train must have the shape of x_train {xt.shape}, got {yt.shape}")
    s = _real("bandwidth", bandwidth, low=0.0, low_open=True)
    z = -((xq[:, None] - xt[None, :]) ** 2) / (2 * s * s)
    z -= z.max(axis=1, keepdims=True)
    w = np.exp(z)
    w /= w.sum(axis=1, keepdims=True)
    return w @ yt, w


def scaled_dot_product_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor,
                                 mask: torch.Tensor | None = None, causal: bool = False,
                                 scale: float | None = None
                                 ) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Softmax attention ``softmax(q k^T * scale + M) v`` with a boolean mask.

    Implements (eq-tf-sdpa). ``M`` is ``0`` where attending is allowed and ``-inf`` where it is
    not. Allowed positions are those where ``mask`` is True (the convention of
    ``torch.nn.functional.scaled_dot_product_attention``) and, when ``causal``, where the key
    index ``s`` is at most the query index ``t``. Every query must be allowed at least one key.

    Parameters
    ----------
    q : Tensor, shape (..., T, d)
    k : Tensor, shape (..., S, d)
    v : Tensor, shape (..., S, d_v)
    mask : bool Tensor broadcastable to (..., T, S), optional
        True = may attend.
    causal : bool
        Also block ``s > t`` (requires ``T == S``).
    scale : float, optional
        Default ``1 / sqrt(d)``.

    Returns
    -------
    out : Tensor, shape (..., T, d_v)
    weights : Tensor, shape (..., T, S)
        Rows sum to one.
    """
    q = _tensor("q", q, (2, 3, 4))
    if not isinstance(k, torch.Tensor) or k.ndim != q.ndim:
        raise ValueError(f"k must be a tensor with as many dimensions as q ({q.ndim}), got "
                         f"{tuple(getattr(k, 'shape', ()))}")
    if not isinstance(v, torch.Tensor) or v.ndim != q.ndim:
        raise ValueError(f"v must be a tensor with as many dimensions as q ({q.ndim}), got "
                         f"{tuple(getattr(v, 'shape', ()))}")
    k = _tensor("k", k, (q.ndim,))
    v = _tensor("v", v, (q.ndim,))
    if k.shape[-1] != q.shape[-1]:
        raise ValueError(f"k must have last dimension {q.shape[-1]} like q, got {tuple(k.shape)}")
    if v.shape[-2] != k.shape[-2]:
        raise ValueError(f"v must have {k.shape[-2]} rows like k, got {tuple(v.shape)}")
    if not isinstance(causal, bool):
        raise TypeError(f"causal must be a bool, got {causal!r}")
    T, S = q.shape[-2], k.shape[-2]
    sc = 1.0 / math.sqrt(q.shape[-1]) if scale is None else _real("scale", scale, low=0.0,
                                                                  low_open=True)
    logits = (q @ k.transpose(-2, -1)) * sc
    allowed = torch.ones(T, S, dtype=torch.bool, device=q.device)
    if causal:
        if T != S:
            raise ValueError(f"causal needs as many queries as keys, got T={T}, S={S} (q, k)")
        allowed = causal_mask(T).to(q.device)
    if mask is not None:
        shape = tuple(torch.broadcast_shapes(q.shape[:-2], k.shape[:-2])) + (T, S)
        allowed = allowed & _bool_mask("mask", mask, shape)
    if not bool(allowed.any(dim=-1).all()):
        raise ValueError("mask blocks every key for some query: its attention is undefined")
    logits = logits.masked_fill(~allowed, -math.inf)
    w = torch.softmax(logits, dim=-1)
    return w @ v, w


def causal_mask(T: int) -> torch.Tensor:
    """The causal mask, shape (T, T): True (may attend) where key index ``s <= t``, query ``t``."""
    T = _posint("T", T)
    return torch.ones(T, T, dtype=torch.bool).tril()


def sinusoidal_positions(T: int, d: int, base: float = 10000.0) -> np.ndarray:
    r"""Sinusoidal position encodings, shape (T, d), ``d`` even.

    Implements (eq-tf-pe): row ``t`` (``t = 0..T-1``) holds ``sin(omega_i t)`` in column ``2i``
    and ``cos(omega_i t)`` in column ``2i + 1``, with ``omega_i = base^(-2i/d)``,
    ``i = 0..d/2-1``.
    """
    T = _posint("T", T)
    d = _posint("d", d, 2)
    if d % 2:
        raise ValueError(f"d must be even, got {d}")
    base = _real("base", base, low=1.0, low_open=True)
    omega = base ** (-2.0 * np.arange(d // 2) / d)
    ang = np.arange(T)[:, None] * omega[None, :]
    pe = np.empty((T, d))
    pe[:, 0::2] = np.sin(ang)
    pe[:, 1::2] = np.cos(ang)
    return pe


# ---------------------------------------------------------------------------------------------
# multi-head attention and the block


class MultiHeadAttention(nn.Module):
    r"""Multi-head attention (eq-tf-mha), in the parametrization of ``torch.nn.MultiheadAttention``.

    ``head_h = Attention(x_q W_q^h, x_k W_k^h, x_v W_v^h)`` on ``num_heads`` slices of width
    ``d_model / num_heads``, concatenated and mapped by ``W_o`` (all maps with biases). Inputs are
    batch-first, shape (B, T, d_model).

    Parameters
    ----------
    d_model : int
    num_heads : int
        Must divide ``d_model``.
    """

    def __init__(self, d_model: int, num_heads: int) -> None:
        super().__init__()
        d_model = _posint("d_model", d_model)
        num_heads = _posint("num_heads", num_heads)
        if d_model % num_heads:
            raise ValueError(f"num_heads={num_heads} must divide d_model={d_model}")
        self.d_model, self.num_heads = d_model, num_heads
        self.q_proj = nn.Linear(d_model, d_model)
        self.k_proj = nn.Linear(d_model, d_model)
        self.v_proj = nn.Linear(d_model, d_model)
        self.out_proj = nn.Linear(d_model, d_model)

    @classmethod
    def from_torch(cls, mha: nn.MultiheadAttention) -> MultiHeadAttention:
        """A copy of the weights of a ``torch.nn.MultiheadAttention`` (with biases, same dims)."""
        if not isinstance(mha, nn.MultiheadAttention):
            raise TypeError(f"mha must be a torch.nn.MultiheadAttention, got {type(mha).__name__}")
        if mha.in_proj_weight is None or mha.in_proj_bias is None or mha.bias_k is not None:
            raise ValueError("mha must have equal q/k/v dims, biases and no bias_k/bias_v")
        new = cls(mha.embed_dim, mha.num_heads).to(mha.in_proj_weight.dtype)
        d = mha.embed_dim
        with torch.no_grad():
            for i, lin in enumerate((new.q_proj, new.k_proj, new.v_proj)):
                lin.weight.copy_(mha.in_proj_weight[i * d:(i + 1) * d])
                lin.bias.copy_(mha.in_proj_bias[i * d:(i + 1) * d])
            new.out_proj.weight.copy_(mha.out_proj.weight)
            new.out_proj.bias.copy_(mha.out_proj.bias)
        return new

    def _split(self, x: torch.Tensor) -> torch.Tensor:
        B, T, _ = x.shape
        return x.view(B, T, self.num_heads, -1).transpose(1, 2)

    def forward(self, query: torch.Tensor, key: torch.Tensor, value: torch.Tensor,
                mask: torch.Tensor | None = None, key_padding_mask: torch.Tensor | None = None,
                causal: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
        """Outputs (B, T, d_model) and per-head weights (B, num_heads, T, S).

        ``mask`` (T, S) or (B, T, S) and ``key_padding_mask`` (B, S) are boolean, True = may
        attend (the opposite of torch's ``MultiheadAttention``).
        """
        query = _tensor("query", query, (3,))
        key = _tensor("key", key, (3,))
        value = _tensor("value", value, (3,))
        B, T, D = query.shape
        if D != self.d_model or key.shape[0] != B or key.shape[2] != D or value.shape != key.shape:
            raise ValueError(f"query (B, T, {self.d_model}), key and value (B, S, {self.d_model}) "
                             f"expected, got {tuple(query.shape)}, {tuple(key.shape)}, "
                             f"{tuple(value.shape)}")
        return self._attend(query, key, value, mask, key_padding_mask, causal)

    def _attend(self, query, key, value, mask=None, key_padding_mask=None, causal=False):
        B, T, D = query.shape
        S = key.shape[1]
        full = None
        if mask is not None:
            full = _bool_mask("mask", mask, (B, T, S))
            full = full.unsqueeze(-3) if full.ndim == 3 else full
        if key_padding_mask is not None:
            kpm = _bool_mask("key_padding_mask", key_padding_mask, (B, S))
            if kpm.ndim != 2:
                raise ValueError(f"key_padding_mask must have shape (B, S) = ({B}, {S})")
            kpm = kpm[:, None, None, :]
            full = kpm if full is None else full & kpm
        q = self._split(self.q_proj(query))
        k = self._split(self.k_proj(key))
        v = self._split(self.v_proj(value))
        out, w = scaled_dot_product_attention(q, k, v, mask=full, causal=causal)
        out = out.transpose(1, 2).reshape(B, T, D)
        return self.out_proj(out), w


class TransformerBlock(nn.Module):
    r"""A transformer encoder block, post-LN or pre-LN (eq-tf-block), as in torch.

    The parametrization is that of ``nn.TransformerEncoderLayer``.

    Post-LN (``norm_first=False``): ``z = LN1(x + MHA(x))``, ``y = LN2(z + FFN(z))``.
    Pre-LN (``norm_first=True``): ``z = x + MHA(LN1(x))``, ``y = z + FFN(LN2(z))``.
    ``FFN(z) = W_2 act(W_1 z + b_1) + b_2`` with ``act`` ReLU or GELU. No dropout.

    Parameters
    ----------
    d_model, num_heads, d_ff : int
    norm_first : bool
    activation : {"relu", "gelu"}
    """

    def __init__(self, d_model: int, num_heads: int, d_ff: int, norm_first: bool = True,
                 activation: str = "relu") -> None:
        super().__init__()
        d_ff = _posint("d_ff", d_ff)
        if not isinstance(norm_first, bool):
            raise TypeError(f"norm_first must be a bool, got {norm_first!r}")
        if activation not in ("relu", "gelu"):
            raise ValueError(f"activation must be 'relu' or 'gelu', got {activation!r}")
        self.attn = MultiHeadAttention(d_model, num_heads)
        self.norm1 = nn.LayerNorm(d_model)
        self.norm2 = nn.LayerNorm(d_model)
        self.lin1 = nn.Linear(d_model, d_ff)
        self.lin2 = nn.Linear(d_ff, d_model)
        self.norm_first, self.activation = norm_first, activation

    @classmethod
    def from_torch(cls, layer: nn.TransformerEncoderLayer) -> TransformerBlock:
        """A copy of a batch-first ``nn.TransformerEncoderLayer`` (relu or gelu, LayerNorm)."""
        if not isinstance(layer, nn.TransformerEncoderLayer):
            raise TypeError(f"layer must be a torch.nn.TransformerEncoderLayer, "
                            f"got {type(layer).__name__}")
        act = layer.activation
        name = {"relu": "relu", "gelu": "gelu"}.get(getattr(act, "__name__", ""), None)
        if name is None:
            name = ("relu" if isinstance(act, nn.ReLU)
                    else "gelu" if isinstance(act, nn.GELU) else None)
        if name is None:
            raise ValueError("layer must use relu or gelu")
        sa = layer.self_attn
        new = cls(sa.embed_dim, sa.num_heads, layer.linear1.out_features, layer.norm_first, name)
        new = new.to(layer.linear1.weight.dtype)
        new.attn = MultiHeadAttention.from_torch(sa)
        new.norm1.load_state_dict(layer.norm1.state_dict())
        new.norm2.load_state_dict(layer.norm2.state_dict())
        new.lin1.load_state_dict(layer.linear1.state_dict())
        new.lin2.load_state_dict(layer.linear2.state_dict())
        return new

    def _ffn(self, x: torch.Tensor) -> torch.Tensor:
        h = self.lin1(x)
        h = torch.relu(h) if self.activation == "relu" else nn.functional.gelu(h)
        return self.lin2(h)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None,
                causal: bool = False) -> torch.Tensor:
        """Apply the block to ``x`` (B, T, d_model); ``mask`` True = may attend."""
        x = _tensor("x", x, (3,))
        if mask is not None:
            _bool_mask("mask", mask, (x.shape[0], x.shape[1], x.shape[1]))
        return self._block(x, mask, causal)

    def _block(self, x, mask=None, causal=False):
        if self.norm_first:
            h = self.norm1(x)
            z = x + self.attn._attend(h, h, h, mask=mask, causal=causal)[0]
            return z + self._ffn(self.norm2(z))
        z = self.norm1(x + self.attn._attend(x, x, x, mask=mask, causal=causal)[0])
        return self.norm2(z + self._ffn(z))


# ---------------------------------------------------------------------------------------------
# a tiny character-level language model


class CharTokenizer:
    """Maps the distinct characters of a text to ids ``0..V-1`` (sorted order) and back."""

    def __init__(self, text: str) -> None:
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, got {type(text).__name__}")
        if not text:
            raise ValueError("text must not be empty")
        self.chars = sorted(set(text))
        self.index = {c: i for i, c in enumerate(self.chars)}

    @property
    def vocab_size(self) -> int:
        """Number of distinct characters."""
        return len(self.chars)

    def encode(self, text: str) -> torch.Tensor:
        """Token ids (int64 tensor) of ``text``; every character must be in the vocabulary."""
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, got {type(text).__name__}")
        bad = set(text) - set(self.index)
        if bad:
            raise ValueError(f"text has characters outside the vocabulary: {sorted(bad)[:5]}")
        return torch.tensor([self.index[c] for c in text], dtype=torch.long)

    def decode(self, ids: Any) -> str:
        """The text of a 1-d sequence of ids."""
        ids = _ids("ids", ids, self.vocab_size)
        if ids.ndim != 1:
            raise ValueError(f"ids must be 1-d, got shape {tuple(ids.shape)}")
        return "".join(self.chars[int(i)] for i in ids)


class TinyLM(nn.Module):
    r"""A decoder-only transformer on characters.

    Token embedding plus a *learned* position embedding, ``num_layers`` causal pre-LN
    :class:`TransformerBlock`, a final LayerNorm and a linear read-out to ``vocab_size`` logits.

    Parameters
    ----------
    vocab_size, d_model, num_layers, num_heads, d_ff, context : int
        ``context`` is the longest input the position table covers.
    seed : int
        Seed of the initialization (PyTorch defaults, embeddings N(0, 0.02^2)).
    """

    def __init__(self, vocab_size: int, d_model: int = 64, num_layers: int = 2,
                 num_heads: int = 4, d_ff: int = 256, context: int = 32, seed: int = 0) -> None:
        super().__init__()
        vocab_size = _posint("vocab_size", vocab_size)
        num_layers = _posint("num_layers", num_layers)
        context = _posint("context", context)
        seed = _posint("seed", seed, 0)
        gen_state = torch.random.get_rng_state()
        torch.manual_seed(seed)
        try:
            self.tok = nn.Embedding(vocab_size, _posint("d_model", d_model))
            self.pos = nn.Embedding(context, d_model)
            self.blocks = nn.ModuleList([TransformerBlock(d_model, num_heads, d_ff, True)
                                         for _ in range(num_layers)])
            self.norm = nn.LayerNorm(d_model)
            self.head = nn.Linear(d_model, vocab_size)
            for emb in (self.tok, self.pos):
                nn.init.normal_(emb.weight, std=0.02)
        finally:
            torch.random.set_rng_state(gen_state)
        self.vocab_size, self.context = vocab_size, context

    def forward(self, idx: torch.Tensor) -> torch.Tensor:
        """Logits (B, T, vocab_size) for ids ``idx`` (B, T), T <= context; causal."""
        idx = _ids("idx", idx, self.vocab_size)
        if idx.ndim != 2 or idx.shape[1] > self.context:
            raise ValueError(f"idx must have shape (B, T) with T <= {self.context}, "
                             f"got {tuple(idx.shape)}")
        T = idx.shape[1]
        h = self.tok(idx) + self.pos(torch.arange(T, device=idx.device))
        for blk in self.blocks:
            h = blk._block(h, causal=True)
        return self.head(self.norm(h))


def _windows(data: torch.Tensor, starts: torch.Tensor, T: int) -> tuple[torch.Tensor, torch.Tensor]:
    offs = torch.arange(T + 1)
    chunk = data[starts[:, None] + offs[None, :]]
    return chunk[:, :-1], chunk[:, 1:]


def train_lm(model: TinyLM, data: torch.Tensor, steps: int = 300, batch_size: int = 32,
             lr: float = 1e-2, warmup: int = 30, weight_decay: float = 0.01,
             seed: int = 0) -> list[float]:
    r"""Train ``model`` on next-character cross-entropy with AdamW, warm-up and cosine decay.

    Each step draws ``batch_size`` windows of length ``model.context`` uniformly from ``data``;
    the learning rate rises linearly over ``warmup`` steps, then follows a cosine to zero.
    Gradients are clipped to norm 1.

    Returns
    -------
    list of float
        The training loss (nats per character) of each step's batch, before its update.
    """
    if not isinstance(model, TinyLM):
        raise TypeError(f"model must be a TinyLM, got {type(model).__name__}")
    data = _ids("data", data, model.vocab_size)
    if data.ndim != 1 or data.numel() <= model.context:
        raise ValueError(f"data must be 1-d and longer than the context {model.context}")
    steps = _posint("steps", steps)
    batch_size = _posint("batch_size", batch_size)
    lr = _real("lr", lr, low=0.0, low_open=True)
    warmup = _posint("warmup", warmup, 0)
    weight_decay = _real("weight_decay", weight_decay, low=0.0)
    gen = torch.Generator().manual_seed(_posint("seed", seed, 0))
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)

    def factor(t: int) -> float:
        if t < warmup:
            return (t + 1) / warmup
        return 0.5 * (1 + math.cos(math.pi * (t - warmup) / max(1, steps - warmup)))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, factor)
    T = model.context
    losses = []
    model.train()
    for _ in range(steps):
        starts = torch.randint(0, data.numel() - T, (batch_size,), generator=gen)
        x, y = _windows(data, starts, T)
        loss = nn.functional.cross_entropy(model(x).flatten(0, 1), y.flatten())
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        losses.append(loss.item())
    model.eval()
    return losses


@torch.no_grad()
def evaluate_ce(model: TinyLM, data: torch.Tensor) -> float:
    r"""Mean next-character cross-entropy (nats) of ``model`` on ``data``.

    ``data`` is cut into consecutive non-overlapping windows of ``model.context + 1`` ids (a
    shorter last window included); every id after the first of a window is predicted from the
    ids before it in the window. Perplexity is ``exp`` of the result.
    """
    if not isinstance(model, TinyLM):
        raise TypeError(f"model must be a TinyLM, got {type(model).__name__}")
    data = _ids("data", data, model.vocab_size)
    if data.ndim != 1 or data.numel() < 2:
        raise ValueError("data must be 1-d with at least 2 ids")
    model.eval()
    T = model.context
    total, count = 0.0, 0
    for a in range(0, data.numel() - 1, T):
        chunk = data[a:a + T + 1]
        if chunk.numel() < 2:
            break
        logits = model(chunk[None, :-1])[0]
        total += float(nn.functional.cross_entropy(logits, chunk[1:], reduction="sum"))
        count += chunk.numel() - 1
    return total / count
