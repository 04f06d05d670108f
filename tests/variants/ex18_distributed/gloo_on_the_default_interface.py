"""Joins the group without choosing gloo's interface: it works where the host name resolves to
this machine, and fails in a container or sandbox whose network has only the loopback."""

VERDICTS = {
    "launch_collects_every_rank": ("failed", "GLOO_SOCKET_IFNAME, the interface gloo uses"),
}
DIAGNOSIS = {"*": ("GLOO_SOCKET_IFNAME", "interface")}


def init_process(rank, world_size, store_path):
    os.environ.pop("GLOO_SOCKET_IFNAME", None)
    dist.init_process_group("gloo", store=dist.FileStore(store_path, world_size), rank=rank, world_size=world_size)
