"""BatchNorm1d and LSTMCell that inherit PyTorch's forward unchanged: no line of the learner's file runs, so
`forbid` sees no call; the checks observe whose forward it is."""

VERDICTS = {
    "batchnorm_training_updates_running_stats": ("failed", "'forward written in your class, not inherited from nn.BatchNorm1d'"),
    "lstm_cell_matches_nn_lstmcell": ("failed", "'forward written in your class, not inherited from nn.LSTMCell'"),
}
DIAGNOSIS = {"*": ("inherited", "forward written in your class")}

from torch import nn  # noqa: E402


class BatchNorm1d(nn.BatchNorm1d):
    pass


class LSTMCell(nn.LSTMCell):
    pass
