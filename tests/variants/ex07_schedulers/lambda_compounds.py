"""LambdaLR read as MultiplicativeLR: the factors compound instead of multiplying the base lr."""

VERDICTS = {
    "exponential_and_lambda_match_torch": ("failed", "'lambda.first epoch where lr differs from torch LambdaLR'"),
    "decays_random": ("failed", "'lambda.first epoch where lr differs from torch LambdaLR'"),
}
DIAGNOSIS = {"*": ("compound", "MultiplicativeLR", "base lr")}


def lambda_lr(base_lr, epoch, lr_lambda):
    lr = base_lr
    for e in range(1, epoch + 1):
        lr *= lr_lambda(e)
    return lr
