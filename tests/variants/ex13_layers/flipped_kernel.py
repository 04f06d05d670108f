"""True convolution (the kernel flipped in both spatial dims), as in signal processing; F.conv2d does not flip."""

VERDICTS = {
    "conv2d_worked_example": ("failed", "'stride 1': "),
    "conv2d_channels_bias_and_gradients": ("failed", "'output'"),
    "conv2d_random": ("failed", "'output'"),
}
DIAGNOSIS = {"*": ("flip",)}

import torch.nn.functional as F  # noqa: E402


def conv2d(input, weight, bias=None, stride=1, padding=0):
    n, _, height, width = input.shape
    c_out, _, k_h, k_w = weight.shape
    h_out = conv_output_shape(height, k_h, stride, padding)
    w_out = conv_output_shape(width, k_w, stride, padding)
    patches = F.unfold(input, (k_h, k_w), padding=padding, stride=stride)
    out = weight.flip(-2, -1).reshape(c_out, -1) @ patches
    if bias is not None:
        out = out + bias.reshape(1, c_out, 1)
    return out.reshape(n, c_out, h_out, w_out)
