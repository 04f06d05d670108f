"""train_one_epoch without model.train(): after an evaluate, BatchNorm and Dropout stay in eval mode."""

VERDICTS = {
    "train_one_epoch_switches_to_train_mode": ("failed", "'every forward ran in train mode'"),
}
DIAGNOSIS = {"*": ("train mode", "model.train()")}


def train_one_epoch(model, loader, optimizer, criterion, device):
    total, count = 0.0, 0
    for inputs, targets in loader:
        inputs, targets = inputs.to(device), targets.to(device)
        optimizer.zero_grad()
        loss = criterion(model(inputs), targets)
        loss.backward()
        optimizer.step()
        total += loss.item() * inputs.shape[0]
        count += inputs.shape[0]
    return total / count
