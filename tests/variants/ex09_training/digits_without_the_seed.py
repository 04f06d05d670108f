"""train_digits_classifier never calls torch.manual_seed(seed): every run draws other initial
weights, another split and other batches, so a run cannot be repeated."""

VERDICTS = {
    "digits_classifier_is_seeded": ("failed", "'seed=5 twice: largest difference between the logits': wrong value"),
}
DIAGNOSIS = {"*": "seed"}

import torch  # noqa: E402
from torch import nn  # noqa: E402
from torch.utils.data import DataLoader, TensorDataset  # noqa: E402


def train_digits_classifier(features, labels, device=torch.device("cpu"), *, seed=0):
    order = torch.randperm(features.shape[0])
    n_val = features.shape[0] // 10
    val, train = order[:n_val], order[n_val:]
    train_loader = DataLoader(TensorDataset(features[train], labels[train]), batch_size=64, shuffle=True)
    val_loader = DataLoader(TensorDataset(features[val], labels[val]), batch_size=256)
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10)).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    fit(model, train_loader, val_loader, optimizer, nn.CrossEntropyLoss(), device, max_epochs=40, patience=5)
    return model.eval()
