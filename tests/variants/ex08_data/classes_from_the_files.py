"""Classes read off the image files found (root/*/*): a class folder without images disappears,
and every class sorted after it gets another label."""

VERDICTS = {"image_folder_classes_and_labels": ("failed", "'a folder without images is still a class'")}
DIAGNOSIS = {"*": ("folder without images",)}

from pathlib import Path  # noqa: E402


class ImageFolderDataset(ImageFolderDataset):  # noqa: F821 - the reference's class
    def __init__(self, root, transform=None):
        root = Path(root)
        self.transform = transform
        files = sorted(path for path in root.glob("*/*") if path.is_file())
        self.classes = sorted({path.parent.name for path in files})
        self.class_to_idx = {name: index for index, name in enumerate(self.classes)}
        self.samples = [(path, self.class_to_idx[path.parent.name]) for path in files]
