"""batch_first applied to h_n and c_n too: (batch, layers·directions, H); PyTorch keeps them (layers·directions, batch, H)."""

VERDICTS = {
    "lstm_shapes_match_nn_lstm": ("failed", "h_n': wrong value\nexpected '(1, 4, 32)', got '(4, 1, 32)'"),
    "lstm_unroll_matches_nn_lstm": ("failed", "'h_n': shape [2, 1, 5]"),
}
DIAGNOSIS = {"*": ("batch_first", "swapped", "transpose")}

import torch  # noqa: E402


def lstm_shapes(batch, seq_len, hidden_size, num_layers=1, bidirectional=False):
    directions = 2 if bidirectional else 1
    state = (batch, directions * num_layers, hidden_size)
    return (batch, seq_len, directions * hidden_size), state, state


def lstm_unroll(cell, x, hx=None):
    state = None if hx is None else (hx[0][0], hx[1][0])
    outputs = []
    for t in range(x.shape[1]):
        state = cell(x[:, t], state)
        outputs.append(state[0])
    return torch.stack(outputs, dim=1), (state[0].unsqueeze(1), state[1].unsqueeze(1))
