"""Graded checks for ex15_augmentation, one section per transform, then the loaders.

Resizes are compared with `F.interpolate` itself, run by the probe on the same
input; crops with the probe's own slicing. Random transforms get generators
seeded by the probe, and return, besides their result, what the generator
draws next (so a transform that draws too few or too many numbers shows).
Images and masks are built so that channel 0 of the image holds the mask's
labels: a pair transformed together keeps image[0] == mask. Loader checks run
a DataLoader with two worker processes over a small dataset that draws from
its own generator, and record which worker produced each sample.
"""

import torch
import torch.nn.functional as F
from torch.utils.data import Dataset, get_worker_info

from grader import capture, check

RTOL, ATOL = 1e-5, 1e-6


def randint(low, high):
    """A Python int in [low, high), drawn with torch's (seeded) generator."""
    return int(torch.randint(low, high, ()))


def _generator(seed):
    return torch.Generator().manual_seed(seed)


def _next_draw(generator):
    """What the generator gives next: shows how many numbers a transform drew from it."""
    return torch.rand(1, generator=generator)


# (seed, position) of a draw of exactly 0.0 and of exactly 0.5 in torch.rand's stream (found once, by search):
# u < p must not flip on a draw equal to p, which no ordinary seed shows (a draw is p with probability 2**-24).
EXACT_DRAWS = {0.0: (146, 18555), 0.5: (479, 1395)}


def _about_to_draw(value, draws_before=0):
    """A generator whose next draws are `draws_before` others, then exactly `value` (each draw takes one number)."""
    seed, position = EXACT_DRAWS[value]
    generator = _generator(seed)
    torch.rand(position - draws_before, generator=generator)
    return generator


def _agrees(value, expected):
    """Whether the learner's tensor is PyTorch's own result (same dtype and shape, close values)."""
    if type(value) is not torch.Tensor or value.dtype != expected.dtype or value.shape != expected.shape:
        return False
    if not value.is_floating_point():
        return bool(torch.equal(value, expected))
    return bool(torch.allclose(value, expected, rtol=RTOL, atol=ATOL))


def _shares_memory(a, b):
    """Whether a (a crop) is a view into b's memory."""
    return type(a) is torch.Tensor and a.untyped_storage().data_ptr() == b.untyped_storage().data_ptr()


# --- resize ----------------------------------------------------------------------------------


def _interpolate(image, size, mode):
    """The probe's own resize: F.interpolate on (N, C, H, W), antialias where torch has it."""
    x = image.reshape(-1, 1, *image.shape[-2:])
    integer = not image.is_floating_point()
    out = F.interpolate(x.float() if integer else x, size=size, mode=mode, antialias=mode != "nearest")
    return out.to(image.dtype).reshape(*image.shape[:-2], *size)


