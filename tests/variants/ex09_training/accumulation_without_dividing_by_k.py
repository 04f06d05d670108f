"""Accumulates k micro-batch losses without dividing by k: plain SGD takes a k times larger step."""

VERDICTS = {
    "accumulation_matches_full_batch": ("failed", "'same parameters as full-batch steps of the mean loss (each micro-batch loss divided by k)'"),
    "accumulation_random": ("failed", "'same parameters as full-batch steps of the mean loss (each micro-batch loss divided by k)'"),
}
DIAGNOSIS = {"*": ("divid", "by k", "k times")}


def accumulated_step(model, optimizer, criterion, inputs, targets, k):
    if k < 1 or inputs.shape[0] % k != 0:
        raise ValueError("k must divide the batch size")
    optimizer.zero_grad()
    total = 0.0
    for part, part_targets in zip(inputs.chunk(k), targets.chunk(k)):
        loss = criterion(model(part), part_targets)
        loss.backward()
        total += loss.item() / k
    optimizer.step()
    return total
