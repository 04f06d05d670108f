"""Trains on every sample and validates on a part of them: the validation set leaks into training,
so early stopping watches a loss the model is fitting."""

VERDICTS = {
    "digits_classifier_reaches_95_percent": ("failed", "'training and validation sets together: every sample once': wrong value"),
}
DIAGNOSIS = {"*": ("every sample once", "validation")}

import torch  # noqa: E402
from torch import nn  # noqa: E402
from torch.utils.data import DataLoader, TensorDataset  # noqa: E402


def train_digits_classifier(features, labels, device=torch.device("cpu"), *, seed=0):
    torch.manual_seed(seed)
    order = torch.randperm(features.shape[0])
    val = order[: features.shape[0] // 10]
    train_loader = DataLoader(TensorDataset(features, labels), batch_size=64, shuffle=True)
    val_loader = DataLoader(TensorDataset(features[val], labels[val]), batch_size=256)
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10)).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    fit(model, train_loader, val_loader, optimizer, nn.CrossEntropyLoss(), device, max_epochs=40, patience=5)
    return model.eval()
