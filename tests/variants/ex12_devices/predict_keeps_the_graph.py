"""predict in eval mode but without torch.no_grad() and without .cpu(): the output requires grad
(and on a GPU it would stay there)."""

VERDICTS = {
    "predict_in_eval_mode_without_grad[cpu]": ("failed", "'output.requires_grad'"),
    "predict_random_batch[cpu]": ("failed", "'output.requires_grad'"),
    "predict_moves_model_and_input": ("failed", "'output is a CPU tensor'"),
}
DIAGNOSIS = {"*": ("requires_grad", "no_grad", "graph")}


def predict(model, x, device):
    model.to(device)
    model.eval()
    return model(x.to(device))
