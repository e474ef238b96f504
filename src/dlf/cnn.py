"""Convolutional architectures in PyTorch: parameter counts, classic networks and small trainers.

Implements the closed-form parameter count of a convolution, a counter that works on
``device='meta'`` (no memory is allocated, so ImageNet-sized networks are counted in
milliseconds), the modern LeNet-5, AlexNet (the torchvision variant and the paper's channels,
with or without the paper's two groups), VGG from a configuration list, ResNets from basic or
bottleneck blocks (torchvision's layout, v1.5), a squeeze-and-excitation block, a two-level U-Net
with optional concatenation skips, synthetic segmentation scenes, the small digits CNN of the
chapter, and a minimal Adam training loop shared with the chapter on adversarial examples.

Derived in: book/architectures/cnn.md (Convolutional networks).
Depends on: numpy, torch; no other dlf module.
"""

from __future__ import annotations

import numbers

import numpy as np
import torch
from torch import nn

__all__ = [
    "conv_params",
    "count_parameters",
    "lenet5",
    "alexnet",
    "VGG_CFGS",
    "vgg",
    "BasicBlock",
    "Bottleneck",
    "resnet",
    "SEBlock",
    "UNet",
    "make_scenes",
    "digits_cnn",
    "train_classifier",
    "accuracy",
]

#: VGG configurations (Simonyan and Zisserman, Table 1): channels of 3x3 convs, "M" = max-pool 2.
VGG_CFGS = {
    "vgg11": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "vgg16": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M",
              512, 512, 512, "M"],
    "vgg19": [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M",
              512, 512, 512, 512, "M"],
}


def _int(name: str, v, *, minimum: int) -> int:
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {v!r}")
    v = int(v)
    if v < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {v}")
    return v


def _bool(name: str, v) -> bool:
    if not isinstance(v, (bool, np.bool_)):
        raise TypeError(f"{name} must be a bool, got {v!r}")
    return bool(v)


def _float(name: str, v, *, low: float = 0.0) -> float:
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {v!r}")
    v = float(v)
    if not np.isfinite(v) or v <= low:
        raise ValueError(f"{name} must be finite and > {low}, got {v}")
    return v


def _input(module: nn.Module, x) -> torch.Tensor:
    """Check that ``x`` is a finite real 4-D tensor with the dtype of ``module``'s parameters."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"x must be a torch.Tensor, got {type(x).__name__}")
    if x.is_complex() or not x.is_floating_point():
        raise TypeError(f"x must be a real floating tensor, got dtype {x.dtype}")
    if x.ndim != 4 or x.numel() == 0:
        raise ValueError(f"x must be a non-empty 4-D tensor (B, C, H, W), got shape "
                         f"{tuple(x.shape)}")
    dtype = next(module.parameters()).dtype
    if x.dtype != dtype:
        raise TypeError(f"x must have the module's dtype {dtype}, got {x.dtype}")
    if x.device.type != "meta" and not torch.isfinite(x).all():
        raise ValueError("x must be finite")
    return x


def _seed(seed) -> int:
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be an integer, got {seed!r}")
    if seed < 0:
        raise ValueError(f"seed must be >= 0, got {seed}")
    return int(seed)


def _forward(model: nn.Module, X: torch.Tensor) -> torch.Tensor:
    try:
        return model(X)
    except (RuntimeError, TypeError) as err:
        raise ValueError(f"X does not fit the model: {err}") from None


def _device(device):
    if device not in (None, "cpu", "meta") and not isinstance(device, torch.device):
        raise ValueError(f"device must be None, 'cpu' or 'meta', got {device!r}")
    return device


# ----------------------------------------------------------------------------- counting

def conv_params(c_in, c_out, kernel_size, groups=1, bias=True) -> int:
    """Parameters of a 2-D convolution, (eq-cnn-params): ``C_out (C_in k1 k2 / groups + [bias])``.

    ``kernel_size`` is an int or a pair; ``groups`` must divide both channel counts.
    """
    c_in = _int("c_in", c_in, minimum=1)
    c_out = _int("c_out", c_out, minimum=1)
    if isinstance(kernel_size, (tuple, list)):
        if len(kernel_size) != 2:
            raise ValueError(f"kernel_size must be an int or a pair, got {kernel_size!r}")
        k1, k2 = (_int("kernel_size", k, minimum=1) for k in kernel_size)
    else:
        k1 = k2 = _int("kernel_size", kernel_size, minimum=1)
    g = _int("groups", groups, minimum=1)
    if c_in % g or c_out % g:
        raise ValueError(f"groups={g} must divide c_in={c_in} and c_out={c_out}")
    return c_out * (c_in * k1 * k2 // g + int(_bool("bias", bias)))


def count_parameters(model) -> int:
    """Number of scalar parameters of a module (works for modules on ``device='meta'``)."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    return sum(p.numel() for p in model.parameters())