@check(points=3, rtol=RTOL, atol=ATOL)
def resize_matches_interpolate(ex):
    """Pairs resize exactly; an int sets the shorter side (proportions kept, truncated); bilinear and bicubic
    antialias a downscale; nearest keeps a mask's labels and dtype; (H, W), (C, H, W), (N, C, H, W)."""
    image = torch.rand(3, 12, 18)
    batch = torch.rand(2, 1, 9, 7)
    mask = torch.randint(0, 4, (10, 10))
    cases = {
        "(3, 12, 18) to (6, 9), bilinear (downscale)": (image, (6, 9), "bilinear"),
        "(3, 12, 18) to (20, 25), bilinear (upscale)": (image, (20, 25), "bilinear"),
        "(3, 12, 18) to (5, 7), bicubic": (image, (5, 7), "bicubic"),
        "(3, 12, 18) to (5, 7), nearest": (image, (5, 7), "nearest"),
        "(3, 12, 18) to 8, bilinear: shorter side 8": (image, 8, "bilinear"),
        "(3, 12, 18) to 5: shorter side 5, 18·5/12 = 7.5 truncated": (image, 5, "bilinear"),
        "(2, 1, 9, 7) to 4: shorter side (width) 4": (batch, 4, "bilinear"),
        "(2, 1, 9, 7) to 7: unchanged size": (batch, 7, "bilinear"),
        "(10, 10) int64 mask to (4, 6), nearest": (mask, (4, 6), "nearest"),
        "(10, 10) int64 mask to 3, nearest": (mask, 3, "nearest"),
    }
    agreement = "agrees with F.interpolate (antialias for bilinear and bicubic)"
    observed, agrees = {agreement: None}, True  # first in the message
    for label, (x, size, mode) in cases.items():
        out = ex.resize(x, size, mode)
        observed[label] = out
        if type(out) is torch.Tensor and out.shape[:-2] == x.shape[:-2]:
            agrees = agrees and _agrees(out, _interpolate(x, tuple(out.shape[-2:]), mode))
        else:
            agrees = False
    observed[agreement] = agrees
    observed["default interpolation is bilinear"] = _agrees(ex.resize(image, (6, 9)), observed[next(iter(cases))])
    observed["'area' interpolation"] = capture(ex.resize, image, (6, 9), "area")
    observed["bilinear on an int64 mask"] = capture(ex.resize, mask, (4, 6), "bilinear")
    observed["bicubic on an int64 mask"] = capture(ex.resize, mask, (4, 6), "bicubic")
    original = image.clone()
    ex.resize(image, 5)
    observed["input unchanged"] = torch.equal(image, original)
    return observed


@check(points=2, hidden=True, rtol=RTOL, atol=ATOL)
def resize_random(ex):
    """Random shapes and sizes (pairs and shorter sides, up and down) in every mode; wide and tall images, a mask."""
    short, long = randint(4, 14), randint(15, 21)  # every draw: a wide and a tall image, both rules of the int size
    wide = torch.rand(randint(1, 3), randint(1, 4), short, long)
    tall = wide.transpose(-1, -2).contiguous()
    mask = torch.randint(0, 6, (long, short))
    pair = (randint(2, 25), randint(2, 25))
    shorter = randint(2, 25)
    observed = {}
    for mode in ("bilinear", "bicubic", "nearest"):
        observed[f"wide image to a pair, {mode}"] = ex.resize(wide, pair, mode)
        observed[f"wide image to a shorter side, {mode}"] = ex.resize(wide, shorter, mode)
        observed[f"tall image to a shorter side, {mode}"] = capture(ex.resize, tall, shorter, mode)  # a wrong rule may ask for 0 pixels
    quarter = randint(2, 9)  # every draw: a longer side of s + 0.75, where truncating and rounding differ
    truncated = ex.resize(torch.rand(1, 4 * quarter, 4 * quarter + 3), quarter)
    observed = {"(4s, 4s + 3) image to s: the longer side s + 0.75, truncated": truncated, **observed}  # the telling one first
    observed["tall mask to a pair, nearest"] = ex.resize(mask, pair, "nearest")
    observed["tall mask to a shorter side, nearest"] = capture(ex.resize, mask, shorter, "nearest")
    return observed


# --- center_crop -----------------------------------------------------------------------------


