"""Each module of ``dlf`` can be copied into a project with the modules its docstring names.

A module's docstring has a ``Depends on:`` paragraph naming every other ``dlf`` module a reader
must copy along (all of them, including what those import in turn). The tests check the claim
two ways: statically (every ``dlf`` import in the file is named) and by doing it: the module and
exactly the named modules are copied into an empty folder, imported there by a fresh interpreter
that cannot see the installed package, and a small computation is run and checked.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "dlf"
MODULES = sorted(p.stem for p in SRC.glob("*.py") if not p.stem.startswith("_"))

# A small computation per module, checked against a value known independently of the module.
SMOKE = {
    "approximation": "import numpy as np\n"
                     "assert approximation.count_pieces(approximation.sawtooth_net(3)) == 8",
    "autodiff": "v = autodiff.Scalar(2.0); y = v * v + v.sin(); y.backward()\n"
                "import math; assert abs(v.grad - (4 + math.cos(2.0))) < 1e-12",
    "checks": "checks.check_close('one', 1.0, 1.0)\n"
              "checks.check_raises(ValueError, int, 'x')",
    "concentration": "assert abs(concentration.markov_bound(1.0, 4.0) - 0.25) < 1e-15",
    "data": "import numpy as np\nQ = data.random_orthogonal(4, seed=1)\n"
            "assert np.allclose(Q @ Q.T, np.eye(4))",
    "init": "assert init.fans((32, 16, 3, 5)) == (240, 480)\n"
            "assert abs(init.relu_ratio_moments(16, 0.125)['second'] - 21 / 16) < 1e-12",
    "normalization": "import numpy as np\n"
                     "y, _ = normalization.batch_norm(np.array([[0.], [2.]]), eps=0.0)\n"
                     "assert np.allclose(y[:, 0], [-1., 1.])",
    "gradcheck": "import numpy as np\n"
                 "g = gradcheck.numerical_gradient(lambda x: float(x @ x), np.array([1., 2.]))\n"
                 "assert np.allclose(g, [2., 4.], atol=1e-6)",
    "hessian": "import torch\nw = torch.tensor([1., 2.], dtype=torch.float64, requires_grad=True)\n"
               "H = hessian.hessian(lambda: (w ** 3).sum(), [w])\n"
               "assert torch.allclose(H, torch.diag(6 * w.detach()))",
    "kernels": "import numpy as np\nX = np.array([[0., 0.], [1., 0.]])\n"
               "K = kernels.gaussian_kernel(X, bandwidth=1.0)\n"
               "assert np.isclose(K[0, 1], np.exp(-0.5)) and np.allclose(np.diag(K), 1)",
    "landscape": "import numpy as np\n"
                 "H = np.diag([-2.0, 0.0, 3.0, 5.0])\n"
                 "assert landscape.hessian_inertia(H) == (1, 1, 2)\n"
                 "t = landscape.TopEigenvector(np.diag([3.0, 1.0]))\n"
                 "assert np.isclose(t.f(np.array([np.sqrt(3.0), 0.0])), 0.25)",
    "linalg": "import numpy as np\nA = np.array([[2., 0.], [0., 3.]])\n"
              "assert np.allclose(linalg.pinv(A), np.diag([0.5, 1 / 3]))",
    "linear": "import numpy as np\nX = np.array([[1., 0.], [0., 1.], [1., 1.]])\n"
              "w = linear.least_squares(X, X @ np.array([2., -1.]))\n"
              "assert np.allclose(w, [2., -1.])",
    "losses": "import numpy as np\np = losses.softmax(np.array([1., 2., 3.]))\n"
              "assert np.isclose(p[2], np.exp(3) / np.exp([1, 2, 3]).sum())",
    "mlp": "import numpy as np\nlayer = mlp.Linear(3, 2, seed=0)\n"
           "assert layer.forward(np.zeros((5, 3))).shape == (5, 2)",
    "optim": "import numpy as np\n"
             "xs = optim.gradient_descent(lambda x: x, np.array([1.0]), 0.5, 3)\n"
             "assert np.allclose(xs[:, 0], [1, 0.5, 0.25, 0.125])",
    "plotting": "import matplotlib\nmatplotlib.use('Agg')\nplotting.use_style()\n"
                "fig, ax = plotting.subplots()\nassert plotting.color(0).startswith('#')",
    "schedules": "import numpy as np\n"
                 "lr = schedules.cosine(np.array([0, 5, 10]), 1.0, 10)\n"
                 "assert np.allclose(lr, [1.0, 0.5, 0.0])",
    "sde": "import numpy as np\nP = np.array([[0.9, 0.1], [0.3, 0.7]])\n"
           "assert np.allclose(sde.invariant_distribution(P), [0.75, 0.25])\n"
           "assert np.isclose(sde.sgd_quadratic_variance(0.1, 1.0, 1.0), 0.1 / 1.9)",
    "problems": "import numpy as np\nq = problems.quadratic_with_spectrum([1.0, 4.0], seed=0)\n"
                "assert np.allclose(np.linalg.eigvalsh(q.A), [1.0, 4.0])",
    "regularization": "import numpy as np\n"
                      "f = regularization.ridge_filter(np.array([2.0]), 4.0)\n"
                      "assert np.allclose(f, [0.5])\n"
                      "C, x = regularization.early_stopping_constant()\n"
                      "assert abs(C - ((1 - np.exp(-x)) * (1 + x) / x) ** 2) < 1e-12",
    "double_descent": "import numpy as np\n"
                      "assert double_descent.relu_features(np.ones((3, 2)), 4, 0).shape == (3, 4)\n"
                      "assert abs(double_descent.ols_excess_risk(10, 3, 1.0) - 3 / 6) < 1e-12",
    "generalization": "assert generalization.sauer_bound(10, 2) == 1 + 10 + 45",
    "pacbayes": "import math\n"
                "assert abs(pacbayes.kl_inverse(0.0, 0.3) - (1 - math.exp(-0.3))) < 1e-10",
    "implicit_bias": "import numpy as np\n"
                     "d = implicit_bias.bregman_divergence(implicit_bias.euclidean_potential(),\n"
                     "                                     np.array([1., 2.]), np.zeros(2))\n"
                     "assert abs(d - 2.5) < 1e-12",
    "ntk": "import numpy as np\n"
           "K, T = ntk.relu_nngp_ntk(np.eye(2), depth=1)\n"
           "assert np.allclose(K, [[1, 1 / np.pi], [1 / np.pi, 1]])",
    "conv": "assert list(conv.conv1d([2, -1, 1], [1, 1, 2])) == [2, 1, 4, -1, 2]\n"
            "assert conv.conv_output_size(7, 3, 3, 1) == 3\n"
            "assert conv.receptive_field([(3, 1, 1), (3, 1, 2), (3, 1, 4)]) == 15",
    "cnn": "n = cnn.conv_params(1, 6, 5) + cnn.conv_params(6, 16, 5) + 400 * 120 + 120\n"
           "n += 120 * 84 + 84 + 84 * 10 + 10\n"
           "assert cnn.count_parameters(cnn.lenet5(device='meta')) == n == 61706",
    "vi": "import math\n"
          "m = vi.LinearGaussianModel(2.0, 0.5)\n"
          "ref = -0.5 * math.log(2 * math.pi * 4.5) - 1.69 / 9\n"
          "assert abs(m.log_evidence(1.3) - ref) < 1e-12\n"
          "assert abs(float(vi.gaussian_kl(0.7, 0.3)) - 0.496986) < 1e-6",
    "vae": "import math, torch\n"
           "mdl = vae.VAE(d=4, m=2, hidden=3, seed=0); x = torch.tensor([[1., 0., 1., 0.]])\n"
           "lp = float(vae.log_marginal_grid(mdl, x, n_grid=200, lim=7.0))\n"
           "z = torch.randn(200_000, 2, generator=torch.Generator().manual_seed(1))\n"
           "with torch.no_grad():\n"
           "    p = mdl.log_likelihood(x.expand(len(z), 4), mdl.decode_logits(z)).exp()\n"
           "se = float(p.std()) / math.sqrt(len(z))\n"
           "assert abs(float(p.mean()) - math.exp(lp)) < 5 * se",
    "two_sample": "import math\n"
                  "ref = 2 * (1 - math.exp(-1 / 6)) / math.sqrt(3)\n"
                  "mmd2 = two_sample.mmd2_gaussian([0.0], [[1.0]], [1.0], [[1.0]])\n"
                  "assert abs(mmd2 - ref) < 1e-12",
    "gan": "assert abs(gan.gaussian_w2([1.0], [[4.0]], [-1.0], [[1.0]]) - 5.0) < 1e-12\n"
           "assert abs(gan.birthday_probability(365, 23) - 0.5072972343) < 1e-9",
    "attribution": "import numpy as np\n"
                   "v = attribution.game_table(lambda S: float(0 in S and (1 in S or 2 in S)), 3)\n"
                   "s = attribution.shapley_exact(v)\n"
                   "assert np.allclose(s, [2 / 3, 1 / 6, 1 / 6], atol=1e-12)",
    "rnn": "k, v = rnn.steady_state_gain(0.0, 1.0, 1.0)\n"
           "assert abs(k - 0.5) < 1e-15 and abs(v - 0.5) < 1e-15",
    "flows": "import torch\n"
             "f = flows.realnvp(2, 4, 8, seed=0).double()\n"
             "g = torch.Generator().manual_seed(0)\n"
             "x = torch.randn(3, 2, dtype=torch.float64, generator=g)\n"
             "assert torch.allclose(f(x)[1].detach(), flows.autograd_logdet(f, x), atol=1e-10)",
    "diffusion": "abar = diffusion.alpha_bar(diffusion.linear_beta_schedule(100, 1e-4, 0.1))\n"
                 "import numpy as np\n"
                 "assert abs(abar[-1] - np.prod(1 - np.linspace(1e-4, 0.1, 100))) < 1e-12",
    "attention": "import numpy as np\n"
                 "p = attention.sinusoidal_positions(3, 4)\n"
                 "assert abs(p[1, 0] - np.sin(1.0)) < 1e-15\n"
                 "assert abs(p[2, 3] - np.cos(2 * 0.01)) < 1e-15",
    "decoding": "t = {(): {'A': .4, 'B': .35, 'C': .25},\n"
                "     ('A',): {'A1': .5, 'A2': .2}, ('B',): {'B1': .8}}\n"
                "b = decoding.beam_search(lambda s: t.get(s, {}), 2, 2)\n"
                "assert b[0][0] == ('B', 'B1') and abs(b[0][1] - 0.28) < 1e-12",
    "adversarial": "import numpy as np\n"
                   "w, x = np.array([1.0, -2.0]), np.array([1.0, 0.0])\n"
                   "m, _ = adversarial.linear_worst_case(w, 0.0, x, 1, 0.1)\n"
                   "assert abs(m - (1 - 0.1 * 3)) < 1e-12",
}


def _docstring(module: str) -> str:
    doc = ast.get_docstring(ast.parse((SRC / f"{module}.py").read_text()))
    assert doc, f"dlf.{module} has no module docstring"
    return doc


def declared_dependencies(module: str) -> set[str]:
    """The ``dlf`` modules named in the docstring's ``Depends on:`` paragraph."""
    doc = _docstring(module)
    m = re.search(r"Depends on:(.*?)(?:\n\s*\n|\Z)", doc, re.S)
    assert m, f"dlf.{module}'s docstring has no 'Depends on:' paragraph"
    return set(re.findall(r"dlf\.(\w+)", m.group(1))) - {module}