# ----------------------------------------------------------------------------- classic networks

def lenet5(num_classes=10, device=None) -> nn.Sequential:
    """The modern LeNet-5 for 1x28x28 inputs: ReLU, max-pooling, 6-16 channels, 120-84 units.

    The first convolution pads by 2 (the 32x32 input of the original).
    """
    n = _int("num_classes", num_classes, minimum=1)
    with torch.device(_device(device) or "cpu"):
        return nn.Sequential(
            nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
            nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, n))


def alexnet(variant="torchvision", num_classes=1000, device=None) -> nn.Sequential:
    """AlexNet for 3x224x224 inputs.

    ``variant``: ``"torchvision"`` (channels 64-192-384-256-256), ``"paper"`` (96-256-384-384-256,
    ungrouped) or ``"paper-grouped"`` (the paper's split over two GPUs: conv 2, 4 and 5 have
    ``groups=2``). All end with 256x6x6 features and 4096-4096 fully connected layers.
    """
    chans = {"torchvision": (64, 192, 384, 256, 256), "paper": (96, 256, 384, 384, 256),
             "paper-grouped": (96, 256, 384, 384, 256)}
    if variant not in chans:
        raise ValueError(f"variant must be one of {sorted(chans)}, got {variant!r}")
    n = _int("num_classes", num_classes, minimum=1)
    c = chans[variant]
    g = 2 if variant == "paper-grouped" else 1
    with torch.device(_device(device) or "cpu"):
        return nn.Sequential(
            nn.Conv2d(3, c[0], 11, stride=4, padding=2), nn.ReLU(), nn.MaxPool2d(3, 2),
            nn.Conv2d(c[0], c[1], 5, padding=2, groups=g), nn.ReLU(), nn.MaxPool2d(3, 2),
            nn.Conv2d(c[1], c[2], 3, padding=1), nn.ReLU(),
            nn.Conv2d(c[2], c[3], 3, padding=1, groups=g), nn.ReLU(),
            nn.Conv2d(c[3], c[4], 3, padding=1, groups=g), nn.ReLU(), nn.MaxPool2d(3, 2),
            nn.AdaptiveAvgPool2d(6), nn.Flatten(), nn.Dropout(0.5),
            nn.Linear(c[4] * 36, 4096), nn.ReLU(), nn.Dropout(0.5),
            nn.Linear(4096, 4096), nn.ReLU(), nn.Linear(4096, n))


def vgg(cfg, num_classes=1000, in_channels=3, device=None) -> nn.Sequential:
    """VGG: 3x3 convolutions (padding 1) and 2x2 max-pools from ``cfg``, then 3 dense layers.

    ``cfg`` is a key of :data:`VGG_CFGS` or a list of channel counts and ``"M"``.
    """
    if isinstance(cfg, str):
        if cfg not in VGG_CFGS:
            raise ValueError(f"cfg must be one of {sorted(VGG_CFGS)} or a list, got {cfg!r}")
        cfg = VGG_CFGS[cfg]
    if not isinstance(cfg, (list, tuple)) or not cfg:
        raise TypeError(f"cfg must be a non-empty list of ints and 'M', got {cfg!r}")
    n = _int("num_classes", num_classes, minimum=1)
    c = _int("in_channels", in_channels, minimum=1)
    layers: list[nn.Module] = []
    with torch.device(_device(device) or "cpu"):
        for v in cfg:
            if v == "M":
                layers.append(nn.MaxPool2d(2))
                continue
            v = _int("cfg entry", v, minimum=1)
            layers += [nn.Conv2d(c, v, 3, padding=1), nn.ReLU()]
            c = v
        layers += [nn.AdaptiveAvgPool2d(7), nn.Flatten(), nn.Linear(c * 49, 4096), nn.ReLU(),
                   nn.Dropout(0.5), nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(0.5),
                   nn.Linear(4096, n)]
        return nn.Sequential(*layers)


