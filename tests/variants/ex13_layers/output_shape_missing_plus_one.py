"""conv_output_shape without the + 1 for the first window: every size is one too small, so conv2d cannot reshape."""

VERDICTS = {
    "conv_output_shape_formula": ("failed", "'size=6, kernel=3, stride=2, padding=0, dilation=1': wrong value"),
    "conv2d_worked_example": ("error", "RuntimeError"),
    "conv2d_channels_bias_and_gradients": ("error", "RuntimeError"),
    "conv2d_random": ("error", "RuntimeError"),
}
DIAGNOSIS = {"*": ("off by one", "+ 1")}


def conv_output_shape(size, kernel_size, stride=1, padding=0, dilation=1):
    return (size + 2 * padding - dilation * (kernel_size - 1) - 1) // stride
