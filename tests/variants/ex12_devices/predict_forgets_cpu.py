"""predict returns the output where it was computed: on a GPU, a CUDA tensor that NumPy and
plotting code cannot use. Invisible on a CPU run; the meta device shows it."""

VERDICTS = {
    "predict_moves_model_and_input": ("failed", "'output is a CPU tensor'"),
}
DIAGNOSIS = {"*": ("cpu tensor", "back on the cpu")}

import torch  # noqa: E402


def predict(model, x, device):
    model.to(device)
    model.eval()
    with torch.no_grad():
        return model(x.to(device))
