"""The momentum buffer starts at zero and the first gradient is added with dampening.

torch.optim.SGD starts the buffer at the first gradient itself; with dampening > 0
the zero start makes the buffer (and every early step) too small.
"""

VERDICTS = {
    "sgd_momentum_buffer": ("failed", "'step 1.state.momentum_buffer[0]'"),
    "sgd_trajectory_matches_torch": ("failed", "'agrees with torch.optim.SGD'"),
    "sgd_random_matches_torch": ("failed", "'dampened.trajectory'"),
}
DIAGNOSIS = {"*": ("first gradient", "starts at zero", "dampening")}

import torch  # noqa: E402


def sgd_step(params, grads, state, *, lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
    if nesterov and (momentum <= 0 or dampening != 0):
        raise ValueError("Nesterov momentum requires a momentum and zero dampening")
    buffers = state.get("momentum_buffer") or [torch.zeros_like(p) for p in params]
    new_params, new_buffers = [], []
    for p, g, b in zip(params, grads, buffers):
        d = g + weight_decay * p
        if momentum != 0:
            b = momentum * b + (1 - dampening) * d
            new_buffers.append(b)
            d = d + momentum * b if nesterov else b
        new_params.append(p - lr * d)
    return new_params, ({"momentum_buffer": new_buffers} if momentum != 0 else {})
