"""Classes and files in os.listdir order: the labels depend on the file system, not on the names."""

VERDICTS = {
    "image_folder_classes_and_labels": ("failed", "'classes, sorted[0]'"),
    "image_folder_random": ("failed", "'files in sample order, sorted class by class"),
}
DIAGNOSIS = {"*": ("sorted", "listdir", "another order")}

import os  # noqa: E402


class ImageFolderDataset(torch.utils.data.Dataset):
    def __init__(self, root, transform=None):
        self.transform = transform
        self.classes = [name for name in os.listdir(root) if os.path.isdir(os.path.join(root, name))]
        self.class_to_idx = {name: index for index, name in enumerate(self.classes)}
        self.samples = [
            (os.path.join(root, name, file), self.class_to_idx[name])
            for name in self.classes
            for file in os.listdir(os.path.join(root, name))
        ]

    def __len__(self):
        return len(self.samples)

    def __getitem__(self, index):
        path, label = self.samples[index]
        image = to_tensor(Image.open(path).convert("RGB"))
        return (self.transform(image) if self.transform else image), label
