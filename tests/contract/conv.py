"""Valid calls of dlf.conv (format: tests/contract/__init__.py)."""

import numpy as np

_rng = np.random.default_rng(0)
_X = _rng.standard_normal((1, 2, 6, 6))
_W = _rng.standard_normal((2, 2, 3, 3))
_B = np.array([0.5, -0.5])


def _conv_kwargs():
    return dict(x=_X.copy(), w=_W.copy(), bias=_B.copy(), stride=1, padding=1, dilation=1,
                groups=1, padding_mode="zeros")


VALID_CALLS = {
    "conv1d": dict(x=np.array([2.0, -1.0, 1.0]), w=np.array([1.0, 1.0, 2.0]), mode="full",
                   flip=True),
    "conv2d": _conv_kwargs(),
    "conv2d_im2col": _conv_kwargs(),
    "fft_conv2d": dict(**_conv_kwargs(), circular=False),
    "im2col": dict(x=_X.copy(), kernel_size=3, stride=1, padding=1, dilation=1,
                   padding_mode="zeros"),
    "conv_matrix": dict(w=_W.copy(), input_shape=(2, 4, 4), stride=1, padding=0, dilation=1,
                        groups=1, padding_mode="zeros"),
    "conv_transpose2d": dict(y=_X.copy(), w=_W.copy(), bias=_B.copy(), stride=2, padding=1,
                             output_padding=1, dilation=1, groups=1),
    "conv_output_size": dict(n=32, kernel_size=3, stride=2, padding=0, dilation=1,
                             ceil_mode=False),
    "conv_transpose_output_size": dict(n=4, kernel_size=3, stride=2, padding=1, dilation=1,
                                       output_padding=1),
    "max_pool2d": dict(x=_X.copy(), kernel_size=2, stride=2, padding=0, ceil_mode=False),
    "avg_pool2d": dict(x=_X.copy(), kernel_size=3, stride=2, padding=1, ceil_mode=True),
    "upsample_nearest": dict(x=_X.copy(), scale_factor=2),
    "upsample_bilinear": dict(x=_X.copy(), scale_factor=2),
    "separable_terms": dict(w=np.outer([1.0, 2.0, 1.0], [1.0, 0.0, -1.0]), rank=1),
    "receptive_field": dict(layers=[(3, 1, 1), (2, 2, 1)]),
}
