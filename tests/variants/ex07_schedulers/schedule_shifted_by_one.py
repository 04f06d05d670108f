"""Off-by-one epoch: epoch 0 already counts as one step, so every decay comes one epoch early."""

VERDICTS = {
    "step_lr_matches_torch": ("failed", "differs from torch StepLR': expected None, got int 2"),
    "multistep_lr_matches_torch": ("failed", "'first epoch where lr differs from torch MultiStepLR'"),
    "exponential_and_lambda_match_torch": ("failed", "torch ExponentialLR': expected None, got int 0"),
    "decays_random": ("failed", "'step.first epoch where lr differs from torch StepLR'"),
}
DIAGNOSIS = {"*": ("off by one", "shifted by one", "one epoch early", "one step early")}

from bisect import bisect_right  # noqa: E402


def step_lr(base_lr, epoch, step_size, gamma=0.1):
    return base_lr * gamma ** ((epoch + 1) // step_size)


def multistep_lr(base_lr, epoch, milestones, gamma=0.1):
    return base_lr * gamma ** bisect_right(sorted(milestones), epoch + 1)


def exponential_lr(base_lr, epoch, gamma):
    return base_lr * gamma ** (epoch + 1)


def lambda_lr(base_lr, epoch, lr_lambda):
    return base_lr * lr_lambda(epoch + 1)