@check(points=2)
def center_crop_slices(ex):
    """top = (H − h) // 2, left = (W − w) // 2 (odd differences leave the extra pixel at the bottom/right);
    a view of the image; the whole image is a valid crop, a larger one raises ValueError."""
    grid = torch.arange(30).reshape(5, 6)
    image = torch.rand(3, 8, 7)
    batch = torch.rand(2, 3, 6, 6)
    crop = ex.center_crop(image, (3, 4))
    observed = {
        "agrees with slicing [(H − h) // 2 : …, (W − w) // 2 : …]": _agrees(crop, image[:, 2:5, 1:5])
        and _agrees(ex.center_crop(grid, 3), grid[1:4, 1:4])
        and _agrees(ex.center_crop(batch, 4), batch[..., 1:5, 1:5]),
        "5×6 grid, size 3": ex.center_crop(grid, 3),
        "5×6 grid, size (2, 5)": ex.center_crop(grid, (2, 5)),
        "5×6 grid, size (4, 1)": ex.center_crop(grid, (4, 1)),
        "5×6 grid, its own size (5, 6)": ex.center_crop(grid, (5, 6)),
        "(3, 8, 7) image, size (3, 4)": crop,
        "(2, 3, 6, 6) batch, size 4": ex.center_crop(batch, 4),
        "the crop is a view of the image": _shares_memory(crop, image),
        "5×6 grid, size 6 (taller than the image)": capture(ex.center_crop, grid, 6),
        "5×6 grid, size (5, 7) (wider than the image)": capture(ex.center_crop, grid, (5, 7)),
    }
    crop[0, 0, 0] = -1.0
    observed["writing into the crop writes into the image"] = bool(image[0, 2, 1] == -1.0)
    return observed


# --- random_crop_params, random_crop ---------------------------------------------------------


@check(points=3)
def random_crop_params_and_padding(ex):
    """Two draws, top then left, in 0 … H − h and 0 … W − w inclusive, even when the crop fills the image;
    padding with `fill` first; without padding a view; the input never changes; too large raises ValueError."""
    generator = _generator(5)
    draws = [ex.random_crop_params(6, 9, (3, 4), generator) for _ in range(40)]
    tops, lefts = torch.tensor([d[0] for d in draws]), torch.tensor([d[1] for d in draws])
    full_generator = _generator(6)
    full = capture(ex.random_crop_params, 4, 4, 4, full_generator)
    image = torch.rand(3, 5, 5)
    original = image.clone()
    padded_generator = _generator(7)
    padded = ex.random_crop(image, 5, padded_generator, padding=2, fill=-1.0)
    plain = ex.random_crop(image, (2, 3), _generator(8))
    top, left = ex.random_crop_params(5, 5, (2, 3), _generator(8))
    mask = torch.randint(0, 3, (4, 4))
    return {
        "every top in 0 … 3 and left in 0 … 5, each reached": sorted(set(tops.tolist())) == [0, 1, 2, 3]
        and sorted(set(lefts.tolist())) == [0, 1, 2, 3, 4, 5],
        "(top, left) of 40 crops (3, 4) of a 6×9 image": torch.stack([tops, lefts]),
        "the crop fills the image: (top, left)": full,
        "the crop fills the image: next draw (two were drawn)": _next_draw(full_generator),
        "returns Python ints": all(type(v) is int for d in draws for v in d),
        "crop larger than the image": capture(ex.random_crop_params, 4, 6, (5, 2), _generator(0)),
        "crop wider than the image": capture(ex.random_crop_params, 4, 6, (2, 7), _generator(0)),
        "padding 2 with fill -1, crop 5": padded,
        "padding 2: next draw": _next_draw(padded_generator),
        "no padding, crop (2, 3)": plain,
        "no padding: agrees with slicing at random_crop_params": _agrees(plain, image[:, top : top + 2, left : left + 3]),
        "no padding: a view of the image": _shares_memory(plain, image),
        "input unchanged": torch.equal(image, original),
        "int64 mask, padding 1 with fill 255, crop 3": ex.random_crop(mask, 3, _generator(9), padding=1, fill=255),
        "crop larger than the padded image": capture(ex.random_crop, image, 10, _generator(0), padding=2),
    }


@check(points=2, hidden=True)
def random_crop_random(ex):
    """Random image, crop size, padding, fill and generator seed; a crop without padding too."""
    height, width = randint(3, 12), randint(3, 12)
    padding = randint(1, 4)
    size = (randint(1, height + 2 * padding + 1), randint(1, width + 2 * padding + 1))
    image = torch.randn(randint(1, 4), height, width)
    generator = _generator(randint(0, 10_000))
    fills = torch.randn(3).tolist()
    crops = [capture(ex.random_crop, image, size, generator, padding=padding, fill=fill) for fill in fills]
    unpadded = capture(ex.random_crop, image, (randint(1, height + 1), randint(1, width + 1)), generator)
    return {"crops": crops, "without padding": unpadded, "next draw": _next_draw(generator)}