def imported_dependencies(module: str) -> set[str]:
    """Every ``dlf`` module the file imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse((SRC / f"{module}.py").read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "dlf":
                found |= {a.name for a in node.names}
            elif node.module.startswith("dlf."):
                found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("dlf.")}
    return found - {module}


def test_every_module_has_a_smoke_test():
    assert set(MODULES) == set(SMOKE), (
        f"modules without a smoke test: {sorted(set(MODULES) - set(SMOKE))}; "
        f"smoke tests without a module: {sorted(set(SMOKE) - set(MODULES))}")


@pytest.mark.parametrize("module", MODULES)
def test_docstring_names_chapter_and_every_import(module):
    doc = _docstring(module)
    assert "Derived in:" in doc or "Chapter ``" in doc, f"dlf.{module} names no chapter"
    missing = imported_dependencies(module) - declared_dependencies(module)
    assert not missing, f"dlf.{module} imports {sorted(missing)} but does not name them"


@pytest.mark.parametrize("module", MODULES)
def test_module_runs_when_copied_with_its_declared_dependencies(module, tmp_path):
    pkg = tmp_path / "dlf"
    pkg.mkdir()
    shutil.copy(SRC / "__init__.py", pkg / "__init__.py")
    for name in {module} | declared_dependencies(module):
        shutil.copy(SRC / f"{name}.py", pkg / f"{name}.py")
    script = textwrap.dedent(f"""\
        import sys
        sys.path.insert(0, {str(tmp_path)!r})
        import dlf
        assert dlf.__file__.startswith({str(tmp_path)!r}), dlf.__file__
        from dlf import {module}
        """) + SMOKE.get(module, "raise SystemExit('no smoke test')") + "\n"
    proc = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, (
        f"dlf.{module} copied with {sorted(declared_dependencies(module))} failed:\n"
        f"{proc.stderr[-2000:]}")
