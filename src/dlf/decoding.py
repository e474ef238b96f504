"""Decoding, language-model metrics, scaling laws and preference optimization.

Implements search over a tree of next-token probabilities (greedy, beam, exhaustive), the
temperature softmax and its entropy, top-k and top-p (nucleus) truncation and sampling, batched
sampling from a language model, perplexity, add-c n-gram (bigram) models of a Markov chain and its
entropy rate, the Chinchilla scaling law and its compute-optimal allocation, and the preference
pieces: the Bradley-Terry probability, the reward maximum-likelihood fit, the KL-regularized
optimal policy and the DPO loss of a tabular policy with its training loop.

Derived in: book/architectures/transformers.md (Attention and transformers).
Depends on: numpy, scipy (optimize), torch; ``dlf.sde`` (``invariant_distribution``, for
:func:`entropy_rate`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from dlf.sde import invariant_distribution

__all__ = [
    "greedy",
    "beam_search",
    "exhaustive_search",
    "softmax",
    "entropy",
    "truncate",
    "sample",
    "generate",
    "perplexity",
    "markov_sequences",
    "bigram_model",
    "entropy_rate",
    "bigram_excess_ce",
    "CHINCHILLA",
    "chinchilla_loss",
    "compute_optimal",
    "bt_prob",
    "fit_reward",
    "win_graph_connected",
    "kl_optimal_policy",
    "dpo_loss",
    "train_dpo",
]

StepFn = Callable[[tuple], dict]


# ---------------------------------------------------------------------------------------------
# validation


def _posint(name: str, x: Any, minimum: int = 1) -> int:
    if isinstance(x, bool) or not isinstance(x, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {type(x).__name__} {x!r}")
    if x < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {x}")
    return int(x)


def _real(name: str, x: Any, *, low: float = -math.inf, low_open: bool = False,
          high: float = math.inf, high_open: bool = False) -> float:
    if isinstance(x, bool) or isinstance(x, (complex, np.complexfloating)):
        raise TypeError(f"{name} must be a real number, got {x!r}")
    try:
        v = float(x)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be a real number, got {type(x).__name__}") from err
    if (not math.isfinite(v) or v < low or (low_open and v == low) or v > high
            or (high_open and v == high)):
        raise ValueError(f"{name} must be finite and in {'(' if low_open else '['}{low}, "
                         f"{high}{')' if high_open else ']'}, got {v}")
    return v


def _array(name: str, x: Any, ndims: tuple[int, ...]) -> np.ndarray:
    if isinstance(x, (str, bytes)) or x is None:
        raise TypeError(f"{name} must be an array of real numbers, got {type(x).__name__}")
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu().numpy()
    a = np.asarray(x)
    if a.dtype.kind == "c":
        raise TypeError(f"{name} must be real, got complex dtype")
    if a.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be an array of real numbers, got dtype {a.dtype}")
    a = a.astype(float)
    if a.ndim not in ndims or a.size == 0:
        raise ValueError(f"{name} must be non-empty with {' or '.join(map(str, ndims))} "
                         f"dimension(s), got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite (no NaN or inf)")
    return a


def _probs(name: str, p: Any, ndims: tuple[int, ...] = (1,)) -> np.ndarray:
    a = _array(name, p, ndims)
    if np.any(a < 0) or not np.allclose(a.sum(axis=-1), 1.0, atol=1e-9):
        raise ValueError(f"{name} must hold probability vectors (>= 0, summing to 1)")
    return a


def _rng(seed: Any) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise TypeError(f"seed must be a non-negative integer or a numpy Generator, got {seed!r}")
    return np.random.default_rng(int(seed))


def _step_fn(step: Any) -> StepFn:
    if not callable(step):
        raise TypeError(f"step must be callable prefix -> {{token: prob}}, "
                        f"got {type(step).__name__}")
    return step


def _expand(step: StepFn, prefix: tuple) -> dict:
    out = step(prefix)
    if not isinstance(out, dict):
        raise TypeError(f"step must return a dict token -> prob, got {type(out).__name__}")
    for tok, pr in out.items():
        if not (isinstance(pr, (int, float, np.floating)) and 0 <= pr <= 1):
            raise ValueError(f"step returned probability {pr!r} for {tok!r}; need [0, 1]")
    return out


# ---------------------------------------------------------------------------------------------
# search


def greedy(step: StepFn, steps: int) -> tuple[tuple, float]:
    """Greedy decoding: ``steps`` times append the most probable next token (first on ties).

    ``step(prefix)`` returns a dict ``{token: probability}`` of the continuations of the tuple
    ``prefix`` (starting from ``()``); an empty dict ends the sequence early.

    Returns
    -------
    (sequence, probability) : tuple, float
        The sequence and the product of its step probabilities.
    """
    step = _step_fn(step)
    steps = _posint("steps", steps)
    seq, prob = (), 1.0
    for _ in range(steps):
        nxt = _expand(step, seq)
        if not nxt:
            break
        tok = max(nxt, key=nxt.get)
        seq, prob = seq + (tok,), prob * nxt[tok]
    return seq, prob


def beam_search(step: StepFn, steps: int, beam_width: int) -> list[tuple[tuple, float]]:
    """Beam search: keep the ``beam_width`` most probable prefixes at every step.

    Prefixes whose ``step`` dict is empty cannot be extended and are dropped. Ties are broken
    by the order in which candidates are generated (stable sort).

    Returns
    -------
    list of (sequence, probability)
        The final beam, most probable first (sequences of length ``steps``).
    """
    step = _step_fn(step)
    steps = _posint("steps", steps)
    beam_width = _posint("beam_width", beam_width)
    beam: list[tuple[tuple, float]] = [((), 1.0)]
    for _ in range(steps):
        cand = [(seq + (tok,), pr * q) for seq, pr in beam for tok, q in _expand(step, seq).items()]
        cand.sort(key=lambda c: -c[1])
        beam = cand[:beam_width]
    return beam


def exhaustive_search(step: StepFn, steps: int) -> list[tuple[tuple, float]]:
    """All complete sequences of length ``steps`` with their probabilities, most probable first."""
    step = _step_fn(step)
    steps = _posint("steps", steps)
    level: list[tuple[tuple, float]] = [((), 1.0)]
    for _ in range(steps):
        level = [(seq + (tok,), pr * q) for seq, pr in level
                 for tok, q in _expand(step, seq).items()]
    return sorted(level, key=lambda c: -c[1])


# ---------------------------------------------------------------------------------------------
# temperature, truncation, sampling


def softmax(logits: Any, temperature: float = 1.0) -> np.ndarray:
    r"""``softmax(z / T)`` along the last axis (temperature ``T``), computed stably."""
    z = _array("logits", logits, (1, 2))
    T = _real("temperature", temperature, low=0.0, low_open=True)
    z = z / T
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def entropy(p: Any) -> np.ndarray | float:
    """Shannon entropy in nats, ``-sum p log p`` (``0 log 0 = 0``), along the last axis."""
    p = _probs("p", p, (1, 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        h = -np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0).sum(axis=-1)
    return float(h) if h.ndim == 0 else h


def truncate(p: Any, top_k: int | None = None, top_p: float | None = None) -> np.ndarray:
    r"""Top-k and/or top-p (nucleus) truncation of probability vectors, renormalized.

    Tokens are ranked by probability (ties: lower index first).
    ``top_k`` keeps the ``k`` highest; ``top_p`` keeps the smallest prefix of the ranking whose
    mass is ``>= top_p``. With both, a token must pass both. The kept probabilities are divided by
    their sum; the others become ``0``.

    Parameters
    ----------
    p : array_like, shape (V,) or (B, V)
    top_k : int, optional
    top_p : float in (0, 1], optional
    """
    p = _probs("p", p, (1, 2))
    q = np.atleast_2d(p)
    V = q.shape[-1]
    order = np.argsort(-q, axis=-1, kind="stable")
    keep_sorted = np.ones_like(q, dtype=bool)
    if top_k is not None:
        k = _posint("top_k", top_k)
        keep_sorted[:, min(k, V):] = False
    if top_p is not None:
        tp = _real("top_p", top_p, low=0.0, low_open=True, high=1.0)
        cum = np.cumsum(np.take_along_axis(q, order, axis=-1), axis=-1)
        # keep rank j if the mass strictly before it is < top_p
        before = cum - np.take_along_axis(q, order, axis=-1)
        keep_sorted &= before < tp - 1e-12
    keep = np.zeros_like(keep_sorted)
    np.put_along_axis(keep, order, keep_sorted, axis=-1)
    out = np.where(keep, q, 0.0)
    out /= out.sum(axis=-1, keepdims=True)
    return out[0] if p.ndim == 1 else out


def sample(logits: Any, seed: Any = 0, temperature: float = 1.0, top_k: int | None = None,
           top_p: float | None = None, size: int | None = None) -> np.ndarray:
    """Draw token ids from ``truncate(softmax(logits / temperature), top_k, top_p)``.

    ``logits`` of shape (V,) gives ``size`` draws (one if ``size`` is None); shape (B, V) gives
    one draw per row (``size`` must be None). ``seed`` is an int or a numpy Generator.
    """
    p = truncate(softmax(logits, temperature), top_k, top_p)
    rng = _rng(seed)
    if p.ndim == 1:
        n = 1 if size is None else _posint("size", size)
        draws = rng.choice(p.size, size=n, p=p)
        return draws if size is not None else draws[:1]
    if size is not None:
        raise ValueError("size must be None for a batch of logits (one draw per row)")
    u = rng.random(p.shape[0])[:, None]
    idx = (np.cumsum(p, axis=-1) < u).sum(axis=-1)
    return np.minimum(idx, p.shape[1] - 1)


@torch.no_grad()
def generate(model: Any, prompt: torch.Tensor, n_new: int, seed: Any = 0,
             temperature: float = 1.0, top_k: int | None = None, top_p: float | None = None,
             greedy_decoding: bool = False) -> torch.Tensor:
    """Autoregressive generation from a causal LM, batched.

    ``model(idx)`` maps ids (B, T) to logits (B, T, V) and has an attribute ``context``;
    ``prompt`` is (B, T0). Each new id is drawn with :func:`sample` (or is the argmax when
    ``greedy_decoding``) from the logits at the last position, given the last ``context`` ids.

    Returns
    -------
    Tensor, shape (B, T0 + n_new)
    """
    if not callable(model) or not hasattr(model, "context"):
        raise TypeError("model must be a callable LM with a context attribute")
    if not isinstance(prompt, torch.Tensor) or prompt.dtype != torch.long or prompt.ndim != 2 \
            or prompt.numel() == 0:
        raise TypeError("prompt must be a non-empty int64 tensor of shape (B, T0)")
    V = getattr(model, "vocab_size", None)
    if bool((prompt < 0).any()) or (V is not None and bool((prompt >= V).any())):
        raise ValueError(f"prompt must hold token ids in [0, {V})")
    n_new = _posint("n_new", n_new)
    rng = _rng(seed)
    if not isinstance(greedy_decoding, bool):
        raise TypeError(f"greedy_decoding must be a bool, got {greedy_decoding!r}")
    idx = prompt.clone()
    for _ in range(n_new):
        logits = model(idx[:, -model.context:])[:, -1].double().numpy()
        if greedy_decoding:
            nxt = logits.argmax(axis=-1)
        else:
            nxt = sample(logits, rng, temperature, top_k, top_p)
        idx = torch.cat([idx, torch.as_tensor(nxt, dtype=torch.long)[:, None]], dim=1)
    return idx


# ---------------------------------------------------------------------------------------------
# cross-entropy, perplexity, n-grams


def perplexity(ce: Any, base: float = math.e) -> float:
    """Perplexity ``base ** ce`` of a cross-entropy ``ce`` measured in log base ``base``."""
    ce = _real("ce", ce, low=0.0)
    base = _real("base", base, low=1.0, low_open=True)
    return float(base ** ce)


def markov_sequences(P: Any, length: int, num: int = 1, seed: Any = 0) -> np.ndarray:
    """``num`` independent stationary trajectories of the chain ``P``, shape (num, length).

    The first state is drawn from the invariant distribution of ``P``.
    """
    P = _probs("P", P, (2,))
    if P.shape[0] != P.shape[1]:
        raise ValueError(f"P must be square, got shape {P.shape}")
    length = _posint("length", length)
    num = _posint("num", num)
    rng = _rng(seed)
    cum = np.cumsum(P, axis=1)
    pi = invariant_distribution(P)
    x = np.empty((num, length), dtype=np.int64)
    x[:, 0] = np.minimum((np.cumsum(pi)[None, :] < rng.random(num)[:, None]).sum(1), P.shape[0] - 1)
    u = rng.random((num, length))
    for t in range(1, length):
        x[:, t] = np.minimum((cum[x[:, t - 1]] < u[:, t, None]).sum(1), P.shape[0] - 1)
    return x


def bigram_model(seq: Any, K: int, c: float = 0.5) -> np.ndarray:
    r"""Add-``c`` bigram estimate ``(N_ij + c) / (N_i + K c)`` from a sequence of states in 0..K-1.

    ``c = 0`` is the maximum-likelihood estimate (undefined rows, for unvisited states, are
    uniform). Returns a (K, K) row-stochastic matrix.
    """
    K = _posint("K", K)
    s = _array("seq", seq, (1,))
    if np.any(s != np.round(s)) or np.any(s < 0) or np.any(s >= K) or s.size < 2:
        raise ValueError(f"seq must hold at least 2 integer states in [0, {K - 1}]")
    c = _real("c", c, low=0.0)
    s = s.astype(np.int64)
    N = np.zeros((K, K))
    np.add.at(N, (s[:-1], s[1:]), 1.0)
    num = N + c
    den = num.sum(axis=1, keepdims=True)
    return np.where(den > 0, num / np.where(den > 0, den, 1.0), 1.0 / K)


def entropy_rate(P: Any) -> float:
    """Entropy rate (nats per step) ``sum_i pi_i H(P_i)`` of a stationary Markov chain."""
    P = _probs("P", P, (2,))
    if P.shape[0] != P.shape[1]:
        raise ValueError(f"P must be square, got shape {P.shape}")
    return float(invariant_distribution(P) @ entropy(P))


def bigram_excess_ce(P: Any, Q: Any) -> float:
    r"""Excess cross-entropy of the model ``Q`` on the stationary chain ``P``:
    ``sum_i pi_i KL(P_i || Q_i)`` (``inf`` if ``Q`` misses a transition of ``P``)."""
    P = _probs("P", P, (2,))
    Q = _probs("Q", Q, (2,))
    if P.shape != Q.shape or P.shape[0] != P.shape[1]:
        raise ValueError(f"P and Q must be square of the same shape, got {P.shape}, {Q.shape}")
    pi = invariant_distribution(P)
    with np.errstate(divide="ignore"):
        terms = np.where(P > 0, P * (np.log(np.where(P > 0, P, 1.0)) - np.log(Q)), 0.0)
    return float(pi @ terms.sum(axis=1))


# ---------------------------------------------------------------------------------------------
# scaling laws

#: Hoffmann et al. (2022), approach 3: L(N, D) = E + A / N**alpha + B / D**beta (nats/token).
CHINCHILLA = {"E": 1.69, "A": 406.4, "B": 410.7, "alpha": 0.34, "beta": 0.28}


def chinchilla_loss(N: Any, D: Any) -> np.ndarray | float:
    r"""The Chinchilla law (eq-tf-chinchilla) ``E + A N^-alpha + B D^-beta`` for ``N`` parameters
    and ``D`` training tokens (positive, broadcastable)."""
    N = _array("N", N, (0, 1, 2))
    D = _array("D", D, (0, 1, 2))
    if np.any(N <= 0):
        raise ValueError("N must be positive")
    if np.any(D <= 0):
        raise ValueError("D must be positive")
    c = CHINCHILLA
    out = c["E"] + c["A"] * N ** -c["alpha"] + c["B"] * D ** -c["beta"]
    return float(out) if np.ndim(out) == 0 else out


def compute_optimal(F: float) -> tuple[float, float]:
    r"""The minimizer of :func:`chinchilla_loss` under ``6 N D = F``.

    ``N* = G (F/6)^(beta/(alpha+beta))``, ``G = (alpha A / (beta B))^(1/(alpha+beta))``,
    ``D* = F / (6 N*)``.
    """
    F = _real("F", F, low=0.0, low_open=True)
    c = CHINCHILLA
    a, b = c["alpha"], c["beta"]
    G = (a * c["A"] / (b * c["B"])) ** (1 / (a + b))
    N = G * (F / 6) ** (b / (a + b))
    return float(N), float(F / (6 * N))


# ---------------------------------------------------------------------------------------------
# preferences


def bt_prob(r1: Any, r2: Any) -> np.ndarray | float:
    r"""Bradley-Terry probability that the response with reward ``r1`` is preferred to ``r2``,
    ``sigmoid(r1 - r2)``."""
    a = _array("r1", r1, (0, 1, 2))
    b = _array("r2", r2, (0, 1, 2))
    out = 0.5 * (1 + np.tanh(0.5 * (a - b)))
    return float(out) if np.ndim(out) == 0 else out


def _pairs(name: str, pairs: Any, X: int, Y: int) -> np.ndarray:
    a = _array(name, pairs, (2,))
    if a.shape[1] != 3 or np.any(a != np.round(a)) or np.any(a < 0):
        raise ValueError(f"{name} must be an integer array of rows (prompt, winner, loser)")
    a = a.astype(np.int64)
    if np.any(a[:, 0] >= X) or np.any(a[:, 1:] >= Y):
        raise ValueError(f"{name} holds a prompt >= {X} or a response >= {Y}")
    return a


def _bt_nll(u: np.ndarray, pairs: np.ndarray) -> tuple[float, np.ndarray]:
    d = u[pairs[:, 0], pairs[:, 1]] - u[pairs[:, 0], pairs[:, 2]]
    nll = float(np.logaddexp(0.0, -d).sum())
    g = -0.5 * (1 - np.tanh(0.5 * d))  # d/dd of log(1 + e^-d) = -sigmoid(-d)
    grad = np.zeros_like(u)
    np.add.at(grad, (pairs[:, 0], pairs[:, 1]), g)
    np.add.at(grad, (pairs[:, 0], pairs[:, 2]), -g)
    return nll, grad


def win_graph_connected(pairs: Any, num_prompts: int, num_responses: int) -> np.ndarray:
    r"""For each prompt, whether the directed graph of observed wins (an edge ``w -> l`` for
    every row ``(x, w, l)``) is strongly connected on all responses.

    This is the condition (Zermelo 1929, Ford 1957) under which the Bradley-Terry maximum
    likelihood reward of that prompt exists and is unique up to a constant. Existence alone
    holds if and only if every weakly connected component of the graph is strongly connected
    (then the reward is unique up to one constant per component).

    Returns
    -------
    ndarray of bool, shape (num_prompts,)
    """
    X = _posint("num_prompts", num_prompts)
    Y = _posint("num_responses", num_responses)
    pr = _pairs("pairs", pairs, X, Y)
    return _win_reach(pr, X, Y).all(axis=(1, 2))


def _win_reach(pairs: np.ndarray, X: int, Y: int) -> np.ndarray:
    """Reachability in the win graph of each prompt, shape (X, Y, Y), reflexive."""
    reach = np.zeros((X, Y, Y), dtype=bool)
    reach[:, np.arange(Y), np.arange(Y)] = True
    reach[pairs[:, 0], pairs[:, 1], pairs[:, 2]] = True
    for _ in range(max(1, int(np.ceil(np.log2(Y))))):  # transitive closure by squaring
        reach = np.einsum("xij,xjk->xik", reach.astype(np.int64), reach.astype(np.int64)) > 0
    return reach


def _require_connected(pairs: np.ndarray, X: int, Y: int) -> None:
    reach = _win_reach(pairs, X, Y)
    ok = reach.all(axis=(1, 2))
    if not ok.all():
        x = int(np.flatnonzero(~ok)[0])
        # every weakly connected component is strongly connected iff reachability is symmetric
        if (reach[x] == reach[x].T).all():
            raise ValueError(f"pairs: the win graph of prompt {x} is not strongly connected "
                             "(but each of its weakly connected components is); the maximum "
                             "likelihood reward and the DPO minimizer exist but are not unique "
                             "(one free constant per component)")
        raise ValueError(f"pairs: the win graph of prompt {x} is not strongly connected, and "
                         "some set of responses beats the rest and never loses to it; the "
                         "maximum likelihood reward and the DPO minimizer do not exist")


def fit_reward(pairs: Any, num_prompts: int, num_responses: int) -> np.ndarray:
    r"""Tabular reward maximum likelihood under Bradley-Terry.

    Minimizes ``sum_(x, w, l) log(1 + exp(-(r[x, w] - r[x, l])))`` by Newton's method per prompt;
    rewards are defined up to a constant per prompt and returned centred (each row sums to 0).
    The maximum exists and is unique (up to a constant per prompt) if and only if, for each
    prompt, the graph of observed wins is strongly connected (:func:`win_graph_connected`);
    otherwise a ``ValueError`` is raised. Its message says which case applies: the maximum
    exists but is not unique when every weakly connected component is strongly connected (for
    example when a response is never compared), and it does not exist otherwise.

    Parameters
    ----------
    pairs : array_like of int, shape (n, 3)
        Rows ``(prompt, preferred response, other response)``.
    """
    X = _posint("num_prompts", num_prompts)
    Y = _posint("num_responses", num_responses)
    pr = _pairs("pairs", pairs, X, Y)
    _require_connected(pr, X, Y)
    r = np.zeros((X, Y))
    C = np.eye(Y) - 1.0 / Y  # projector onto centred vectors
    for x in range(X):
        px = pr[pr[:, 0] == x].copy()
        px[:, 0] = 0
        u = np.zeros((1, Y))
        for _ in range(100):
            _, g = _bt_nll(u, px)
            d = u[0, px[:, 1]] - u[0, px[:, 2]]
            w = 0.25 / np.cosh(0.5 * d) ** 2
            H = np.zeros((Y, Y))
            np.add.at(H, (px[:, 1], px[:, 1]), w)
            np.add.at(H, (px[:, 2], px[:, 2]), w)
            np.add.at(H, (px[:, 1], px[:, 2]), -w)
            np.add.at(H, (px[:, 2], px[:, 1]), -w)
            step = C @ np.linalg.lstsq(H + np.ones((Y, Y)) / Y, g[0], rcond=None)[0]
            u[0] -= step
            if np.max(np.abs(step)) < 1e-13:
                break
        r[x] = u[0] - u[0].mean()
    return r


def kl_optimal_policy(pi_ref: Any, reward: Any, beta: float) -> np.ndarray:
    r"""The maximizer of ``E_pi r - beta KL(pi || pi_ref)`` (eq-tf-rlhf):
    ``pi_ref e^(r/beta) / Z``, row by row (rows = prompts)."""
    p = _probs("pi_ref", pi_ref, (1, 2))
    r = _array("reward", reward, (p.ndim,))
    if r.shape != p.shape:
        raise ValueError(f"reward must have the shape of pi_ref {p.shape}, got {r.shape}")
    beta = _real("beta", beta, low=0.0, low_open=True)
    if np.any(p == 0):
        raise ValueError("pi_ref must be positive")
    z = np.log(p) + r / beta
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def dpo_loss(logits: torch.Tensor, pi_ref: Any, pairs: Any, beta: float,
             weights: Any = None) -> torch.Tensor:
    r"""The DPO loss (eq-tf-dpo) of the tabular policy ``softmax(logits)`` (one row per prompt).

    Mean over pairs ``(x, w, l)`` of ``-log sigmoid(beta log(pi(w|x)/pi_ref(w|x))
    - beta log(pi(l|x)/pi_ref(l|x)))``. Differentiable in ``logits`` (a float tensor (X, Y)).
    ``weights`` (n,), non-negative, turns the mean into a weighted mean (e.g. the population
    loss: all ordered pairs weighted by their Bradley-Terry probabilities).
    """
    if not isinstance(logits, torch.Tensor) or not logits.is_floating_point() or logits.ndim != 2:
        raise TypeError("logits must be a real floating torch tensor of shape (X, Y)")
    if logits.numel() == 0 or not bool(torch.isfinite(logits.detach()).all()):
        raise ValueError("logits must be non-empty and finite")
    p = _probs("pi_ref", pi_ref, (2,))
    if p.shape != tuple(logits.shape):
        raise ValueError(f"pi_ref must have the shape of logits {tuple(logits.shape)}, "
                         f"got {p.shape}")
    if np.any(p == 0):
        raise ValueError("pi_ref must be positive")
    pr = torch.as_tensor(_pairs("pairs", pairs, *p.shape))
    beta = _real("beta", beta, low=0.0, low_open=True)
    h = beta * (torch.log_softmax(logits, dim=-1) - torch.as_tensor(np.log(p), dtype=logits.dtype))
    d = h[pr[:, 0], pr[:, 1]] - h[pr[:, 0], pr[:, 2]]
    if weights is None:
        return torch.nn.functional.softplus(-d).mean()
    w = _array("weights", weights, (1,))
    if w.shape != (pr.shape[0],) or np.any(w < 0) or w.sum() <= 0:
        raise ValueError(f"weights must be ({pr.shape[0]},), non-negative, not all zero")
    w = torch.as_tensor(w / w.sum(), dtype=logits.dtype)
    return (w * torch.nn.functional.softplus(-d)).sum()


def train_dpo(pi_ref: Any, pairs: Any, beta: float, weights: Any = None, steps: int = 200,
              tol: float = 1e-12) -> np.ndarray:
    r"""Minimize :func:`dpo_loss` over tabular logits from ``log pi_ref`` with L-BFGS (float64).

    Returns the policy ``softmax(logits)``, shape (X, Y). ``steps`` bounds the L-BFGS
    iterations; ``tol`` is its gradient tolerance. Raises ``ValueError`` when the win graph of
    some prompt (pairs of positive weight) is not strongly connected: the loss then has no
    minimizer, or one that is not unique (:func:`win_graph_connected`, :func:`fit_reward`).
    """
    p = _probs("pi_ref", pi_ref, (2,))
    if np.any(p == 0):
        raise ValueError("pi_ref must be positive")
    pr = _pairs("pairs", pairs, *p.shape)
    if weights is not None:
        w = _array("weights", weights, (1,))
        if w.shape != (pr.shape[0],):
            raise ValueError(f"weights must have shape ({pr.shape[0]},), got {w.shape}")
        pr = pr[w > 0]
    _require_connected(pr, *p.shape)
    beta = _real("beta", beta, low=0.0, low_open=True)
    steps = _posint("steps", steps)
    tol = _real("tol", tol, low=0.0, low_open=True)
    scale = float(len(np.asarray(pairs)))
    theta = torch.tensor(np.log(p), dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([theta], lr=1.0, max_iter=steps, tolerance_grad=tol,
                            tolerance_change=0.0, history_size=50, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = dpo_loss(theta, p, pairs, beta, weights) * scale  # a sum: better conditioned
        loss.backward()
        return loss

    opt.step(closure)
    return torch.softmax(theta.detach(), dim=-1).numpy()
