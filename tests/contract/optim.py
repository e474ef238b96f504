"""Valid calls of dlf.optim (format: tests/contract/__init__.py)."""

import numpy as np
import torch

from dlf import optim, problems

_Q = problems.Quadratic(np.array([[2.0, 0.5], [0.5, 1.0]]), np.array([1.0, 0.0]))
_A = np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0], [-1.0, 0.5]])
_B = np.array([1.0, -1.0, 0.5, 0.0])


def _grad_i(x, i):
    return _A[i] * (_A[i] @ x - _B[i])


def _grad_batch(x, idx):
    return np.zeros_like(x) + len(idx)


def _params():
    return [
        torch.tensor([[0.5, -1.0], [2.0, 0.25]], dtype=torch.float64, requires_grad=True),
        torch.tensor([0.1, -0.3], dtype=torch.float64, requires_grad=True),
    ]


def _with_grads(cls):
    params = _params()
    sum((p**2).sum() for p in params).backward()
    return cls(params, lr=0.01)


# a complex parameter is updated as a pair of real ones, as in PyTorch (dlf.optim's docstring)
_COMPLEX = {"params": {"complex"}}

VALID_CALLS = {
    "gradient_descent": dict(
        grad=_Q.grad, x0=np.array([1.0, -2.0]), step=0.25, n_steps=10, callback=None
    ),
    "quadratic_contraction": dict(step=0.5, eigenvalues=np.array([0.1, 0.7, 2.0])),
    "optimal_quadratic_step": dict(mu=0.1, L=2.0),
    "heavy_ball": dict(
        grad=_Q.grad, x0=np.array([1.0, -2.0]), step=0.25, n_steps=10, momentum=0.6, callback=None
    ),
    "nesterov": dict(
        grad=_Q.grad, x0=np.array([1.0, -2.0]), step=0.25, n_steps=10, momentum=0.6, callback=None
    ),
    "velocity_momentum": dict(
        grad=_Q.grad,
        x0=np.array([1.0, -2.0]),
        lr=0.25,
        n_steps=10,
        momentum=0.6,
        nesterov=False,
        callback=None,
    ),
    "ema_momentum": dict(
        grad=_Q.grad, x0=np.array([1.0, -2.0]), step=0.25, n_steps=10, momentum=0.6, callback=None
    ),
    "convex_momentum": dict(k=0),
    "heavy_ball_parameters": dict(mu=1.0, L=100.0),
    "nesterov_parameters": dict(mu=1.0, L=100.0),
    "momentum_contraction": dict(step=0.01, momentum=0.0, eigenvalues=[0.01], nesterov=False),
    "nesterov_ode": dict(
        grad=_Q.grad,
        x0=np.array([1.0, -2.0]),
        times=np.linspace(0.0, 1.0, 5),
        rtol=1e-8,
        atol=1e-10,
    ),
    "minibatch_oracle": dict(grad_batch=_grad_batch, n=10, b=3, replace=False),
    "sgd": dict(
        grad=optim.minibatch_oracle(_grad_batch, n=4, b=2),
        x0=np.zeros((3, 2)),
        step=0.05,
        n_steps=10,
        rng=3,
        every=1,
        callback=None,
    ),
    "polyak_average": dict(
        xs=np.array(
            [
                [
                    [-0.6517911526116896, -0.17471729232577715, 1.6637239913911968],
                    [0.659147749832255, -1.6413972945846467, -0.005203264171931977],
                ],
                [
                    [-0.6234637409883934, 0.14863152325202633, -1.608187784186389],
                    [0.2417718768768513, 0.23538091873745476, 1.5756260314314627],
                ],
                [
                    [0.3166450164719021, 0.5105466616976417, -1.4931166849642326],
                    [2.2527291247240275, -1.9156455579583005, 1.1018018558224842],
                ],
                [
                    [-0.3299040738738497, -0.8806465179277969, -0.6562850109290311],
                    [-0.6720146806586559, 0.3801890922489917, -0.11005869527805158],
                ],
                [
                    [1.482571163033857, -1.8296040234453508, -0.0030809646658509597],
                    [-0.892055788321591, 0.7758718474580595, -2.118060042185068],
                ],
                [
                    [-0.3436943500994811, 0.21017292733610196, -1.4842685839963512],
                    [0.9852155828581877, 0.1787134291183962, 1.006856770707084],
                ],
                [
                    [0.9591848586745111, -0.9798545663746768, -0.7977957578895382],
                    [-0.20333248577190258, 0.7479597259631346, 0.8509672909755427],
                ],
                [
                    [-0.7096848707086849, -0.6071971852553313, -0.7978229151665286],
                    [-0.584238229157347, -0.2379233775647261, -0.13181504769026442],
                ],
                [
                    [2.058114468497711, -0.5064036597864299, -0.28872436702922194],
                    [0.4585777290940279, -0.9530740655699254, -0.36862714912240996],
                ],
                [
                    [0.013318481161013024, 0.7741459470172646, -1.3160148587467566],
                    [1.3714694572870232, -0.35245736590160387, 0.1694164211036251],
                ],
                [
                    [0.8470883039345106, 0.6607929217270263, 1.059231886175497],
                    [0.17319781643187807, -0.019613353374506273, 0.3164785392796004],
                ],
                [
                    [-0.9957153901865851, 1.2141873689841987, -0.7753862486410281],
                    [-1.2602438798825923, 2.0564087809385283, -0.13644493951285103],
                ],
                [
                    [-1.179124872329948, 1.8522697201129288, -0.3297126244250999],
                    [1.0620757877855616, -0.8294887233474758, -0.24878002125463117],
                ],
                [
                    [-1.6885293534763577, -1.908939358835272, -0.9764345880627332],
                    [-0.07803901853109632, 0.7979857101860429, 2.426220501220823],
                ],
                [
                    [-1.0318629950946103, 1.0090402997688306, -0.6043409584858992],
                    [-0.15252930610285104, -1.4811916182972398, -1.4789857368704227],
                ],
                [
                    [-0.7784606028005082, -1.1931106223006203, -0.0035543906764923003],
                    [-0.7025144637985207, 1.2506970737478889, 0.153019711281495],
                ],
                [
                    [0.1652381892572177, 1.137435198692834, 0.5181122690366925],
                    [-0.03733298208606922, -0.09072336166740325, -0.12094863720166933],
                ],
                [
                    [1.076721956055248, 0.7830856166867024, 0.36591795790617554],
                    [0.7988293270822742, -0.5445332988553511, 0.5110228046676667],
                ],
                [
                    [-1.4123336629703387, 1.3472705522559003, 0.09004825886490181],
                    [0.18339300077143716, 0.599383845795459, -0.009709574361003654],
                ],
                [
                    [-0.25410788491596265, 1.1897846220814097, 0.11575067070989448],
                    [-0.9158716729607007, 0.4395589157792016, -1.7051204421874975],
                ],
                [
                    [1.6555424372356622, -0.1711311122004771, 0.04588385344649914],
                    [2.2577704585568408, 2.1517410791156424, 0.11580667996735006],
                ],
                [
                    [0.6248663505788951, 1.09017986530538, 1.6820210064715346],
                    [-0.13109289942963767, 0.13526021392558873, 1.2246342222815874],
                ],
                [
                    [0.26955030257702084, 0.7544998572882148, 0.6098595259521409],
                    [-1.1349119482914842, -0.8589410118190506, -2.641338844163023],
                ],
                [
                    [-0.2601207042167583, 1.338837428330753, -1.1092067436790745],
                    [1.2338035734185084, 0.9995461729736715, -0.05484218663972172],
                ],
                [
                    [-0.007611643764543189, 0.08283314085951675, -0.8610869137790327],
                    [-0.28233040463147097, -0.04656430657923056, 0.611937945639494],
                ],
                [
                    [0.7918128456176918, -0.7427380514871819, 0.825713141083434],
                    [-0.7778705404988745, -0.16891653297744932, 0.36950535567059684],
                ],
                [
                    [-0.02265339704007352, -0.12696083044176004, 0.2694412578838159],
                    [-0.5527990484546487, -0.6526661441559254, -0.20411410779129852],
                ],
                [
                    [0.9612712123960654, -0.1016680803594762, 1.904521332881238],
                    [0.2142532717506217, -2.974398618140543, -0.43955369675751277],
                ],
                [
                    [1.6650341073744352, 0.006345834984433874, -0.43783367636909615],
                    [-0.8736597389981599, 1.3237978282395066, 1.0028245269859126],
                ],
                [
                    [0.6720348492501695, 0.4281019403409819, 1.4409062530134493],
                    [0.8212017023979049, -1.2298004032252794, 0.7684435399175684],
                ],
            ]
        ),
        start=5,
    ),
    "sgd_floor_least_squares": dict(
        X=np.array([[0.5], [1.0], [1.5], [2.0]]),
        y=np.array([0.7, 0.9, 1.7, 2.2]),
        step=0.1,
        b=3,
        moment=True,
    ),
    "sag": dict(grad_i=_grad_i, x0=np.zeros(2), step=0.1, n_steps=20, n=4, rng=0),
    "saga": dict(grad_i=_grad_i, x0=np.zeros(2), step=0.1, n_steps=20, n=4, rng=0),
    "svrg": dict(
        grad_i=_grad_i,
        x0=np.zeros(2),
        step=0.1,
        n_epochs=2,
        n=4,
        rng=0,
        m=None,
        snapshot="last",
        full_grad=None,
    ),
    "adagrad": dict(grad=_Q.grad, x0=np.array([1.0, -2.0]), lr=0.1, n_steps=10),
    "rmsprop": dict(grad=_Q.grad, x0=np.array([1.0, -2.0]), lr=0.1, n_steps=10),
    "adam": dict(grad=_Q.grad, x0=np.array([1.0, -2.0]), lr=0.1, n_steps=10),
    "adamw": dict(grad=_Q.grad, x0=np.array([1.0, -2.0]), lr=0.1, n_steps=10, weight_decay=0.01),
    "amsgrad": dict(grad=_Q.grad, x0=np.array([1.0, -2.0]), lr=0.1, n_steps=10),
    "sign_descent": dict(
        grad=_Q.grad, x0=[1.0, -1.0], step=0.02, n_steps=10, rng=None, callback=None
    ),
    "SGD": dict(
        _allow=_COMPLEX,
        params=_params(),
        lr=0.1,
        momentum=0.9,
        dampening=0.0,
        weight_decay=0.01,
        nesterov=True,
        maximize=False,
    ),
    "SGD.add_param_group": dict(
        param_group={
            "params": [torch.zeros(2, dtype=torch.float64, requires_grad=True)],
            "lr": 0.05,
        }
    ),
    "SGD.step": dict(_self=lambda: _with_grads(optim.SGD), closure=None),
    "AdaGrad": dict(
        _allow=_COMPLEX,
        params=_params(),
        lr=0.1,
        lr_decay=0.0,
        weight_decay=0.01,
        initial_accumulator_value=0.0,
        eps=1e-10,
    ),
    "AdaGrad.add_param_group": dict(
        param_group={
            "params": [torch.zeros(2, dtype=torch.float64, requires_grad=True)],
            "lr": 0.05,
        }
    ),
    "AdaGrad.step": dict(_self=lambda: _with_grads(optim.AdaGrad), closure=None),
    "RMSProp": dict(
        _allow=_COMPLEX,
        params=_params(),
        lr=0.01,
        alpha=0.99,
        eps=1e-8,
        weight_decay=0.01,
        momentum=0.9,
        centered=True,
    ),
    "RMSProp.add_param_group": dict(
        param_group={
            "params": [torch.zeros(2, dtype=torch.float64, requires_grad=True)],
            "lr": 0.05,
        }
    ),
    "RMSProp.step": dict(_self=lambda: _with_grads(optim.RMSProp), closure=None),
    "Adam": dict(
        _allow=_COMPLEX, params=_params(), lr=0.01, betas=(0.9, 0.999), eps=1e-8,
        weight_decay=0.01, amsgrad=False,
    ),
    "Adam.add_param_group": dict(
        param_group={
            "params": [torch.zeros(2, dtype=torch.float64, requires_grad=True)],
            "lr": 0.05,
        }
    ),
    "Adam.step": dict(_self=lambda: _with_grads(optim.Adam), closure=None),
    "AdamW": dict(_allow=_COMPLEX, params=_params(), lr=0.01, betas=(0.9, 0.999), eps=1e-8,
                weight_decay=0.01),
    "AdamW.add_param_group": dict(
        param_group={
            "params": [torch.zeros(2, dtype=torch.float64, requires_grad=True)],
            "lr": 0.05,
        }
    ),
    "AdamW.step": dict(_self=lambda: _with_grads(optim.AdamW), closure=None),
    "AMSGrad": dict(_allow=_COMPLEX, params=_params(), lr=0.01, betas=(0.9, 0.999), eps=1e-8,
                weight_decay=0.01),
    "AMSGrad.add_param_group": dict(
        param_group={
            "params": [torch.zeros(2, dtype=torch.float64, requires_grad=True)],
            "lr": 0.05,
        }
    ),
    "AMSGrad.step": dict(_self=lambda: _with_grads(optim.AMSGrad), closure=None),
}
