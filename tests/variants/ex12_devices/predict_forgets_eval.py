"""predict without model.eval(): dropout keeps dropping, batch norm uses and updates batch statistics."""

VERDICTS = {
    "predict_in_eval_mode_without_grad[cpu]": ("failed", "'model.training after predict'"),
    "predict_random_batch[cpu]": ("failed", "'model.training after predict'"),
    "predict_moves_model_and_input": ("failed", "'the forward(s)[0].eval mode'"),
}
DIAGNOSIS = {"*": ("eval", "model.training")}

import torch  # noqa: E402


def predict(model, x, device):
    model.to(device)
    with torch.no_grad():
        return model(x.to(device)).cpu()
