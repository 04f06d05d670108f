"""predict moves the model but feeds it `x` where it is (the CPU)."""

VERDICTS = {
    "predict_moves_model_and_input": ("failed", "'the forward(s)[0].input on the device'"),
}
DIAGNOSIS = {"*": ("input on the device",)}

import torch  # noqa: E402


def predict(model, x, device):
    model.to(device).eval()
    with torch.no_grad():
        return model(x).cpu()
