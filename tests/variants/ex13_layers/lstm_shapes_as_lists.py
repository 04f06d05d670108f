"""lstm_shapes returns lists ([B, T, H], ...) where the docstring asks for tuples of ints."""

VERDICTS = {
    "lstm_shapes_match_nn_lstm": ("failed", "three tuples of ints'"),
}
DIAGNOSIS = {"*": ("tuples of ints", "tuple")}


def lstm_shapes(batch, seq_len, hidden_size, num_layers=1, bidirectional=False):
    directions = 2 if bidirectional else 1
    state = [directions * num_layers, batch, hidden_size]
    return [batch, seq_len, directions * hidden_size], state, list(state)
