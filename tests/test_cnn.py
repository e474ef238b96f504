"""Tests of dlf.cnn: counts against closed forms and torch, blocks, training."""

import numpy as np
import pytest
import torch
from torch import nn

from dlf import cnn


def test_conv_params_matches_torch():
    for args, g in [((10, 25, 5), 1), ((192, 96, 1), 1), ((16, 32, (3, 5)), 4)]:
        layer = nn.Conv2d(*args, groups=g, device="meta")
        assert cnn.conv_params(*args, groups=g) == cnn.count_parameters(layer)
    assert cnn.conv_params(10, 25, 5) == 6275
    assert cnn.conv_params(192, 96, 1) == 18_528
    assert cnn.conv_params(4, 8, 3, bias=False) == 288


@pytest.mark.parametrize("build,expect", [
    (lambda: cnn.lenet5(device="meta"), 61_706),
    (lambda: cnn.alexnet(device="meta"), 61_100_840),
    (lambda: cnn.alexnet("paper", device="meta"), 62_378_344),
    (lambda: cnn.vgg("vgg16", device="meta"), 138_357_544),
    (lambda: cnn.vgg("vgg19", device="meta"), 143_667_240),
    (lambda: cnn.resnet("basic", [2, 2, 2, 2], device="meta"), 11_689_512),
    (lambda: cnn.resnet("basic", [3, 4, 6, 3], device="meta"), 21_797_672),
    (lambda: cnn.resnet("bottleneck", [3, 4, 6, 3], device="meta"), 25_557_032),
])
def test_published_counts(build, expect):
    assert cnn.count_parameters(build()) == expect


def test_shapes_on_real_input():
    assert cnn.lenet5()(torch.zeros(2, 1, 28, 28)).shape == (2, 10)
    assert cnn.resnet("bottleneck", [1, 1], num_classes=3, width=4, in_channels=1,
                      stem="small")(torch.zeros(2, 1, 8, 8)).shape == (2, 3)
    assert cnn.UNet(width=4)(torch.zeros(2, 1, 16, 16)).shape == (2, 3, 16, 16)
    assert cnn.UNet(width=4, skip=False)(torch.zeros(1, 1, 8, 8)).shape == (1, 3, 8, 8)


def test_residual_block_identity():
    torch.manual_seed(0)
    blk = cnn.BasicBlock(4, 4).double().eval()
    nn.init.zeros_(blk.bn2.weight)
    nn.init.zeros_(blk.bn2.bias)
    x = torch.rand(2, 4, 6, 6, dtype=torch.float64)
    torch.testing.assert_close(blk(x), x, rtol=0, atol=0)


def test_se_scales_in_unit_interval():
    se = cnn.SEBlock(8)
    s = se.scales(torch.randn(3, 8, 4, 4))
    assert s.shape == (3, 8, 1, 1) and bool((s > 0).all() and (s < 1).all())


def test_scenes_and_digits_training():
    X, Y = cnn.make_scenes(10, seed=1)
    assert X.shape == (10, 1, 16, 16) and set(np.unique(Y.numpy())) <= {0, 1, 2}
    torch.manual_seed(0)
    Xd = torch.randn(64, 1, 8, 8)
    yd = (Xd.mean(dim=(1, 2, 3)) > 0).long()
    model = cnn.digits_cnn(seed=0)
    assert cnn.count_parameters(model) == 1898
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny batches: threads only add overhead on a loaded machine
    try:
        losses = cnn.train_classifier(model, Xd, yd, epochs=20, lr=1e-2, batch_size=16, seed=0)
    finally:
        torch.set_num_threads(threads)
    assert losses[-1] < 0.5 * losses[0]
    assert cnn.accuracy(model, Xd, yd) > 0.9
    a = cnn.digits_cnn(seed=3)
    b = cnn.digits_cnn(seed=3)
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(p, q)


def test_bad_input():
    with pytest.raises(ValueError, match="groups"):
        cnn.conv_params(6, 4, 3, groups=4)
    with pytest.raises(ValueError, match="variant"):
        cnn.alexnet("lenet")
    with pytest.raises(ValueError, match="block"):
        cnn.resnet("dense", [1])


def test_train_classifier_probe_in_eval_mode():
    """The label probe runs one example in eval mode: a BatchNorm net with a 1x1 last map trains,
    the running statistics are untouched by the probe, and the caller's mode is restored."""
    torch.manual_seed(0)
    m = cnn.resnet("basic", [1, 1, 1, 1], num_classes=3, width=4, in_channels=1, stem="small")
    X, y = torch.randn(32, 1, 8, 8), torch.randint(0, 3, (32,))
    losses = cnn.train_classifier(m, X, y, epochs=1, lr=1e-2, batch_size=16, seed=0)
    assert len(losses) == 1 and np.isfinite(losses[0])
    u = cnn.UNet(width=4)
    bns = [mod for mod in u.modules() if isinstance(mod, nn.BatchNorm2d)]
    before = [(b.running_mean.clone(), b.running_var.clone(), int(b.num_batches_tracked))
              for b in bns]
    Xs, Ys = cnn.make_scenes(4, seed=0)
    with pytest.raises(ValueError, match="labels below"):  # stops after the probe
        cnn.train_classifier(u, Xs, Ys + 5, epochs=1, lr=1e-2, batch_size=4, seed=0)
    assert u.training  # mode restored
    for b, (mu, var, nb) in zip(bns, before, strict=True):
        assert torch.equal(b.running_mean, mu) and torch.equal(b.running_var, var)
        assert int(b.num_batches_tracked) == nb
