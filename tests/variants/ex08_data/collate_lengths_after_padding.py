"""Lengths measured after padding: every sequence seems as long as the longest one."""

VERDICTS = {
    "pad_collate_pads_and_keeps_lengths": ("failed", "'lengths before padding'"),
    "pad_collate_random": ("failed", "'lengths before padding'"),
}
DIAGNOSIS = {"*": ("after padding", "before padding", "padded length")}


def pad_collate(batch, padding_value=0.0):
    padded = torch.nn.utils.rnn.pad_sequence([s for s, _ in batch], batch_first=True, padding_value=padding_value)
    lengths = torch.tensor([len(row) for row in padded])
    return padded, lengths, torch.tensor([label for _, label in batch])
