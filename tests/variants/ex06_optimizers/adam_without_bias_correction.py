"""Adam without bias correction: m and v stay biased towards zero, the first steps are ~3x too large."""

VERDICTS = {
    "adam_first_steps": ("failed", "'step 1.params[0]'"),
    "adam_trajectory_matches_torch": ("failed", "'agrees with torch.optim.Adam'"),
    "adam_random_matches_torch": ("failed", "'eps=1e-8.trajectory'"),
    "adam_eps_outside_the_root_weight_decay_one": ("failed", "'step 1.params[0]'"),
    "adam_results_are_copies": ("failed", "'returned by the step.params[0]'"),
}
DIAGNOSIS = {"*": ("bias correction", "bias-correct")}

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
        new_params.append(p - lr * m / (v.sqrt() + eps))
        new_m.append(m)
        new_v.append(v)
    return new_params, {"step": step, "exp_avg": new_m, "exp_avg_sq": new_v}