# ----------------------------------------------------------------------------- residual networks

def _shortcut(c_in: int, c_out: int, stride: int) -> nn.Module:
    if stride == 1 and c_in == c_out:
        return nn.Identity()
    return nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride=stride, bias=False),
                         nn.BatchNorm2d(c_out))


class BasicBlock(nn.Module):
    """Residual block ``ReLU(x' + F(x))``, ``F`` = conv3x3-BN-ReLU-conv3x3-BN, (eq-cnn-residual).

    ``x'`` is ``x`` or, when the shape changes, a 1x1 strided convolution with BN of ``x``.
    """

    expansion = 1

    def __init__(self, c_in, planes, stride=1):
        super().__init__()
        c_in = _int("c_in", c_in, minimum=1)
        planes = _int("planes", planes, minimum=1)
        stride = _int("stride", stride, minimum=1)
        self.conv1 = nn.Conv2d(c_in, planes, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.shortcut = _shortcut(c_in, planes, stride)

    def forward(self, x):
        """``ReLU(shortcut(x) + bn2(conv2(ReLU(bn1(conv1(x))))))``."""
        x = _input(self, x)
        out = torch.relu(self.bn1(self.conv1(x)))
        return torch.relu(self.shortcut(x) + self.bn2(self.conv2(out)))


class Bottleneck(nn.Module):
    """Bottleneck block 1x1 (reduce) - 3x3 (stride here: v1.5) - 1x1 (expand by 4), with BN."""

    expansion = 4

    def __init__(self, c_in, planes, stride=1):
        super().__init__()
        c_in = _int("c_in", c_in, minimum=1)
        planes = _int("planes", planes, minimum=1)
        stride = _int("stride", stride, minimum=1)
        self.conv1 = nn.Conv2d(c_in, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, 4 * planes, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(4 * planes)
        self.shortcut = _shortcut(c_in, 4 * planes, stride)

    def forward(self, x):
        """``ReLU(shortcut(x) + bn3(conv3(...)))``."""
        x = _input(self, x)
        out = torch.relu(self.bn1(self.conv1(x)))
        out = torch.relu(self.bn2(self.conv2(out)))
        return torch.relu(self.shortcut(x) + self.bn3(self.conv3(out)))


def resnet(block, layers, num_classes=1000, width=64, in_channels=3, stem="imagenet",
           device=None) -> nn.Sequential:
    """A ResNet: stem, stages of residual blocks (channels doubling, stride 2 after stage 1), GAP,
    fc.

    Parameters
    ----------
    block : ``"basic"`` or ``"bottleneck"``.
    layers : list of the number of blocks per stage, e.g. ``[2, 2, 2, 2]`` for ResNet-18,
        ``[3, 4, 6, 3]`` for ResNet-34 (basic) and ResNet-50 (bottleneck).
    stem : ``"imagenet"`` (7x7 stride-2 conv, BN, ReLU, 3x3 stride-2 max-pool) or ``"small"``
        (3x3 conv, BN, ReLU; for small images).
    """
    blocks = {"basic": BasicBlock, "bottleneck": Bottleneck}
    if block not in blocks:
        raise ValueError(f"block must be 'basic' or 'bottleneck', got {block!r}")
    if not isinstance(layers, (list, tuple)) or not layers:
        raise TypeError(f"layers must be a non-empty list of ints, got {layers!r}")
    layers = [_int("layers", v, minimum=1) for v in layers]
    n = _int("num_classes", num_classes, minimum=1)
    w = _int("width", width, minimum=1)
    c = _int("in_channels", in_channels, minimum=1)
    if stem not in ("imagenet", "small"):
        raise ValueError(f"stem must be 'imagenet' or 'small', got {stem!r}")
    B = blocks[block]
    with torch.device(_device(device) or "cpu"):
        if stem == "imagenet":
            mods: list[nn.Module] = [nn.Conv2d(c, w, 7, stride=2, padding=3, bias=False),
                                     nn.BatchNorm2d(w), nn.ReLU(), nn.MaxPool2d(3, 2, padding=1)]
        else:
            mods = [nn.Conv2d(c, w, 3, padding=1, bias=False), nn.BatchNorm2d(w), nn.ReLU()]
        c_cur = w
        for i, nb in enumerate(layers):
            planes = w * 2 ** i
            for j in range(nb):
                mods.append(B(c_cur, planes, 2 if (i > 0 and j == 0) else 1))
                c_cur = planes * B.expansion
        mods += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c_cur, n)]
        return nn.Sequential(*mods)


