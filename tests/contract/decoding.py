"""Valid calls of dlf.decoding (format: tests/contract/__init__.py)."""

import numpy as np
import torch

from dlf import attention

_TREE = {(): {"A": 0.4, "B": 0.35, "C": 0.25}, ("A",): {"A1": 0.5, "A2": 0.2}, ("B",): {"B1": 0.8}}


def _step(prefix):
    return _TREE.get(prefix, {})


_P = np.array([[0.8, 0.2], [0.3, 0.7]])
_REF = np.array([[0.5, 0.3, 0.2], [0.2, 0.2, 0.6]])
_PAIRS = np.array([[0, 0, 1], [0, 1, 2], [0, 2, 0], [0, 0, 2], [1, 1, 0], [1, 2, 1], [1, 0, 2],
                   [1, 2, 0]])


def _lm():
    return attention.TinyLM(vocab_size=5, d_model=8, num_layers=1, num_heads=2, d_ff=8,
                            context=6, seed=0)


VALID_CALLS = {
    "greedy": dict(step=_step, steps=2),
    "beam_search": dict(step=_step, steps=2, beam_width=2),
    "exhaustive_search": dict(step=_step, steps=2),
    "softmax": dict(logits=np.array([1.0, 2.0, 0.5]), temperature=0.7,
                    _allow={"logits": {"negative"}}),
    "entropy": dict(p=np.array([0.2, 0.3, 0.5])),
    "truncate": dict(p=np.array([0.2, 0.3, 0.5]), top_k=2, top_p=0.9),
    "sample": dict(logits=np.array([1.0, 2.0, 0.5]), seed=0, temperature=1.0, top_k=2,
                   top_p=0.9, size=3),
    "generate": lambda: dict(model=_lm(), prompt=torch.tensor([[0, 1]]), n_new=3, seed=0,
                             temperature=1.0, top_k=3, top_p=0.9, greedy_decoding=False),
    "perplexity": dict(ce=1.5, base=2.0),
    "markov_sequences": dict(P=_P, length=10, num=2, seed=0),
    "bigram_model": dict(seq=np.array([0, 1, 1, 0, 1]), K=2, c=0.5),
    "entropy_rate": dict(P=_P),
    "bigram_excess_ce": dict(P=_P, Q=np.array([[0.7, 0.3], [0.4, 0.6]])),
    "chinchilla_loss": dict(N=np.array([1e8, 1e9]), D=np.array([1e10, 2e10])),
    "compute_optimal": dict(F=1e21),
    "bt_prob": dict(r1=np.array([0.5, -1.0]), r2=np.array([0.0, 0.3]),
                    _allow={"r1": {"negative"}, "r2": {"negative"}}),
    "fit_reward": dict(pairs=_PAIRS, num_prompts=2, num_responses=3),
    "win_graph_connected": dict(pairs=_PAIRS, num_prompts=2, num_responses=3),
    "kl_optimal_policy": dict(pi_ref=_REF, reward=np.array([[1.0, 0.0, -1.0], [0.5, 0.2, 0.1]]),
                              beta=0.5),
    "dpo_loss": lambda: dict(logits=torch.zeros(2, 3, dtype=torch.float64), pi_ref=_REF,
                             pairs=_PAIRS, beta=0.5, weights=np.ones(len(_PAIRS))),
    "train_dpo": dict(pi_ref=_REF, pairs=_PAIRS, beta=0.5, weights=np.ones(len(_PAIRS)),
                      steps=20, tol=1e-10),
}
