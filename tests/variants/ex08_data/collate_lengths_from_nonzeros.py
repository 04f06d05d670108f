"""Lengths counted as the non-zero rows of the padded batch: a sequence that ends with real zeros
seems shorter than it is."""

VERDICTS = {
    "pad_collate_pads_and_keeps_lengths": ("failed", "'lengths when sequences end with real zeros'"),
    "pad_collate_keeps_the_sequences_device[meta]": ("error", "cannot be called on meta tensors"),
}
DIAGNOSIS = {
    "pad_collate_pads_and_keeps_lengths": ("real zeros", "non-zero"),
    "pad_collate_keeps_the_sequences_device[meta]": ("real zeros", "non-zero", "from the values"),
}

import torch  # noqa: E402


def pad_collate(batch, padding_value=0.0):
    padded = torch.nn.utils.rnn.pad_sequence([s for s, _ in batch], batch_first=True, padding_value=padding_value)
    nonzero = padded != padding_value
    if nonzero.ndim > 2:
        nonzero = nonzero.flatten(2).any(dim=2)
    lengths = torch.tensor([int(row.nonzero().max()) + 1 if row.any() else 0 for row in nonzero])
    return padded, lengths, torch.tensor([int(label) for _, label in batch])
