"""The targets are the inputs themselves, not shifted by one: the model learns to copy the token it sees."""

VERDICTS = {
    "lm_training_step_on_text": ("failed", "'first loss is the cross-entropy of tokens[:, 1:] given tokens[:, :-1]'"),
    "lm_random": ("failed", "'losses[0]'"),
}
DIAGNOSIS = {"*": ("shift", "tokens[:, 1:]")}


def lm_training_step(model, tokens, optimizer):
    model.train()
    optimizer.zero_grad()
    logits = model(tokens)
    loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tokens.reshape(-1))
    loss.backward()
    optimizer.step()
    return loss.item()
