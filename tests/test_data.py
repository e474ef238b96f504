"""Tests for dlf.data against closed forms, scikit-learn's generators and sampling theory."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import make_circles, make_moons

from dlf import data

CLASSIFIERS = {
    "two_gaussians": data.two_gaussians,
    "moons": data.moons,
    "circles": data.circles,
    "spirals": data.spirals,
}


def _sorted_rows(X: np.ndarray) -> np.ndarray:
    return X[np.lexsort(X.T[::-1])]


# ---------------------------------------------------------------------------------------------
# determinism, shapes, dtypes, balance


@pytest.mark.parametrize("name", sorted(CLASSIFIERS))
def test_classifiers_deterministic_shapes_dtypes(name):
    gen = CLASSIFIERS[name]
    X, y = gen(101, seed=3)
    X2, y2 = gen(101, seed=3)
    X3, _ = gen(101, seed=4)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)
    assert not np.array_equal(X, X3)
    assert X.shape == (101, 2) and X.dtype == np.float64
    assert y.shape == (101,) and y.dtype == np.int64
    counts = np.bincount(y)
    assert counts.max() - counts.min() <= 1


@pytest.mark.parametrize("name", sorted(CLASSIFIERS))
def test_generator_argument_is_used_and_advanced(name):
    gen = CLASSIFIERS[name]
    rng = np.random.default_rng(7)
    first = gen(20, seed=rng)[0]
    second = gen(20, seed=rng)[0]
    assert not np.array_equal(first, second)
    assert np.array_equal(first, gen(20, seed=np.random.default_rng(7))[0])
    assert np.array_equal(gen(20, seed=7)[0], first)


def test_spirals_more_arms_balanced():
    X, y = data.spirals(302, n_arms=3, seed=0)
    assert X.shape == (302, 2)
    assert np.array_equal(np.bincount(y), [101, 101, 100])


def test_two_gaussians_dimension():
    X, y = data.two_gaussians(10, d=5)
    assert X.shape == (10, 5) and np.array_equal(np.bincount(y), [5, 5])


# ---------------------------------------------------------------------------------------------
# closed forms and oracles for the toy sets


def test_two_gaussians_moments_and_bayes_error():
    n, sep, std = 40_000, 2.0, 1.5
    X, y = data.two_gaussians(n, d=3, separation=sep, std=std, seed=1)
    for label, sign in [(0, -1), (1, 1)]:
        Xc = X[y == label]
        mean = np.array([sign * sep / 2, 0.0, 0.0])
        assert np.all(np.abs(Xc.mean(axis=0) - mean) < 5 * std / np.sqrt(len(Xc)))
        assert np.allclose(np.cov(Xc.T), std**2 * np.eye(3), atol=0.1)
    # Bayes classifier sign(x_1) has error Phi(-sep / (2 std)) = erfc(sep / (2 std sqrt 2)) / 2
    bayes = 0.5 * math.erfc(sep / (2 * std * math.sqrt(2)))
    err = np.mean((X[:, 0] > 0) != (y == 1))
    assert abs(err - bayes) < 5 * math.sqrt(bayes * (1 - bayes) / n)


def test_moons_noise_free_on_half_circles():
    X, y = data.moons(200, noise=0.0, seed=0)
    X0, X1 = X[y == 0], X[y == 1]
    assert np.allclose(np.hypot(X0[:, 0], X0[:, 1]), 1.0, atol=1e-12)
    assert np.all(X0[:, 1] >= -1e-12)  # upper half circle around (0, 0)
    assert np.allclose(np.hypot(X1[:, 0] - 1.0, X1[:, 1] - 0.5), 1.0, atol=1e-12)
    assert np.all(X1[:, 1] <= 0.5 + 1e-12)  # lower half circle around (1, 0.5)


@pytest.mark.parametrize("n", [2, 7, 100])
def test_moons_and_circles_match_sklearn_noise_free(n):
    X, y = data.moons(n, noise=0.0, shuffle=False)
    Xs, ys = make_moons(n, noise=None, shuffle=False)
    assert np.allclose(X, Xs, atol=1e-14) and np.array_equal(y, ys)
    X, y = data.circles(n, noise=0.0, factor=0.3, shuffle=False)
    Xs, ys = make_circles(n, noise=None, factor=0.3, shuffle=False)
    assert np.allclose(X, Xs, atol=1e-14) and np.array_equal(y, ys)


def test_shuffle_is_a_permutation():
    X, y = data.moons(51, noise=0.0, seed=2)
    Xo, yo = data.moons(51, noise=0.0, shuffle=False, seed=2)
    assert np.array_equal(_sorted_rows(np.column_stack([X, y])),
                          _sorted_rows(np.column_stack([Xo, yo])))


def test_circles_noise_free_radii():
    X, y = data.circles(90, noise=0.0, factor=0.4, seed=5)
    r = np.hypot(X[:, 0], X[:, 1])
    assert np.allclose(r[y == 0], 1.0, atol=1e-12)
    assert np.allclose(r[y == 1], 0.4, atol=1e-12)


@pytest.mark.parametrize("gen", [data.moons, data.circles])
def test_noise_is_isotropic_gaussian_with_given_std(gen):
    Xc, _ = gen(20_000, noise=0.0, shuffle=False, seed=0)
    Xn, _ = gen(20_000, noise=0.2, shuffle=False, seed=0)
    resid = Xn - Xc
    assert np.allclose(resid.std(axis=0), 0.2, rtol=0.03)
    assert np.all(np.abs(resid.mean(axis=0)) < 5 * 0.2 / np.sqrt(20_000))


def test_moons_class_means_agree_with_sklearn():
    X, y = data.moons(20_000, noise=0.1, seed=0)
    Xs, ys = make_moons(20_000, noise=0.1, random_state=0)
    for label in (0, 1):
        assert np.allclose(X[y == label].mean(axis=0), Xs[ys == label].mean(axis=0), atol=0.01)


@pytest.mark.parametrize("n_arms", [2, 3, 5])
def test_spirals_noise_free_on_archimedean_arms(n_arms):
    turns = 1.5
    X, y = data.spirals(200, n_arms=n_arms, turns=turns, noise=0.0, seed=0)
    r = np.hypot(X[:, 0], X[:, 1])
    assert np.all((r >= 0.1 - 1e-12) & (r <= 1 + 1e-12))
    # the polar angle equals 2 pi (turns r + k / n_arms) modulo 2 pi
    phase = np.arctan2(X[:, 1], X[:, 0]) - 2 * np.pi * (turns * r + y / n_arms)
    assert np.allclose(np.exp(1j * phase), 1.0, atol=1e-10)


# ---------------------------------------------------------------------------------------------
# quadratics with a chosen spectrum


def test_quadratic_spectrum_eigenvalues_and_basis():
    lam = np.array([3.0, -1.0, 0.5, 10.0, 0.0])
    A, Q = data.quadratic_spectrum(lam, seed=2, return_basis=True)
    assert A.shape == (5, 5) and A.dtype == np.float64
    assert np.array_equal(A, A.T)
    assert np.allclose(np.linalg.eigvalsh(A), np.sort(lam), atol=1e-12)
    assert np.allclose(Q.T @ Q, np.eye(5), atol=1e-12)
    assert np.allclose(A @ Q, Q * lam, atol=1e-12)  # column i is an eigenvector for lam[i]
    assert np.array_equal(A, data.quadratic_spectrum(lam, seed=2))
    assert not np.array_equal(A, data.quadratic_spectrum(lam, seed=3))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(1e-3, 1e3), min_size=1, max_size=12), st.integers(0, 2**32 - 1))
def test_quadratic_spectrum_property(eigs, seed):
    lam = np.array(eigs)
    A = data.quadratic_spectrum(lam, seed=seed)
    assert np.array_equal(A, A.T)
    assert np.allclose(np.linalg.eigvalsh(A), np.sort(lam), rtol=0, atol=1e-12 * lam.max())
    assert np.all(np.linalg.eigvalsh(A) > 0)  # positive spectrum -> positive definite


def test_random_orthogonal_is_orthogonal_and_haar_like():
    Q = data.random_orthogonal(6, seed=1)
    assert np.allclose(Q.T @ Q, np.eye(6), atol=1e-12)
    assert np.allclose(Q @ Q.T, np.eye(6), atol=1e-12)
    # Haar: each entry has mean 0 and variance 1/d; without the sign fix Q[0, 0] is biased
    entries = np.array([data.random_orthogonal(3, seed=s)[0, 0] for s in range(4000)])
    assert abs(entries.mean()) < 5 * np.sqrt(1 / 3 / 4000)
    assert abs(entries.var() - 1 / 3) < 0.03


def test_log_spaced_spectrum():
    lam = data.log_spaced_spectrum(5, 0.01, 100.0)
    assert np.array_equal(lam[[0, -1]], [0.01, 100.0])
    assert np.allclose(lam, [0.01, 0.1, 1.0, 10.0, 100.0], rtol=1e-12)
    assert np.allclose(np.diff(np.log(lam)), np.log(10.0), rtol=1e-12)
    assert np.array_equal(data.log_spaced_spectrum(1, 2.0, 2.0), [2.0])
    assert np.array_equal(data.log_spaced_spectrum(4, 0.03125, 0.03125), np.full(4, 0.03125))
    A = data.quadratic_spectrum(data.log_spaced_spectrum(8, 1.0, 1e4), seed=0)
    assert np.isclose(np.linalg.cond(A), 1e4, rtol=1e-8)


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 50), st.floats(1e-6, 1e3), st.floats(1.0, 1e6))
def test_log_spaced_spectrum_property(d, mu, kappa):
    lam = data.log_spaced_spectrum(d, mu, mu * kappa)
    assert lam.shape == (d,) and lam[0] == mu and lam[-1] == mu * kappa
    assert np.all(np.diff(lam) >= 0)  # also constant when kappa == 1 (np.geomspace is not)
    assert np.allclose(np.diff(np.log(lam)), np.log(kappa) / (d - 1), atol=1e-9)


# ---------------------------------------------------------------------------------------------
# regression and teacher data


def test_linear_regression_noise_free_is_exact():
    X, y, w = data.linear_regression(50, 4, noise_std=0.0, seed=0)
    assert X.shape == (50, 4) and y.shape == (50,) and w.shape == (4,)
    assert X.dtype == y.dtype == w.dtype == np.float64
    assert np.array_equal(y, X @ w)
    w_given = np.array([1.0, -2.0, 0.5])
    X, y, w = data.linear_regression(20, 3, noise_std=0.0, w=w_given, seed=1)
    assert np.array_equal(w, w_given) and np.array_equal(y, X @ w_given)


def test_linear_regression_deterministic():
    a = data.linear_regression(30, 3, seed=5)
    b = data.linear_regression(30, 3, seed=5)
    c = data.linear_regression(30, 3, seed=6)
    assert all(np.array_equal(u, v) for u, v in zip(a, b, strict=True))
    assert not np.array_equal(a[0], c[0])


def test_linear_regression_design_and_noise_statistics():
    X, y, w = data.linear_regression(50_000, 3, noise_std=0.5, seed=2)
    assert np.allclose(X.T @ X / len(X), np.eye(3), atol=0.03)
    assert np.isclose((y - X @ w).std(), 0.5, rtol=0.02)


def test_least_squares_error_matches_theory_and_converges():
    sigma, d = 0.3, 4
    ns = np.array([50, 200, 800, 3200])
    mse = []
    for n in ns:
        errs = []
        for s in range(200):
            X, y, w = data.linear_regression(int(n), d, noise_std=sigma, seed=s)
            w_hat = np.linalg.lstsq(X, y, rcond=None)[0]
            errs.append(np.sum((w_hat - w) ** 2))
        mse.append(np.mean(errs))
    # E ||w_hat - w||^2 = sigma^2 d / (n - d - 1) for a Gaussian design
    theory = sigma**2 * d / (ns - d - 1)
    assert np.allclose(mse, theory, rtol=0.2)
    assert abs(np.polyfit(np.log(ns), np.log(mse), 1)[0] + 1) < 0.1


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_teacher_network_matches_explicit_sum(activation):
    X, y, W, a = data.teacher_network(30, 5, 7, activation=activation, seed=4)
    assert X.shape == (30, 5) and y.shape == (30,) and W.shape == (7, 5) and a.shape == (7,)
    sigma = {"relu": lambda z: max(z, 0.0), "tanh": math.tanh}[activation]
    expected = [sum(a[j] * sigma(float(W[j] @ x)) for j in range(7)) / math.sqrt(7) for x in X]
    assert np.allclose(y, expected, rtol=1e-12, atol=1e-12)
    X2, y2, W2, a2 = data.teacher_network(30, 5, 7, activation=activation, seed=4)
    assert np.array_equal(y, y2) and np.array_equal(W, W2)


def test_teacher_network_noise():
    X, y, W, a = data.teacher_network(20_000, 3, 4, noise_std=0.2, seed=0)
    clean = np.maximum(X @ W.T, 0.0) @ a / 2.0
    assert np.isclose((y - clean).std(), 0.2, rtol=0.03)


# ---------------------------------------------------------------------------------------------
# bundled digits and the split


def test_load_digits():
    X, y = data.load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert y.shape == (1797,) and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0
    assert np.array_equal(np.unique(y), np.arange(10))
    images, _ = data.load_digits(flatten=False, scale=False)
    assert images.shape == (1797, 8, 8)
    assert np.array_equal(images.reshape(1797, 64) / 16.0, X)
    assert np.array_equal(images, np.round(images)) and images.max() == 16.0


def test_train_test_split_partitions_rows():
    X = np.arange(40, dtype=np.float64).reshape(20, 2)
    y = np.arange(20)
    Xtr, Xte, ytr, yte = data.train_test_split(X, y, test_fraction=0.25, seed=1)
    assert len(Xte) == 5 and len(Xtr) == 15
    assert np.array_equal(np.sort(np.concatenate([ytr, yte])), y)
    assert np.array_equal(Xtr[:, 0], 2 * ytr) and np.array_equal(Xte[:, 0], 2 * yte)
    assert Xtr.dtype == X.dtype and ytr.dtype == y.dtype
    again = data.train_test_split(X, y, test_fraction=0.25, seed=1)
    assert np.array_equal(again[3], yte)
    assert not np.array_equal(data.train_test_split(X, y, seed=2)[3], yte)


@settings(max_examples=50, deadline=None)
@given(st.integers(2, 200), st.floats(0.01, 0.99), st.integers(0, 1000))
def test_train_test_split_property(n, frac, seed):
    y = np.arange(n)
    if math.ceil(frac * n) >= n:
        with pytest.raises(ValueError, match="no training rows"):
            data.train_test_split(y, y, test_fraction=frac, seed=seed)
        return
    Xtr, Xte, ytr, yte = data.train_test_split(y, y, test_fraction=frac, seed=seed)
    assert len(yte) == math.ceil(frac * n) and len(ytr) + len(yte) == n
    assert np.array_equal(np.sort(np.concatenate([ytr, yte])), y)
    assert np.array_equal(Xtr, ytr) and np.array_equal(Xte, yte)


# ---------------------------------------------------------------------------------------------
# bad input


@pytest.mark.parametrize(
    ("call", "exc", "match"),
    [
        (lambda: data.moons(0), ValueError, r"n must be an int >= 2, got 0"),
        (lambda: data.moons(-5), ValueError, r"n must be an int >= 2, got -5"),
        (lambda: data.moons(10.0), TypeError, r"n must be an int, got float \(10.0\)"),
        (lambda: data.moons(True), TypeError, r"n must be an int, got bool"),
        (lambda: data.moons(10, noise=-0.1), ValueError, r"noise must be .*\[0, inf\).*-0.1"),
        (lambda: data.moons(10, noise=float("nan")), ValueError, r"noise must be a finite"),
        (lambda: data.moons(10, noise="big"), TypeError, r"noise must be a real number"),
        (lambda: data.moons(10, seed=None), TypeError, r"seed must be an int or a numpy"),
        (lambda: data.moons(10, seed=-1), ValueError, r"seed must be a non-negative int"),
        (lambda: data.moons(10, seed=1.5), TypeError, r"seed must be an int .*float"),
        (lambda: data.circles(10, factor=1.0), ValueError, r"factor must be .*\[0, 1\).*1.0"),
        (lambda: data.circles(1), ValueError, r"n must be an int >= 2, got 1"),
        (lambda: data.spirals(2, n_arms=3), ValueError, r"n must be an int >= 3, got 2"),
        (lambda: data.spirals(10, n_arms=1), ValueError, r"n_arms must be an int >= 2, got 1"),
        (lambda: data.spirals(10, turns=0), ValueError, r"turns must be .*\(0, inf\).*got 0"),
        (lambda: data.two_gaussians(10, std=0.0), ValueError, r"std must be .*\(0, inf\)"),
        (lambda: data.two_gaussians(10, d=0), ValueError, r"d must be an int >= 1, got 0"),
        (lambda: data.two_gaussians(10, separation=-1), ValueError, r"separation must be"),
        (lambda: data.quadratic_spectrum([[1.0, 2.0]]), ValueError,
         r"eigenvalues must be a non-empty 1-D array, got shape \(1, 2\)"),
        (lambda: data.quadratic_spectrum([]), ValueError, r"got shape \(0,\)"),
        (lambda: data.quadratic_spectrum([1.0, np.inf]), ValueError, r"eigenvalues must be "
         r"finite"),
        (lambda: data.random_orthogonal(0), ValueError, r"d must be an int >= 1, got 0"),
        (lambda: data.log_spaced_spectrum(3, 0.0, 1.0), ValueError, r"mu must be .*\(0, inf\)"),
        (lambda: data.log_spaced_spectrum(3, 2.0, 1.0), ValueError, r"need mu <= L, got mu=2"),
        (lambda: data.log_spaced_spectrum(1, 1.0, 2.0), ValueError, r"d=1 cannot hold"),
        (lambda: data.log_spaced_spectrum(2.5, 1.0, 2.0), TypeError, r"d must be an int"),
        (lambda: data.linear_regression(0, 3), ValueError, r"n must be an int >= 1, got 0"),
        (lambda: data.linear_regression(10, 3, noise_std=-1.0), ValueError, r"noise_std must"),
        (lambda: data.linear_regression(10, 3, w=[1.0, 2.0]), ValueError,
         r"w must be a finite array of shape \(3,\), got shape \(2,\)"),
        (lambda: data.teacher_network(10, 2, 3, activation="gelu"), ValueError,
         r"activation must be one of \['relu', 'tanh'\], got 'gelu'"),
        (lambda: data.teacher_network(10, 2, 0), ValueError, r"m must be an int >= 1, got 0"),
        (lambda: data.train_test_split(np.zeros((4, 2)), np.zeros(5)), ValueError,
         r"same number of rows, got shapes \(4, 2\) and \(5,\)"),
        (lambda: data.train_test_split(np.zeros(4), np.zeros(4), test_fraction=1.0), ValueError,
         r"test_fraction must be .*\(0, 1\).*1.0"),
        (lambda: data.train_test_split(np.zeros(4), np.zeros(4), test_fraction=0), ValueError,
         r"test_fraction must be .*\(0, 1\)"),
        (lambda: data.train_test_split(np.zeros(1), np.zeros(1)), ValueError,
         r"leaves no training rows"),
    ],
)
def test_bad_input_raises_with_clear_message(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_gaussian_ring_is_the_equal_mixture_on_the_circle():
    C = data.ring_centers(6, 3.0)
    assert np.allclose(np.linalg.norm(C, axis=1), 3.0)
    assert np.allclose(C[1], [3.0 * np.cos(np.pi / 3), 3.0 * np.sin(np.pi / 3)])
    n = 60_000
    X, lab = data.gaussian_ring(n, n_modes=6, radius=3.0, std=0.1, seed=4)
    assert X.shape == (n, 2) and lab.dtype == np.int64
    resid = X - C[lab]
    # residuals: N(0, 0.1^2 I); mode frequencies: 1/6 each (5 standard errors)
    assert abs(resid.std() - 0.1) < 5 * 0.1 / np.sqrt(2 * 2 * n)
    assert np.abs(resid.mean(axis=0)).max() < 5 * 0.1 / np.sqrt(n)
    freq = np.bincount(lab, minlength=6) / n
    assert np.abs(freq - 1 / 6).max() < 5 * np.sqrt(1 / 6 * 5 / 6 / n)
