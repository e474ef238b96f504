"""Tests of dlf.kernels against closed forms, scipy and scikit-learn."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial.distance import cdist
from sklearn.kernel_ridge import KernelRidge
from sklearn.metrics.pairwise import polynomial_kernel as sk_poly
from sklearn.metrics.pairwise import rbf_kernel

from dlf import kernels, linear
from dlf.data import circles


def _pts(n=20, d=3, seed=0):
    return np.random.default_rng(seed).standard_normal((n, d))


def test_gaussian_matches_sklearn():
    X, Z = _pts(), _pts(7, seed=1)
    s = 0.7
    got = kernels.gaussian_kernel(X, Z, bandwidth=s)
    np.testing.assert_allclose(got, rbf_kernel(X, Z, gamma=1 / (2 * s * s)), rtol=1e-12)


def test_laplace_matches_cdist():
    X, Z = _pts(), _pts(5, seed=2)
    np.testing.assert_allclose(kernels.laplace_kernel(X, Z, bandwidth=2.0),
                               np.exp(-cdist(X, Z) / 2.0), rtol=1e-10)


def test_polynomial_matches_sklearn():
    X = _pts()
    got = kernels.polynomial_kernel(X, degree=3, c=0.5)
    np.testing.assert_allclose(got, sk_poly(X, degree=3, gamma=1.0, coef0=0.5), rtol=1e-12)


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 5), st.integers(0, 10_000))
def test_quadratic_features_reproduce_kernel(d, seed):
    X = _pts(6, d, seed)
    Phi = kernels.quadratic_features(X)
    assert Phi.shape == (6, 1 + d + d * (d + 1) // 2)
    np.testing.assert_allclose(Phi @ Phi.T, (1 + X @ X.T) ** 2, rtol=1e-10, atol=1e-12)


def test_psd_and_non_psd():
    X = _pts(60, 2)
    for K in (kernels.gaussian_kernel(X), kernels.laplace_kernel(X),
              kernels.polynomial_kernel(X, degree=3)):
        assert kernels.min_eigenvalue(K) > -1e-8 * np.abs(K).max()
    assert kernels.min_eigenvalue(np.tanh(X @ X.T - 1)) < -1.0


def test_kernel_perceptron_equals_primal_on_features():
    X, y01 = circles(80, noise=0.05, seed=3)
    y = 2.0 * y01 - 1
    Phi = kernels.quadratic_features(X)
    primal = linear.perceptron(Phi, y, seed=5)
    dual = kernels.kernel_perceptron(kernels.polynomial_kernel(X), y, seed=5)
    assert primal.converged and dual.converged
    np.testing.assert_array_equal(primal.alpha, dual.alpha)
    np.testing.assert_allclose(kernels.dual_scores(Phi @ Phi.T, dual.alpha, y),
                               Phi @ primal.w, rtol=1e-9, atol=1e-9)


def test_kernel_ridge_matches_sklearn():
    X = _pts(30, 2)
    y = np.sin(X[:, 0]) + X[:, 1]
    K = kernels.gaussian_kernel(X, bandwidth=0.8)
    alpha = kernels.kernel_ridge(K, y, 0.1)
    ref = KernelRidge(alpha=0.1, kernel="rbf", gamma=1 / (2 * 0.64)).fit(X, y)
    np.testing.assert_allclose(alpha, ref.dual_coef_, rtol=1e-8)
    Xt = _pts(5, 2, seed=9)
    np.testing.assert_allclose(kernels.gaussian_kernel(Xt, X, bandwidth=0.8) @ alpha,
                               ref.predict(Xt), rtol=1e-8)


def test_kernel_gd_closed_form():
    X = _pts(15, 2)
    y = X[:, 0] ** 2
    K = kernels.gaussian_kernel(X)
    lam, Q = np.linalg.eigh(K)
    eta, t = 1.0 / lam[-1], 40
    alphas = kernels.kernel_gd(K, y, eta=eta, steps=t)
    fit = Q @ ((1 - (1 - eta * lam) ** t) * (Q.T @ y))  # (I - (I - eta K)^t) y
    np.testing.assert_allclose(K @ alphas[-1], fit, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("kernel,method", [("gaussian", "phase"), ("gaussian", "sincos"),
                                           ("laplace", "phase")])
def test_rff_approximates_kernel(kernel, method):
    X = 0.7 * _pts(20, 3)
    rff = kernels.RandomFourierFeatures.sample(3, 40_000, bandwidth=1.0, kernel=kernel,
                                               method=method, seed=0)
    Z = rff(X)
    K = (kernels.gaussian_kernel(X) if kernel == "gaussian" else kernels.laplace_kernel(X))
    assert Z.shape == (20, 40_000)
    assert np.abs(Z @ Z.T - K).max() < 0.05


def test_bad_input():
    with pytest.raises(ValueError, match="bandwidth"):
        kernels.gaussian_kernel(_pts(), bandwidth=0.0)
    with pytest.raises(ValueError, match="same number of columns"):
        kernels.gaussian_kernel(_pts(), _pts(d=2))
    with pytest.raises(ValueError, match="square"):
        kernels.min_eigenvalue(np.ones((2, 3)))
    with pytest.raises(ValueError, match="positive semidefinite"):
        kernels.kernel_perceptron(np.array([[0.0, 1.0], [1.0, 0.0]]), [1, -1])
    with pytest.raises(ValueError, match="lam"):
        kernels.kernel_ridge(np.eye(2), [1.0, 2.0], -1.0)
    with pytest.raises(ValueError, match="even"):
        kernels.RandomFourierFeatures.sample(2, 5, method="sincos")
    with pytest.raises(ValueError, match="kernel"):
        kernels.RandomFourierFeatures.sample(2, 4, kernel="cosine")
    with pytest.raises(TypeError, match="degree"):
        kernels.polynomial_kernel(_pts(), degree=2.5)
    with pytest.raises(ValueError, match="columns"):
        kernels.RandomFourierFeatures.sample(2, 4)(_pts(d=3))


def test_non_kernels_closed_forms():
    # 1[|x - z| <= 1] on 0, 0.6, 1.2: K = I + path adjacency, min eig 1 - sqrt(2)
    t = np.array([[0.0], [0.6], [1.2]])
    K = (cdist(t, t) <= 1.0) * 1.0
    assert kernels.min_eigenvalue(K) == pytest.approx(1 - np.sqrt(2), abs=1e-12)
    # tanh(x.z - 1) at the single point x = 0: a 1x1 Gram matrix tanh(-1) < 0
    assert kernels.min_eigenvalue([[np.tanh(-1.0)]]) < 0


def _bump_problem(seed=0, p=6):
    x = np.linspace(-3, 3, 60)[:, None]
    y = np.sin(2 * x[:, 0]) + 2 * np.exp(-20 * x[:, 0] ** 2)
    return x, y, kernels.RandomFourierFeatures.sample(1, p, seed=seed)


def test_learn_cosine_features_never_worse_than_frozen():
    x, y, rff = _bump_problem()

    def J(f):
        a = linear.ridge(f(x), y, 1e-3)
        return np.sum((f(x) @ a - y) ** 2) + 1e-3 * a @ a

    trained, a = kernels.learn_cosine_features(x, y, rff, lam=1e-3, maxiter=30)
    np.testing.assert_allclose(a, linear.ridge(trained(x), y, 1e-3))
    assert J(trained) <= J(rff)
    assert J(trained) < 0.5 * J(rff)  # the frequencies do move


def test_learn_cosine_features_gradient_matches_finite_differences():
    from scipy.optimize import approx_fprime

    from dlf.kernels import _cosine_objective

    x = np.random.default_rng(3).standard_normal((30, 2))
    y = np.sin(x[:, 0]) * x[:, 1]
    theta = np.random.default_rng(4).standard_normal(2 * 4 + 4)
    args = (x, y, 1e-2, 2, 4)
    _, grad = _cosine_objective(theta, *args)
    fd = approx_fprime(theta, lambda t: _cosine_objective(t, *args)[0], 1e-7)
    np.testing.assert_allclose(grad, fd, rtol=1e-4, atol=1e-5)


def test_learn_cosine_features_rejects_bad_input():
    x, y, rff = _bump_problem()
    with pytest.raises(TypeError, match="rff"):
        kernels.learn_cosine_features(x, y, "features", lam=1e-3)
    with pytest.raises(TypeError, match="rff"):
        kernels.learn_cosine_features(
            x, y, kernels.RandomFourierFeatures.sample(1, 4, method="sincos"), lam=1e-3)
    with pytest.raises(ValueError, match="lam"):
        kernels.learn_cosine_features(x, y, rff, lam=0.0)
    with pytest.raises(ValueError, match="y"):
        kernels.learn_cosine_features(x, y[:-1], rff, lam=1e-3)


def test_polynomial_kernel_rejects_non_numeric_c_with_type_error():
    with pytest.raises(TypeError, match="c must be a number"):
        kernels.polynomial_kernel(_pts(), c="1")
    with pytest.raises(ValueError, match="c must be"):
        kernels.polynomial_kernel(_pts(), c=-1.0)


@pytest.mark.parametrize("kernel, exact", [
    ("gaussian", lambda X: kernels.gaussian_kernel(X, bandwidth=0.5)),
    ("laplace", lambda X: kernels.laplace_kernel(X, bandwidth=0.5)),
])
def test_rff_bandwidth_other_than_one(kernel, exact):
    # a bug scaling W by s instead of 1/s would pass at s = 1 only
    X = 0.5 * _pts(15, 2, seed=5)
    z = kernels.RandomFourierFeatures.sample(2, 40_000, bandwidth=0.5, kernel=kernel, seed=0)
    bound = np.sqrt(8 * np.log(2 * 15**2 / 1e-6) / 40_000)
    assert np.abs(z(X) @ z(X).T - exact(X)).max() <= bound
