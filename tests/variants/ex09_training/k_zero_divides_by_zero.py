"""Checks divisibility before k itself: k = 0 raises ZeroDivisionError (from `% 0`) instead of the
documented ValueError."""

VERDICTS = {
    "accumulation_matches_full_batch": ("failed", "'k=0 on a batch of 12': expected ValueError to be raised, got ZeroDivisionError"),
}
DIAGNOSIS = {"*": ("k=0", "ZeroDivisionError")}


def accumulated_step(model, optimizer, criterion, inputs, targets, k):
    if inputs.shape[0] % k != 0 or k < 1:
        raise ValueError(f"k={k} must be at least 1 and divide the batch size {inputs.shape[0]}")
    optimizer.zero_grad()
    total = 0.0
    for part, part_targets in zip(inputs.chunk(k), targets.chunk(k)):
        loss = criterion(model(part), part_targets) / k
        loss.backward()
        total += loss.item()
    optimizer.step()
    return total
