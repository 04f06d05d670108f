"""predict moves the input but not the model: on a GPU the forward fails with a device mismatch
(or, the other way round, runs on the CPU). Invisible on a CPU run; the meta device shows it."""

VERDICTS = {
    "predict_moves_model_and_input": ("failed", "'the forward(s)[0].model on the device'"),
}
DIAGNOSIS = {"*": ("model on the device",)}

import torch  # noqa: E402


def predict(model, x, device):
    model.eval()
    with torch.no_grad():
        return model(x.to(device)).cpu()
