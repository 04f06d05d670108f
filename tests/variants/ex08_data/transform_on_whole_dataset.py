"""The transform runs once in __init__ on the whole data: it sees all samples, and random ones freeze."""

VERDICTS = {"dict_dataset_transform_per_sample": ("failed", "'transform calls after __init__'")}
DIAGNOSIS = {"*": ("transform calls after __init__", "per sample", "__getitem__")}


class DictDataset(torch.utils.data.Dataset):
    def __init__(self, data, labels, transform=None):
        self.data = transform(data) if transform is not None else data
        self.labels = labels

    def __len__(self):
        return len(self.data)

    def __getitem__(self, index):
        return {"data": self.data[index], "label": self.labels[index]}
