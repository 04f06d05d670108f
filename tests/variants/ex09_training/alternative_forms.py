"""Correct, written differently: csv instead of numpy; zero_grad after the step and a float64
tensor total; evaluate under inference_mode on the concatenated outputs, restoring the mode;
fit counting epochs since the best one; accumulation weighted by n_i / N over slices; a
smaller network trained with SGD with momentum for the digits, batches drawn by a batch sampler."""

VERDICTS = {}

import csv  # noqa: E402
import gzip  # noqa: E402

import torch  # noqa: E402
from torch import nn  # noqa: E402
from torch.utils.data import BatchSampler, DataLoader, RandomSampler, TensorDataset  # noqa: E402


def load_digits(path=DIGITS_PATH):
    with gzip.open(path, "rt", newline="") as file:
        table = torch.tensor([[int(v) for v in row] for row in csv.reader(file) if row])
    return table[:, :64].float().div(16), table[:, 64].long()


def train_one_epoch(model, loader, optimizer, criterion, device):
    model.train(True)
    total = torch.zeros((), dtype=torch.float64)
    count = 0
    for inputs, targets in loader:
        loss = criterion(model(inputs.to(device)), targets.to(device))
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        total += loss.detach().cpu().double() * len(targets)
        count += len(targets)
    return float(total / count)


@torch.inference_mode()
def evaluate(model, loader, criterion, device):
    was_training = model.training
    model.train(False)
    outputs, labels = [], []
    for inputs, targets in loader:
        outputs.append(model(inputs.to(device)))
        labels.append(targets.to(device))
    outputs, labels = torch.cat(outputs), torch.cat(labels)
    loss = criterion(outputs, labels).item()
    accuracy = (outputs.argmax(dim=-1) == labels).float().mean().item()
    model.train(was_training)
    return loss, accuracy


def fit(model, train_loader, val_loader, optimizer, criterion, device, *, max_epochs, patience):
    history = {"train_loss": [], "val_loss": [], "val_accuracy": []}
    best_epoch, best_state = None, None
    for epoch in range(max_epochs):
        history["train_loss"].append(train_one_epoch(model, train_loader, optimizer, criterion, device))
        loss, accuracy = evaluate(model, val_loader, criterion, device)
        history["val_loss"].append(loss)
        history["val_accuracy"].append(accuracy)
        if best_epoch is None or loss < history["val_loss"][best_epoch]:
            best_epoch = epoch
            best_state = {key: value.detach().clone() for key, value in model.state_dict().items()}
        elif epoch - best_epoch >= patience:
            break
    model.load_state_dict(best_state)
    history["best_epoch"] = best_epoch
    return history


def accumulated_step(model, optimizer, criterion, inputs, targets, k):
    n = len(inputs)
    if not (k >= 1 and n % k == 0):
        raise ValueError(f"cannot split {n} samples into {k} equal micro-batches")
    for p in model.parameters():
        p.grad = None
    size, total = n // k, 0.0
    for start in range(0, n, size):
        part, part_targets = inputs[start : start + size], targets[start : start + size]
        loss = criterion(model(part), part_targets) * (len(part) / n)
        loss.backward()
        total += loss.item()
    optimizer.step()
    return total


def train_digits_classifier(features, labels, device=torch.device("cpu"), *, seed=0):
    generator = torch.Generator().manual_seed(seed + 1)
    torch.manual_seed(seed + 1)
    order = torch.randperm(len(labels), generator=generator)
    cut = int(0.85 * len(labels))
    train, val = order[:cut], order[cut:]
    training = TensorDataset(features[train], labels[train])
    batches = BatchSampler(RandomSampler(training, generator=generator), batch_size=64, drop_last=False)
    train_loader = DataLoader(training, batch_sampler=batches)
    val_loader = DataLoader(TensorDataset(features[val], labels[val]), batch_size=100)
    model = nn.Sequential(nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 10)).to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    fit(model, train_loader, val_loader, optimizer, nn.CrossEntropyLoss(), device, max_epochs=30, patience=4)
    model.eval()
    return model
