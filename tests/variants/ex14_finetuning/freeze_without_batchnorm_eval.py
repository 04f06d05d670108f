"""Freezing by requires_grad only: no gradients reach the backbone, but in training mode its BatchNorm
layers still follow the new batches, so the "frozen" backbone drifts."""

VERDICTS = {
    "freeze_backbone_stops_gradients_and_batchnorm": ("failed", "'bn_eval=True: BatchNorm running statistics unchanged by a forward'"),
    "finetune_matches_reference": ("failed", "'frozen: backbone unchanged (weights and BatchNorm statistics)'"),
    "finetune_random": ("failed", "'freeze=True: state_dict.features.block1.bn.running_mean'"),
}
DIAGNOSIS = {"*": ("bn.running", "BatchNorm running statistics")}


def freeze_backbone(model, bn_eval=True):
    for parameter in model.features.parameters():
        parameter.requires_grad_(False)
    return model