class SEBlock(nn.Module):
    """Squeeze-and-excitation: scale channel ``c`` by ``sigmoid(W2 ReLU(W1 GAP(x)))_c``."""

    def __init__(self, channels, reduction=4):
        super().__init__()
        channels = _int("channels", channels, minimum=1)
        reduction = _int("reduction", reduction, minimum=1)
        hidden = max(1, channels // reduction)
        self.fc1 = nn.Conv2d(channels, hidden, 1)
        self.fc2 = nn.Conv2d(hidden, channels, 1)

    def scales(self, x):
        """The per-channel scales, shape ``(B, C, 1, 1)``, in the open interval (0, 1)."""
        x = _input(self, x)
        return torch.sigmoid(self.fc2(torch.relu(self.fc1(x.mean(dim=(2, 3), keepdim=True)))))

    def forward(self, x):
        """``x * scales(x)``."""
        return x * self.scales(x)


# ----------------------------------------------------------------------------- U-Net

def _double_conv(c_in: int, c_out: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out),
                         nn.ReLU(), nn.Conv2d(c_out, c_out, 3, padding=1, bias=False),
                         nn.BatchNorm2d(c_out), nn.ReLU())


class UNet(nn.Module):
    """A two-level U-Net: encoder (2 poolings), decoder (2 transposed convs), per-pixel logits.

    Every stage is two 3x3 convolutions, each followed by batch normalization and ReLU.

    With ``skip=True`` the decoder concatenates the encoder's feature map of the same resolution
    (Ronneberger et al.); with ``skip=False`` it sees only the upsampled coarse features.
    Input sides must be divisible by 4.
    """

    def __init__(self, in_channels=1, num_classes=3, width=8, skip=True):
        super().__init__()
        c = _int("in_channels", in_channels, minimum=1)
        n = _int("num_classes", num_classes, minimum=1)
        w = _int("width", width, minimum=1)
        self.skip = _bool("skip", skip)
        m = 2 if self.skip else 1
        self.enc1, self.enc2 = _double_conv(c, w), _double_conv(w, 2 * w)
        self.mid = _double_conv(2 * w, 4 * w)
        self.up2 = nn.ConvTranspose2d(4 * w, 2 * w, 2, stride=2)
        self.dec2 = _double_conv(m * 2 * w, 2 * w)
        self.up1 = nn.ConvTranspose2d(2 * w, w, 2, stride=2)
        self.dec1 = _double_conv(m * w, w)
        self.head = nn.Conv2d(w, n, 1)

    def forward(self, x):
        """Logits of shape ``(B, num_classes, H, W)``."""
        x = _input(self, x)
        if x.shape[2] % 4 or x.shape[3] % 4:
            raise ValueError(f"x must have sides divisible by 4, got {tuple(x.shape[2:])}")
        e1 = self.enc1(x)
        e2 = self.enc2(nn.functional.max_pool2d(e1, 2))
        u2 = self.up2(self.mid(nn.functional.max_pool2d(e2, 2)))
        d2 = self.dec2(torch.cat([u2, e2], 1) if self.skip else u2)
        u1 = self.up1(d2)
        return self.head(self.dec1(torch.cat([u1, e1], 1) if self.skip else u1))


