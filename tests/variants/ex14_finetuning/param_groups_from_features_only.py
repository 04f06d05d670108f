"""The backbone group built from model.features alone: a parameter outside features and classifier is
in no group and never trains; and frozen parameters and empty groups are kept."""

VERDICTS = {
    "param_groups_two_learning_rates": ("failed", "'with a top-level parameter: every trainable parameter in exactly one group'"),
    "param_groups_random": ("failed", "'every trainable parameter in exactly one group'"),
}
DIAGNOSIS = {"*": ("exactly one group",)}


def param_groups(model, lr_backbone, lr_head):
    return [
        {"params": list(model.features.parameters()), "lr": lr_backbone},
        {"params": list(model.classifier.parameters()), "lr": lr_head},
    ]
