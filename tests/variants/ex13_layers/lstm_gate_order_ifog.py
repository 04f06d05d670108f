"""LSTMCell splitting the gates as i, f, o, g (as some papers write them); PyTorch stacks them i, f, g, o."""

VERDICTS = {"lstm_cell_matches_nn_lstmcell": ("failed", "'h (given state)'")}
DIAGNOSIS = {"*": ("gate", "blocks in another order", "chunk")}

import torch  # noqa: E402


class LSTMCell(LSTMCell):  # noqa: F821 - the reference class, defined above in the module
    def forward(self, input, hx=None):
        if hx is None:
            zeros = input.new_zeros(input.shape[0], self.hidden_size)
            hx = (zeros, zeros)
        h, c = hx
        gates = input @ self.weight_ih.T + self.bias_ih + h @ self.weight_hh.T + self.bias_hh
        i, f, o, g = gates.chunk(4, dim=1)
        c_next = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        return torch.sigmoid(o) * torch.tanh(c_next), c_next
