"""The new head as a plain nn.Linear: on the CPU in float32 whatever the model's device and dtype."""

VERDICTS = {
    "replace_head_on_the_models_device_and_dtype": ("failed", "\"meta model: new head's weight device\": wrong value\nexpected 'meta', got 'cpu'"),
}
DIAGNOSIS = {"*": ("device", "dtype")}

from torch import nn  # noqa: E402


def replace_head(model, num_classes):
    model.classifier = nn.Linear(model.classifier.in_features, num_classes)
    return model
