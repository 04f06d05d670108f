"""pad_collate fills a batch made with torch.full on the CPU: right on the CPU, but sequences that
live on a GPU come back on the CPU (and on the meta device, copying them raises)."""

VERDICTS = {"pad_collate_keeps_the_sequences_device[meta]": ("failed", "'padded batch on the device of the sequences': wrong value")}
DIAGNOSIS = {"*": ("on the device of the sequences", "on the cpu")}

import torch  # noqa: E402


def pad_collate(batch, padding_value=0.0):
    sequences = [s for s, _ in batch]
    lengths = torch.tensor([len(s) for s in sequences], dtype=torch.int64)
    padded = torch.full((len(sequences), int(lengths.max()), *sequences[0].shape[1:]), padding_value, dtype=sequences[0].dtype)
    for row, sequence in enumerate(sequences):
        padded[row, : len(sequence)] = sequence
    return padded, lengths, torch.tensor([int(label) for _, label in batch], dtype=torch.int64)
