"""Builds the model without `.to(device)`: the batches go to the device, the weights stay on the CPU
(on a GPU the first forward raises)."""

VERDICTS = {
    "digits_classifier_on_the_device": ("failed", "'returns an nn.Module': raised RuntimeError"),
}
DIAGNOSIS = {"*": "model's parameters"}

import torch  # noqa: E402
from torch import nn  # noqa: E402
from torch.utils.data import DataLoader, TensorDataset  # noqa: E402


def train_digits_classifier(features, labels, device=torch.device("cpu"), *, seed=0):
    torch.manual_seed(seed)
    order = torch.randperm(features.shape[0])
    n_val = features.shape[0] // 10
    val, train = order[:n_val], order[n_val:]
    train_loader = DataLoader(TensorDataset(features[train], labels[train]), batch_size=64, shuffle=True)
    val_loader = DataLoader(TensorDataset(features[val], labels[val]), batch_size=256)
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    fit(model, train_loader, val_loader, optimizer, nn.CrossEntropyLoss(), device, max_epochs=40, patience=5)
    return model.eval()