def make_scenes(n, size=16, noise=0.3, seed=0):
    """Synthetic segmentation scenes: one disc (class 1) and one square (class 2) on background 0.

    Both shapes have intensity 1, so only their shape tells them apart; Gaussian noise of standard
    deviation ``noise`` is added. Returns ``(X, Y)``: float32 images ``(n, 1, size, size)`` and
    int64 masks ``(n, size, size)``.
    """
    n = _int("n", n, minimum=1)
    size = _int("size", size, minimum=8)
    if isinstance(noise, (bool, np.bool_)) or not isinstance(noise, numbers.Real) \
            or not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    rng = np.random.default_rng(_seed(seed))
    ii, jj = np.mgrid[:size, :size]
    Y = np.zeros((n, size, size), dtype=np.int64)
    for t in range(n):
        r = rng.uniform(2.0, 3.0)
        ci, cj = rng.uniform(r, size - 1 - r, size=2)
        Y[t][(ii - ci) ** 2 + (jj - cj) ** 2 <= r * r] = 1
        side = int(rng.integers(3, 6))
        a, b = rng.integers(0, size - side + 1, size=2)
        Y[t, a:a + side, b:b + side] = 2
    X = (Y > 0).astype(np.float64) + noise * rng.standard_normal(Y.shape)
    return torch.tensor(X[:, None], dtype=torch.float32), torch.tensor(Y)


# ----------------------------------------------------------------------------- digits

def digits_cnn(seed=0) -> nn.Sequential:
    """The chapter's digits CNN for 1x8x8 inputs: conv 1->8->16 (3x3, padding 1, ReLU, max-pool 2),
    then a linear layer 64 -> 10; 1,898 parameters, initialized from ``seed``."""
    seed = _seed(seed)
    with torch.random.fork_rng():  # PyTorch's default initialization, from our seed only
        torch.manual_seed(int(seed))
        model = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                              nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                              nn.Flatten(), nn.Linear(64, 10))
    return model


def _tensor(name: str, v) -> torch.Tensor:
    if not isinstance(v, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(v).__name__}")
    if v.numel() == 0:
        raise ValueError(f"{name} must not be empty")
    if v.is_floating_point() and not torch.isfinite(v).all():
        raise ValueError(f"{name} must be finite")
    if v.is_complex():
        raise TypeError(f"{name} must be real")
    return v


def train_classifier(model, X, y, *, epochs, lr, batch_size, seed):
    """Train ``model`` with Adam on the mean cross-entropy; returns the list of epoch-mean losses.

    Works for classification (``y`` of shape ``(n,)``) and per-pixel segmentation (``y`` of shape
    ``(n, H, W)`` with logits ``(n, C, H, W)``). Mini-batches are a fresh permutation every epoch,
    drawn from a generator seeded with ``seed``; the model is left in eval mode.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    X, y = _tensor("X", X), _tensor("y", y)
    if X.shape[0] != y.shape[0]:
        raise ValueError(f"X and y must have the same number of rows, got {X.shape[0]} and "
                         f"{y.shape[0]}")
    if y.is_floating_point() or y.is_complex() or y.dtype == torch.bool:
        raise TypeError("y must hold integer class labels")
    if y.min() < 0:
        raise ValueError(f"y must hold class labels >= 0, got {int(y.min())}")
    epochs = _int("epochs", epochs, minimum=1)
    lr = _float("lr", lr)
    batch_size = _int("batch_size", batch_size, minimum=1)
    g = torch.Generator().manual_seed(_seed(seed))
    was_training = model.training
    model.eval()  # the probe must neither need a batch > 1 nor touch BatchNorm running stats
    try:
        with torch.no_grad():
            out = _forward(model, X[:1])
    finally:
        model.train(was_training)
    if out.ndim < 2 or int(y.max()) >= out.shape[1]:
        raise ValueError(f"y must hold labels below the model's {out.shape[1]} outputs, got "
                         f"{int(y.max())}")
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    model.train()
    for _ in range(epochs):
        perm = torch.randperm(X.shape[0], generator=g)
        total = 0.0
        for start in range(0, X.shape[0], batch_size):
            idx = perm[start:start + batch_size]
            loss = nn.functional.cross_entropy(model(X[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * idx.numel()
        losses.append(total / X.shape[0])
    model.eval()
    return losses


def accuracy(model, X, y) -> float:
    """Fraction of correct arg-max predictions (per example, or per pixel for segmentation)."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    X, y = _tensor("X", X), _tensor("y", y)
    with torch.no_grad():
        pred = _forward(model, X).argmax(dim=1)
    if pred.shape != y.shape:
        raise ValueError(f"y must have shape {tuple(pred.shape)}, got {tuple(y.shape)}")
    return float((pred == y).float().mean())
