"""Freezing by model.features.eval(): BatchNorm statistics stay put, but every backbone parameter still
gets a gradient and the optimizer moves it."""

VERDICTS = {
    "freeze_backbone_stops_gradients_and_batchnorm": ("failed", "'bn_eval=True: parameters with a .grad after backward'"),
    "finetune_matches_reference": ("failed", "'frozen: backbone unchanged (weights and BatchNorm statistics)'"),
    "finetune_random": ("failed", "'freeze=True: state_dict.features.block1.conv.weight'"),
}
DIAGNOSIS = {"*": ("requires_grad", "a .grad")}


def freeze_backbone(model, bn_eval=True):
    model.features.eval()
    return model
