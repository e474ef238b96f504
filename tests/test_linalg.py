"""Tests of dlf.linalg against numpy, scipy and closed forms."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from dlf import linalg


def _matrix_with_singular_values(m, n, s, seed=0):
    rng = np.random.default_rng(seed)
    U, _ = np.linalg.qr(rng.standard_normal((m, len(s))))
    V, _ = np.linalg.qr(rng.standard_normal((n, len(s))))
    return (U * s) @ V.T


# ---------------------------------------------------------------------------------------------
# sym_eig


def test_sym_eig_reconstructs_and_sorts():
    rng = np.random.default_rng(0)
    G = rng.standard_normal((6, 6))
    A = G + G.T
    lam, Q = linalg.sym_eig(A)
    np.testing.assert_allclose(Q @ np.diag(lam) @ Q.T, A, atol=1e-12)
    np.testing.assert_allclose(Q.T @ Q, np.eye(6), atol=1e-12)
    assert np.all(np.diff(lam) <= 0)
    np.testing.assert_allclose(lam, np.sort(scipy.linalg.eigvalsh(A))[::-1], rtol=1e-12)


def test_sym_eig_rejects_nonsymmetric_and_nonsquare():
    with pytest.raises(ValueError, match="symmetric"):
        linalg.sym_eig([[1.0, 2.0], [0.0, 1.0]])
    with pytest.raises(ValueError, match="square"):
        linalg.sym_eig(np.ones((2, 3)))


# ---------------------------------------------------------------------------------------------
# range_basis and pinv


def test_range_basis_of_rank_two_matrix():
    A = _matrix_with_singular_values(8, 5, [3.0, 1.0])
    Q = linalg.range_basis(A)
    assert Q.shape == (8, 2)
    np.testing.assert_allclose(Q.T @ Q, np.eye(2), atol=1e-12)
    np.testing.assert_allclose(Q @ Q.T @ A, A, atol=1e-12)  # A's columns lie in span(Q)
    assert linalg.range_basis(np.zeros((3, 2))).shape == (3, 0)


def test_pinv_matches_numpy_on_rank_deficient_matrix():
    A = _matrix_with_singular_values(7, 5, [4.0, 2.0, 0.5], seed=3)
    np.testing.assert_allclose(linalg.pinv(A), np.linalg.pinv(A), atol=1e-12)


def test_pinv_matches_torch():
    A = _matrix_with_singular_values(4, 6, [2.0, 1.0, 0.1], seed=4)
    ref = torch.linalg.pinv(torch.tensor(A), rtol=1e-10).numpy()
    np.testing.assert_allclose(linalg.pinv(A), ref, atol=1e-10)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 6), st.integers(1, 6), st.integers(0, 6), st.integers(0, 10_000))
def test_pinv_penrose_conditions(m, n, r, seed):
    r = min(r, m, n)
    s = np.linspace(3.0, 0.5, r) if r else []
    A = _matrix_with_singular_values(m, n, s, seed) if r else np.zeros((m, n))
    P = linalg.pinv(A)
    assert P.shape == (n, m)
    np.testing.assert_allclose(A @ P @ A, A, atol=1e-10)
    np.testing.assert_allclose(P @ A @ P, P, atol=1e-10)
    np.testing.assert_allclose((A @ P).T, A @ P, atol=1e-10)
    np.testing.assert_allclose((P @ A).T, P @ A, atol=1e-10)


def test_pinv_cutoff_drops_small_singular_values():
    A = np.diag([1.0, 1e-3])
    np.testing.assert_allclose(linalg.pinv(A), np.diag([1.0, 1e3]), rtol=1e-12)
    np.testing.assert_allclose(linalg.pinv(A, rtol=1e-2), np.diag([1.0, 0.0]), atol=0)


# ---------------------------------------------------------------------------------------------
# lstsq_min_norm


def test_lstsq_min_norm_matches_numpy_lstsq_underdetermined():
    rng = np.random.default_rng(5)
    A, b = rng.standard_normal((5, 12)), rng.standard_normal(5)
    x = linalg.lstsq_min_norm(A, b)
    np.testing.assert_allclose(x, np.linalg.lstsq(A, b, rcond=None)[0], atol=1e-12)
    np.testing.assert_allclose(A @ x, b, atol=1e-12)  # consistent system: exact fit


def test_lstsq_min_norm_rank_deficient_has_smallest_norm():
    rng = np.random.default_rng(6)
    A = _matrix_with_singular_values(10, 6, [3.0, 2.0, 1.0], seed=6)
    b = rng.standard_normal(10)
    x = linalg.lstsq_min_norm(A, b)
    np.testing.assert_allclose(x, np.linalg.lstsq(A, b, rcond=None)[0], atol=1e-12)
    # adding a null-space vector keeps the residual and increases the norm
    null = scipy.linalg.null_space(A)
    z = x + null @ rng.standard_normal(null.shape[1])
    assert np.isclose(np.linalg.norm(A @ z - b), np.linalg.norm(A @ x - b), rtol=1e-10)
    assert np.linalg.norm(z) > np.linalg.norm(x)
    # normal equations
    np.testing.assert_allclose(A.T @ (A @ x - b), 0.0, atol=1e-12)


def test_lstsq_min_norm_several_right_hand_sides():
    rng = np.random.default_rng(7)
    A, B = rng.standard_normal((8, 3)), rng.standard_normal((8, 4))
    X = linalg.lstsq_min_norm(A, B)
    assert X.shape == (3, 4)
    np.testing.assert_allclose(X, np.linalg.lstsq(A, B, rcond=None)[0], atol=1e-12)


def test_lstsq_min_norm_bad_b():
    with pytest.raises(ValueError, match=r"b must have shape \(4,\)"):
        linalg.lstsq_min_norm(np.ones((4, 2)), np.ones(3))
    with pytest.raises(ValueError, match="finite"):
        linalg.lstsq_min_norm(np.ones((2, 2)), [1.0, np.nan])


# ---------------------------------------------------------------------------------------------
# best_rank_k


@pytest.mark.parametrize("k", [0, 1, 2, 4, 7])
def test_best_rank_k_errors_are_tail_singular_values(k):
    rng = np.random.default_rng(8)
    A = rng.standard_normal((9, 6))
    s = np.linalg.svd(A, compute_uv=False)
    Ak = linalg.best_rank_k(A, k)
    assert np.linalg.matrix_rank(Ak) == min(k, 6)
    tail = s[k:]
    np.testing.assert_allclose(np.linalg.norm(A - Ak, "fro"), np.sqrt(np.sum(tail**2)),
                               atol=1e-12)
    expected_2 = tail[0] if tail.size else 0.0
    np.testing.assert_allclose(np.linalg.norm(A - Ak, 2), expected_2, atol=1e-12)


def test_best_rank_k_beats_random_rank_k_matrices():
    rng = np.random.default_rng(9)
    A = rng.standard_normal((8, 8))
    A2 = linalg.best_rank_k(A, 2)
    for _ in range(50):
        Y = rng.standard_normal((8, 2)) @ rng.standard_normal((2, 8))
        assert np.linalg.norm(A - Y, 2) >= np.linalg.norm(A - A2, 2)
        assert np.linalg.norm(A - Y, "fro") >= np.linalg.norm(A - A2, "fro")


def test_best_rank_k_bad_k():
    with pytest.raises(ValueError, match="k must be an int >= 0"):
        linalg.best_rank_k(np.ones((2, 2)), -1)
    with pytest.raises(TypeError, match="k must be an int"):
        linalg.best_rank_k(np.ones((2, 2)), 1.5)


# ---------------------------------------------------------------------------------------------
# spectral_norm


def test_spectral_norm_matches_svd():
    rng = np.random.default_rng(10)
    A = rng.standard_normal((30, 20))
    np.testing.assert_allclose(linalg.spectral_norm(A), np.linalg.norm(A, 2), rtol=1e-10)


def test_spectral_norm_rate_and_history():
    # s_2 / s_1 = 0.8: the estimate error decays like 0.8^(4k)
    A = _matrix_with_singular_values(20, 10, [5.0, 4.0, 1.0, 0.5], seed=11)
    s1, hist = linalg.spectral_norm(A, tol=1e-15, max_iter=40, return_history=True)
    assert hist.shape[0] <= 40
    assert np.all(hist <= 5.0 * (1 + 1e-12))
    err = 5.0**2 - hist[5:20] ** 2
    ratios = err[1:] / err[:-1]
    np.testing.assert_allclose(ratios, 0.8**4, rtol=0.05)
    assert s1 == hist[-1]


def test_spectral_norm_zero_matrix():
    assert linalg.spectral_norm(np.zeros((3, 4))) == 0.0


def test_spectral_norm_bad_arguments():
    with pytest.raises(ValueError, match="tol must be a positive"):
        linalg.spectral_norm(np.eye(2), tol=0.0)
    with pytest.raises(ValueError, match="tol must be a positive"):
        linalg.spectral_norm(np.eye(2), tol=True)
    with pytest.raises(ValueError, match="max_iter must be an int >= 1"):
        linalg.spectral_norm(np.eye(2), max_iter=0)
    with pytest.raises(ValueError, match="non-empty 2-D"):
        linalg.spectral_norm(np.ones(3))


# ---------------------------------------------------------------------------------------------
# principal_angles


def test_principal_angles_match_scipy():
    rng = np.random.default_rng(12)
    A, B = rng.standard_normal((15, 3)), rng.standard_normal((15, 5))
    ours = linalg.principal_angles(A, B)
    np.testing.assert_allclose(ours, np.sort(scipy.linalg.subspace_angles(A, B)), atol=1e-12)
    np.testing.assert_allclose(linalg.principal_angles(B, A), ours, atol=1e-12)


def test_principal_angles_small_angle_accuracy():
    # span(e1) vs span(e1 + t e2): the angle is arctan(t), also for tiny t
    for t in (1e-3, 1e-9):
        A = np.array([[1.0], [0.0], [0.0]])
        B = np.array([[1.0], [t], [0.0]])
        np.testing.assert_allclose(linalg.principal_angles(A, B), [np.arctan(t)], rtol=1e-10)


def test_principal_angles_invariant_to_basis_and_projector_identity():
    rng = np.random.default_rng(13)
    A, B = rng.standard_normal((10, 4)), rng.standard_normal((10, 4))
    G = rng.standard_normal((4, 4))  # invertible change of basis
    np.testing.assert_allclose(linalg.principal_angles(A @ G, B),
                               linalg.principal_angles(A, B), atol=1e-10)
    Qa, Qb = linalg.range_basis(A), linalg.range_basis(B)
    gap = np.linalg.norm(Qa @ Qa.T - Qb @ Qb.T, 2)
    np.testing.assert_allclose(gap, np.sin(linalg.principal_angles(A, B).max()), atol=1e-12)


def test_principal_angles_of_same_and_orthogonal_spaces():
    A = np.eye(5)[:, :2]
    np.testing.assert_allclose(linalg.principal_angles(A, 3 * A), [0.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(linalg.principal_angles(A, np.eye(5)[:, 2:4]), [np.pi / 2] * 2,
                               atol=1e-12)
    assert linalg.principal_angles(A, np.zeros((5, 1))).shape == (0,)


def test_principal_angles_row_mismatch():
    with pytest.raises(ValueError, match="same number of rows"):
        linalg.principal_angles(np.ones((3, 1)), np.ones((4, 1)))


# ---------------------------------------------------------------------------------------------
# mlp_lipschitz_bound


def test_mlp_lipschitz_bound_product_and_autograd():
    rng = np.random.default_rng(14)
    W1, W2, a = rng.standard_normal((16, 4)), rng.standard_normal((8, 16)), rng.standard_normal(8)
    bound = linalg.mlp_lipschitz_bound([W1, W2, a])
    expected = np.linalg.norm(W1, 2) * np.linalg.norm(W2, 2) * np.linalg.norm(a)
    np.testing.assert_allclose(bound, expected, rtol=1e-12)
    # gradient norms of the tanh network (torch.autograd) never exceed the bound
    x = torch.tensor(rng.standard_normal((500, 4)), requires_grad=True)
    out = torch.tanh(torch.tanh(x @ torch.tensor(W1).T) @ torch.tensor(W2).T) @ torch.tensor(a)
    (g,) = torch.autograd.grad(out.sum(), x)
    assert g.norm(dim=1).max().item() <= bound
    # activation constant c enters as c^(L-1)
    np.testing.assert_allclose(linalg.mlp_lipschitz_bound([W1, W2, a], 0.25),
                               expected / 16, rtol=1e-12)


def test_mlp_lipschitz_bound_linear_network_is_tight_for_one_layer():
    W = np.diag([3.0, 1.0])
    assert linalg.mlp_lipschitz_bound([W]) == pytest.approx(3.0)


def test_mlp_lipschitz_bound_bad_input():
    with pytest.raises(ValueError, match="does not chain"):
        linalg.mlp_lipschitz_bound([np.ones((3, 2)), np.ones((1, 4))])
    with pytest.raises(TypeError, match="non-empty list"):
        linalg.mlp_lipschitz_bound([])
    with pytest.raises(ValueError, match="activation_lipschitz"):
        linalg.mlp_lipschitz_bound([np.eye(2)], -1.0)
    with pytest.raises(TypeError, match="got ndarray"):
        linalg.mlp_lipschitz_bound(np.ones((2, 2, 2)))
    with pytest.raises(TypeError, match=r"weights\[1\] must be a real 2-D array"):
        linalg.mlp_lipschitz_bound([np.eye(2), "W"])


# ---------------------------------------------------------------------------------------------
# shared input checks


@pytest.mark.parametrize("func", [linalg.pinv, linalg.range_basis, linalg.spectral_norm])
def test_bad_matrices(func):
    with pytest.raises(ValueError, match=r"non-empty 2-D array, got shape \(2, 2, 2\)"):
        func(np.ones((2, 2, 2)))
    with pytest.raises(ValueError, match="finite"):
        func([[1.0, np.inf]])
    with pytest.raises(TypeError, match="real 2-D array"):
        func([["a", "b"]])


def test_bad_rtol():
    with pytest.raises(ValueError, match=r"rtol must lie in \[0, 1\)"):
        linalg.pinv(np.eye(2), rtol=1.5)
    with pytest.raises(TypeError, match="rtol must be a real number"):
        linalg.pinv(np.eye(2), rtol="small")
