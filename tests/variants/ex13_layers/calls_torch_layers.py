"""Calls PyTorch's own layers (F.conv2d, nn.MaxPool2d, F.batch_norm, F.dropout, nn.LSTMCell, nn.Embedding): the checks forbid that."""

VERDICTS = {
    "conv2d_worked_example": ("failed", "torch.nn.functional.conv2d called at line"),
    "conv2d_channels_bias_and_gradients": ("failed", "called at line"),
    "conv2d_random": ("failed", "called at line"),
    "max_pool2d_windows_and_strides": ("failed", "torch.nn.functional.max_pool2d called at line"),
    "max_pool2d_random": ("failed", "called at line"),
    "batchnorm_training_updates_running_stats": ("failed", "torch.nn.functional.batch_norm called at line"),
    "batchnorm_eval_uses_running_stats": ("failed", "called at line"),
    "batchnorm_random": ("failed", "called at line"),
    "dropout_edge_cases": ("failed", "torch.nn.functional.dropout called at line"),
    "dropout_statistics": ("failed", "called at line"),
    "lstm_cell_matches_nn_lstmcell": ("failed", "torch.nn.LSTMCell.forward called at line"),
    "embedding_lookup_and_padding": ("failed", "torch.nn.functional.embedding called at line"),
}
DIAGNOSIS = {"*": "called at line"}

import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402


def conv2d(input, weight, bias=None, stride=1, padding=0):
    return F.conv2d(input, weight, bias, stride=stride, padding=padding)


def max_pool2d(input, kernel_size, stride=None, padding=0):
    return nn.MaxPool2d(kernel_size, stride, padding)(input)


class BatchNorm1d(BatchNorm1d):  # noqa: F821 - the reference class, defined above in the module
    def forward(self, x):
        return F.batch_norm(
            x, self.running_mean, self.running_var, self.weight, self.bias, self.training, self.momentum, self.eps
        )


def dropout(x, p=0.5, training=True):
    return F.dropout(x, p, training)


class LSTMCell(nn.LSTMCell):
    def forward(self, input, hx=None):
        return super().forward(input, hx)


def embedding(indices, weight, padding_idx=None):
    return nn.Embedding.from_pretrained(weight, freeze=False, padding_idx=padding_idx)(indices)
