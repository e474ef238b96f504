"""Valid calls of dlf.schedules (format: tests/contract/__init__.py)."""

VALID_CALLS = {
    "constant": dict(k=7, lr=0.3),
    "step_decay": dict(k=7, lr=0.1, step_size=15, gamma=0.3),
    "exponential": dict(k=7, lr=0.2, gamma=0.95),
    "cosine": dict(k=7, lr=0.1, n_steps=79, lr_min=0.002),
    "linear_warmup": dict(k=7, lr=0.05, n_warmup=12, start_factor=0.25),
    "warmup_cosine": dict(k=7, lr=0.1, n_warmup=10, n_steps=79, lr_min=0.001, start_factor=0.1),
    "inverse_time": dict(k=7, beta=2.0, k0=40.0),
}
