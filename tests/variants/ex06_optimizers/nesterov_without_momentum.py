"""Nesterov accepted with momentum=0 (only dampening is checked): torch.optim.SGD raises ValueError."""

VERDICTS = {"sgd_nesterov_matches_torch": ("failed", "'nesterov with momentum=0': expected ValueError to be raised")}
DIAGNOSIS = {"*": ("nesterov with momentum=0",)}

_reference_sgd_step = sgd_step  # noqa: F821 - the reference's function


def sgd_step(params, grads, state, *, lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
    if nesterov and dampening != 0:
        raise ValueError("Nesterov momentum requires zero dampening")
    return _reference_sgd_step(
        params, grads, state, lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
        nesterov=nesterov and momentum != 0,
    )
