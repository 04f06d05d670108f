"""Weight decay added after the momentum buffer instead of before: it is not averaged with the gradient."""

VERDICTS = {
    "sgd_momentum_buffer": ("failed", "'step 1.state.momentum_buffer[0]'"),
    "sgd_trajectory_matches_torch": ("failed", "'trajectory'"),
    "sgd_nesterov_matches_torch": ("failed", "'agrees with torch.optim.SGD'"),
    "sgd_random_matches_torch": ("failed", "'nesterov.trajectory'"),
    "sgd_momentum_one_weight_decay_one": ("failed", "'step 1.state.momentum_buffer[0]'"),
}
DIAGNOSIS = {"*": ("weight decay", "weight_decay")}


def sgd_step(params, grads, state, *, lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
    if nesterov and (momentum <= 0 or dampening != 0):
        raise ValueError("Nesterov momentum requires a momentum and zero dampening")
    buffers = state.get("momentum_buffer")
    new_params, new_buffers = [], []
    for i, (p, g) in enumerate(zip(params, grads)):
        d = g
        if momentum != 0:
            b = d.clone() if buffers is None else momentum * buffers[i] + (1 - dampening) * d
            new_buffers.append(b)
            d = d + momentum * b if nesterov else b
        d = d + weight_decay * p
        new_params.append(p - lr * d)
    return new_params, ({"momentum_buffer": new_buffers} if momentum != 0 else {})
