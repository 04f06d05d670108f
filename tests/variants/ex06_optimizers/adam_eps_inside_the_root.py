"""Adam with eps inside the square root, √(v̂ + eps), instead of √v̂ + eps as torch.optim.Adam does."""

VERDICTS = {
    "adam_eps_outside_the_root_weight_decay_one": ("failed", "'step 1.params[1]'"),
    "adam_first_steps": ("failed", "'step 1.params[1]'"),
    "adam_results_are_copies": ("failed", "'returned by the step.params[1]'"),
    "adam_trajectory_matches_torch": ("failed", "'trajectory'"),
    "adam_random_matches_torch": ("failed", "'large eps.trajectory'"),
}
DIAGNOSIS = {"*": ("eps added outside the root",)}

import torch  # noqa: E402


def adam_step(params, grads, state, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    beta1, beta2 = betas
    step = state.get("step", 0) + 1
    exp_avgs = state.get("exp_avg") or [torch.zeros_like(p) for p in params]
    exp_avg_sqs = state.get("exp_avg_sq") or [torch.zeros_like(p) for p in params]
    new_params, new_m, new_v = [], [], []
    for p, g, m, v in zip(params, grads, exp_avgs, exp_avg_sqs):
        if weight_decay != 0:
            g = g + weight_decay * p
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        m_hat = m / (1 - beta1**step)
        v_hat = v / (1 - beta2**step)
        new_params.append(p - lr * m_hat / (v_hat + eps).sqrt())
        new_m.append(m)
        new_v.append(v)
    return new_params, {"step": step, "exp_avg": new_m, "exp_avg_sq": new_v}