# --- random_horizontal_flip ------------------------------------------------------------------


@check(points=2)
def horizontal_flip(ex):
    """One draw per call; flips the last dimension (the width) when the draw is below p; p = 0 never, p = 1 always."""
    image = torch.arange(24.0).reshape(2, 3, 4)
    original = image.clone()
    generator = _generator(11)
    halves = [ex.random_horizontal_flip(image, generator, p=0.5) for _ in range(16)]
    flipped = [bool(torch.equal(h, torch.flip(image, dims=(-1,)))) for h in halves]
    never_generator, always_generator = _generator(12), _generator(13)
    never = [ex.random_horizontal_flip(image, never_generator, p=0.0) for _ in range(3)]
    always = [ex.random_horizontal_flip(image, always_generator, p=1.0) for _ in range(3)]
    mask = torch.tensor([[1, 2, 3], [4, 5, 6]])
    return {
        "p=0.5: every result is the image or torch.flip(image, dims=(-1,))": all(
            torch.equal(h, image) or torch.equal(h, torch.flip(image, dims=(-1,))) for h in halves
        ),
        "p=0.5: which of 16 calls flipped": flipped,
        "p=0.5: outputs": halves,
        "p=0: never flips": all(torch.equal(n, image) for n in never),
        "p=0: next draw (one per call)": _next_draw(never_generator),
        "p=1: always flips": all(torch.equal(a, torch.flip(image, dims=(-1,))) for a in always),
        "p=1: next draw (one per call)": _next_draw(always_generator),
        "p=0 and a draw of exactly 0.0: not flipped (flip when u < p)": ex.random_horizontal_flip(
            image, _about_to_draw(0.0), p=0.0
        ),
        "p=0.5 and a draw of exactly 0.5: not flipped (flip when u < p)": ex.random_horizontal_flip(
            image, _about_to_draw(0.5), p=0.5
        ),
        "(2, 3) mask, p=1": ex.random_horizontal_flip(mask, _generator(0), p=1.0),
        "(1, 1, 2, 3) batch, p=1": ex.random_horizontal_flip(mask.reshape(1, 1, 2, 3).float(), _generator(0), p=1.0),
        "input unchanged": torch.equal(image, original),
    }


# --- paired_random_transform -----------------------------------------------------------------


def _image_and_mask(height, width, classes=4, channels=3):
    """A mask of labels, and an image whose channel 0 holds the same labels (as floats)."""
    mask = torch.randint(0, classes, (height, width))
    image = torch.rand(channels, height, width)
    image[0] = mask.float()
    return image, mask


def _aligned(image, mask, ignore_index=255):
    """Whether image[0] == mask wherever the mask is not ignore_index."""
    if type(image) is not torch.Tensor or type(mask) is not torch.Tensor or image.shape[-2:] != mask.shape:
        return False
    real = mask != ignore_index
    return bool(torch.equal(image[0][real], mask[real].to(image.dtype)))


def _zero_where_ignored(image, mask, ignore_index=255):
    """Whether every channel of the image is 0 where the mask says ignore_index (the padding)."""
    if type(image) is not torch.Tensor or type(mask) is not torch.Tensor or image.shape[-2:] != mask.shape:
        return False
    return bool((image[:, mask == ignore_index] == 0).all())


