"""log_image_grid pads with 255, white for uint8 pixels: the grid is float, so its padding is 255 where
the normalised images are in [0, 1]. TensorBoard's PNG clips it to white and hides the mistake; a viewer
of the tensor itself (another logger, a saved grid) sees padding 255 times brighter than any image."""

VERDICTS = {
    "log_image_grid_hands_add_image_the_grid": ("failed", "'add_image calls[0].image'"),
}
DIAGNOSIS = {"*": ("got 255", "padding")}


def log_image_grid(writer, tag, images, step, nrow=8):
    if images.dim() == 3:
        images = images.unsqueeze(1)
    writer.add_image(tag, make_image_grid(images, nrow=nrow, padding=2, pad_value=255.0, normalize=True), step)
