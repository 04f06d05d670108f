"""No padding: every sequence is cut to the shortest so that torch.stack works, and data is lost."""

VERDICTS = {
    "pad_collate_pads_and_keeps_lengths": ("failed", "'padded': shape [3, 2, 2]"),
    "pad_collate_random": ("failed", "'padded': shape"),
    "pad_collate_keeps_the_sequences_device": ("failed", "'padded to the longest sequence': wrong value"),
}
DIAGNOSIS = {"*": ("truncat", "cut short", "no padding", "padded to the longest")}


def pad_collate(batch, padding_value=0.0):
    shortest = min(len(s) for s, _ in batch)
    padded = torch.stack([s[:shortest] for s, _ in batch])
    lengths = torch.tensor([len(s) for s, _ in batch])
    return padded, lengths, torch.tensor([label for _, label in batch])