@check(points=3)
def paired_transform_keeps_mask_aligned(ex):
    """One crop and one flip for both (draws: top, left, flip); the mask padded with ignore_index, the image
    with 0; shapes that differ raise ValueError."""
    image, mask = _image_and_mask(6, 7)
    original_image, original_mask = image.clone(), mask.clone()
    generator = _generator(21)
    pairs = [ex.paired_random_transform(image, mask, (4, 5), generator, padding=2, p=0.5) for _ in range(12)]
    crop_generator = _generator(22)
    no_padding = ex.paired_random_transform(image, mask, 3, crop_generator, p=1.0, ignore_index=9)
    whole = capture(ex.paired_random_transform, image, mask, (8, 9), _generator(24), padding=1, p=0.0)
    observed = {
        "image[0] still equals the mask in all 12 pairs": all(_aligned(i, m) for i, m in pairs),
        "masks padded with 255 (ignore_index)": any(bool((m == 255).any()) for _, m in pairs),
        "images padded with 0 where the mask is 255": all(_zero_where_ignored(i, m) for i, m in pairs),
        "images": [i for i, _ in pairs],
        "masks": [m for _, m in pairs],
        "next draw after 12 pairs (three draws each)": _next_draw(generator),
        "no padding, p=1, size 3: image": no_padding[0],
        "no padding, p=1, size 3: mask": no_padding[1],
        "no padding, p=1: next draw": _next_draw(crop_generator),
        "padding 1, crop the whole padded image, p=0: mask": whole[1] if type(whole) is tuple else whole,
        "no padding, p=0: views of the inputs": all(
            _shares_memory(out, source)
            for out, source in zip(ex.paired_random_transform(image, mask, 3, _generator(23), p=0.0), (image, mask))
        ),
        "p=0.5 and a flip draw of exactly 0.5: not flipped (flip when u < p)": ex.paired_random_transform(
            image, mask, 3, _about_to_draw(0.5, draws_before=2), p=0.5
        ),
        "mask dtype": str(pairs[0][1].dtype),
        "inputs unchanged": torch.equal(image, original_image) and torch.equal(mask, original_mask),
        "mask of another height": capture(ex.paired_random_transform, image, mask[:5], 3, _generator(0)),
        "mask of another width": capture(ex.paired_random_transform, image, mask[:, :6], 3, _generator(0)),
    }
    return observed


@check(points=2, hidden=True)
def paired_transform_random(ex):
    """Random sizes, padding, p, ignore_index and generator seed."""
    height, width = randint(3, 10), randint(3, 10)
    image, mask = _image_and_mask(height, width, classes=randint(2, 6), channels=randint(1, 4))
    padding, ignore_index = randint(1, 4), randint(100, 256)
    size = (randint(1, height + 2 * padding + 1), randint(1, width + 2 * padding + 1))
    generator = _generator(randint(0, 10_000))
    # every draw: pairs that always flip and never flip, and two with a random p
    chances = [1.0, 0.0, float(torch.rand(())), float(torch.rand(()))]
    pairs = [
        capture(ex.paired_random_transform, image, mask, size, generator, padding=padding, p=p, ignore_index=ignore_index)
        for p in chances
    ]
    unpadded = (randint(1, height + 1), randint(1, width + 1))
    pairs.append(capture(ex.paired_random_transform, image, mask, unpadded, generator, p=1.0, ignore_index=ignore_index))
    # on every draw, a flip that shows: the whole image, p=1, its first and last columns labelled apart
    image, mask = image.clone(), mask.clone()  # the pairs above may be views of the first ones
    mask[:, 0], mask[:, -1] = 0, 1
    image[0] = mask.float()
    pairs.append(capture(ex.paired_random_transform, image, mask, (height, width), generator, p=1.0, ignore_index=ignore_index))
    return {
        "image[0] still equals the mask": all(type(pair) is tuple and _aligned(*pair, ignore_index) for pair in pairs),
        "next draw (one crop and one flip per pair, shared by image and mask)": _next_draw(generator),
        "pairs": pairs,
    }


# --- seed_worker, reproducible_loader --------------------------------------------------------


