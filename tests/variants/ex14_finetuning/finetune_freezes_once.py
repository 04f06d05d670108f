"""finetune freezes before the loop only: the model.train() of each epoch puts BatchNorm back in training
mode, so the frozen backbone's running statistics follow the new data."""

VERDICTS = {
    "finetune_matches_reference": ("failed", "'frozen: backbone unchanged (weights and BatchNorm statistics)'"),
    "finetune_random": ("failed", "'freeze=True: state_dict.features.block1.bn.running_mean'"),
}
DIAGNOSIS = {"*": ("bn.running", "BatchNorm running statistics", "train()")}

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch.utils.data import DataLoader, TensorDataset  # noqa: E402


def finetune(model, features, labels, *, num_classes, freeze, epochs, lr_backbone, lr_head, batch_size, seed):
    torch.manual_seed(seed)
    replace_head(model, num_classes)
    if freeze:
        freeze_backbone(model)
    optimizer = torch.optim.Adam(param_groups(model, lr_backbone, lr_head))
    loader = DataLoader(
        TensorDataset(features, labels), batch_size=batch_size, shuffle=True, generator=torch.Generator().manual_seed(seed)
    )
    for _ in range(epochs):
        model.train()
        for inputs, targets in loader:
            optimizer.zero_grad()
            F.cross_entropy(model(inputs), targets).backward()
            optimizer.step()
    return model.eval()
