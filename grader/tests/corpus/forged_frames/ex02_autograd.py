"""Attack: write frames by hand into the pipe the grader reads results from.

Garbage tensor data, a JSON header nested 100,000 deep, a header over every limit, an error whose
message is an int, 400,000 keys, a frame claiming a terabyte. Whatever reaches the trusted side is
decoded within bounds: a malformed or oversized result is that check's crash, never the class's.
"""

import json
import os
import struct


def _frame(body: bytes) -> bytes:
    return struct.pack("<Q", len(body)) + body


def _header(header) -> bytes:
    head = json.dumps(header).encode()
    return struct.pack("<Q", len(head)) + head


def _forge(body: bytes) -> None:
    position = struct.pack("<Q", 0)  # where the output stood: the batch child's prefix
    for fd in range(3, 64):
        try:
            os.write(fd, _frame(position + body))
        except OSError:
            continue
    os._exit(0)


def double_square_grad(x):
    _forge(_header({"kind": "observations", "observations": {"grad": {"t": "tensor", "device": "cpu"}}}) + b"\x07garbage")


def accumulate_then_clear(x):
    _forge(struct.pack("<Q", 200_000) + b"[" * 100_000 + b"]" * 100_000)


def detached_product_grad(x):
    _forge(struct.pack("<Q", 1 << 30) + b" " * (4 << 20))


def sum_product_grads(a, b, c):
    _forge(_header({"kind": "raised", "error": {"type": "ValueError", "message": 42}}))


def mean_of_squares_grad(x):
    _forge(_header({"kind": "observations", "observations": {f"k{i}": {"t": "plain", "v": i} for i in range(400_000)}}))


def clip_and_report(parameters, max_norm):
    for fd in range(3, 64):
        try:
            os.write(fd, struct.pack("<Q", 1 << 40))
        except OSError:
            continue
    os._exit(0)


def _todo(*args, **kwargs):
    raise NotImplementedError("not done yet")


double_no_grad = double_grad_disabled = double_decorated = minimise_product = _todo