class Draws(Dataset):
    """Sample i: (i, the id of the worker that read it, two numbers drawn from the dataset's own generator)."""

    def __init__(self, n):
        self.n = n
        self.generator = torch.Generator().manual_seed(1234)

    def __len__(self):
        return self.n

    def __getitem__(self, index):
        info = get_worker_info()
        worker = -1 if info is None else info.id
        return index, worker, torch.rand(2, generator=self.generator)


def _epoch(loader):
    """One epoch: indices, workers and draws, in the order the loader yields them."""
    indices, workers, draws = [], [], []
    for index, worker, values in loader:
        indices += index.tolist()
        workers += worker.tolist()
        draws.append(values)
    return indices, workers, torch.cat(draws) if draws else torch.empty(0, 2)


def _loader_facts(ex, n, batch_size, seed):
    dataset = Draws(n)
    torch.manual_seed(1)
    loader = ex.reproducible_loader(dataset, batch_size, seed)
    first = _epoch(loader)
    after_first = torch.rand(4)
    second = _epoch(loader)
    torch.manual_seed(2)  # the global RNG is elsewhere now: the epochs must not change
    again = _epoch(ex.reproducible_loader(dataset, batch_size, seed))
    after_again = torch.rand(4)  # equal to after_first only if the loader reseeded the global RNG
    other = _epoch(ex.reproducible_loader(dataset, batch_size, seed + 1))
    indices, workers, draws = first
    by_worker = {w: draws[[i for i, v in enumerate(workers) if v == w]] for w in sorted(set(workers))}
    first_draws = [values[0] for values in by_worker.values()]
    return {
        "every worker draws its own random numbers": len(first_draws) == 2
        and not torch.equal(first_draws[0], first_draws[1]),
        "a second epoch draws new numbers": not torch.equal(second[2], draws),
        "same seed, same epoch (whatever the global RNG did)": again[0] == indices and torch.equal(again[2], draws),
        "another seed, another epoch": not torch.equal(other[2], draws),
        "the global RNG is not reseeded": not torch.equal(after_first, after_again),
        "workers that read the samples": sorted(set(workers)),
        "every sample once per epoch": sorted(indices) == list(range(n)),
        "shuffled": indices != list(range(n)),
        "number of batches": len(loader),
        "order of the samples": indices,
        "draws of the first epoch": draws,
        "draws of the second epoch": second[2],
    }


@check(points=3, timeout=20)
def loader_workers_reproducible(ex):
    """Two workers with their own random streams; the same seed repeats the epochs, a new epoch or seed changes them."""
    return _loader_facts(ex, 12, 3, seed=5)


@check(points=2, hidden=True, timeout=20)
def loader_random(ex):
    """Random size, batch size and seed (at least two batches per worker): two epochs, and again from a new loader."""
    batch_size = randint(1, 4)
    # At least 8 samples: a wrong order that is the right one shifted by one is then no coincidence.
    n, seed = batch_size * randint(8, 12) + randint(0, batch_size), randint(0, 10_000)
    dataset = Draws(n)
    loader = ex.reproducible_loader(dataset, batch_size, seed)
    indices, workers, draws = _epoch(loader)
    after_first = torch.rand(4)
    second = _epoch(loader)
    torch.manual_seed(randint(0, 10_000))
    again = _epoch(ex.reproducible_loader(dataset, batch_size, seed))
    after_again = torch.rand(4)  # equal to after_first only if the loader reseeded the global RNG
    by_worker = {w: draws[[i for i, v in enumerate(workers) if v == w]] for w in sorted(set(workers))}
    first_draws = [values[0] for values in by_worker.values()]
    return {
        "every worker draws its own random numbers": len(first_draws) == 2
        and not torch.equal(first_draws[0], first_draws[1]),
        "a second epoch draws new numbers": not torch.equal(second[2], draws),
        "the global RNG is not reseeded": not torch.equal(after_first, after_again),
        "same seed, same epoch (whatever the global RNG did)": again[0] == indices and torch.equal(again[2], draws),
        "workers that read the samples": sorted(set(workers)),
        "order of the samples": indices,
        "draws": draws,
    }
