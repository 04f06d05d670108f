"""conv_output_shape with true division: 2.5 positions for a 6-wide input, kernel 3, stride 2, and float sizes everywhere."""

VERDICTS = {
    "conv_output_shape_formula": ("failed", "expected 2, got 2.5"),
    "conv2d_worked_example": ("error", "TypeError"),
    "conv2d_channels_bias_and_gradients": ("error", "TypeError"),
    "conv2d_random": ("error", "TypeError"),
}
DIAGNOSIS = {"*": ("floor", "//")}


def conv_output_shape(size, kernel_size, stride=1, padding=0, dilation=1):
    return (size + 2 * padding - dilation * (kernel_size - 1) - 1) / stride + 1
