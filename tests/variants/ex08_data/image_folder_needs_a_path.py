"""ImageFolderDataset uses root.iterdir() without Path(root): a root given as a str (the usual case) raises."""

VERDICTS = {"image_folder_classes_and_labels": ("failed", "'root given as a str': raised AttributeError")}
DIAGNOSIS = {"*": ("given as a str", "Path(root)")}


class ImageFolderDataset(ImageFolderDataset):  # noqa: F821 - the reference's class
    def __init__(self, root, transform=None):
        self.transform = transform
        self.classes = sorted(entry.name for entry in root.iterdir() if entry.is_dir())
        self.class_to_idx = {name: index for index, name in enumerate(self.classes)}
        self.samples = [
            (path, self.class_to_idx[name]) for name in self.classes for path in sorted((root / name).iterdir()) if path.is_file()
        ]
