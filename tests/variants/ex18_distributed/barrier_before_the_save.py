"""Meets at the barrier first and saves afterwards: the other ranks go on (and may read the
checkpoint, or exit) before rank 0 has written it."""

VERDICTS = {
    "train_by_hand_matches_one_process": (
        "failed",
        "'rank 1 finds the checkpoint when train returns (barrier after the save)'",
    ),
}
DIAGNOSIS = {"*": "barrier"}


def train_data_parallel(rank, world_size, model, dataset, criterion, *, epochs, batch_size, lr, use_ddp, seed=0,
                        checkpoint_path=None):
    sampler = DistributedSampler(dataset, num_replicas=world_size, rank=rank, shuffle=True, seed=seed)
    loader = DataLoader(dataset, batch_size=batch_size, sampler=sampler)
    if use_ddp:
        trained = DistributedDataParallel(model)
    else:
        broadcast_parameters(model)
        trained = model
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    losses = []
    for epoch in range(epochs):
        sampler.set_epoch(epoch)
        for inputs, targets in loader:
            optimizer.zero_grad()
            loss = criterion(trained(inputs), targets)
            loss.backward()
            if not use_ddp:
                average_gradients(model)
            optimizer.step()
            losses.append(loss.item())
    if checkpoint_path is not None:
        dist.barrier()
        if rank == 0:
            torch.save(model.state_dict(), checkpoint_path)
    return losses
