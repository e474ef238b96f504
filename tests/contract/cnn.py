"""Valid calls of dlf.cnn (format: tests/contract/__init__.py)."""

import torch

from dlf import cnn


def _data():
    torch.manual_seed(0)
    return torch.randn(8, 1, 8, 8), torch.arange(8) % 10


VALID_CALLS = {
    "conv_params": dict(c_in=10, c_out=25, kernel_size=5, groups=1, bias=True),
    "count_parameters": dict(model=torch.nn.Linear(3, 2)),
    "lenet5": dict(num_classes=10, device="meta"),
    "alexnet": dict(variant="torchvision", num_classes=10, device="meta"),
    "vgg": dict(cfg="vgg11", num_classes=10, in_channels=3, device="meta"),
    "BasicBlock": dict(c_in=4, planes=4, stride=1),
    "BasicBlock.forward": dict(x=torch.rand(1, 4, 5, 5)),
    "Bottleneck": dict(c_in=4, planes=2, stride=2),
    "Bottleneck.forward": dict(x=torch.rand(1, 4, 6, 6)),
    "resnet": dict(block="basic", layers=[1, 1], num_classes=3, width=4, in_channels=1,
                   stem="small", device="meta"),
    "SEBlock": dict(channels=8, reduction=4),
    "SEBlock.scales": dict(x=torch.rand(2, 8, 3, 3)),
    "SEBlock.forward": dict(x=torch.rand(2, 8, 3, 3)),
    "UNet": dict(in_channels=1, num_classes=3, width=2, skip=True),
    "UNet.forward": dict(x=torch.rand(1, 1, 8, 8)),
    "make_scenes": dict(n=3, size=16, noise=0.3, seed=0),
    "digits_cnn": dict(seed=0),
    "train_classifier": dict(model=torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(64, 10)),
                             X=_data()[0], y=_data()[1], epochs=1, lr=1e-2, batch_size=8, seed=0),
    "accuracy": dict(model=cnn.digits_cnn(seed=0), X=_data()[0], y=_data()[1]),
}
