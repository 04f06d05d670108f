"""load_for_inference loads the weights but leaves the model in training mode.

Dropout keeps dropping and BatchNorm normalises with each batch's own statistics:
the predictions differ from the saved model's.
"""

VERDICTS = {
    "state_dict_round_trip": ("failed", "'in eval mode after loading'"),
    "state_dict_round_trip_random": ("failed", "'in eval mode after loading'"),
}
DIAGNOSIS = {"*": ("eval",)}

import torch  # noqa: E402


def load_for_inference(path, model):
    model.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
    return model
