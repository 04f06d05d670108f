"""With DDP, saves the wrapper's state_dict: every key starts with "module.", and the
checkpoint no longer loads into a plain model."""

VERDICTS = {
    "train_with_ddp_matches_one_process": ("failed", "'checkpoint keys (those of the plain model)'"),
    "train_random": ("failed", "'use_ddp=True: checkpoint keys (those of the plain model)'"),
}
DIAGNOSIS = {"*": ("module.", "plain model")}


def train_data_parallel(rank, world_size, model, dataset, criterion, *, epochs, batch_size, lr, use_ddp, seed=0,
                        checkpoint_path=None):
    sampler = DistributedSampler(dataset, num_replicas=world_size, rank=rank, shuffle=True, seed=seed)
    loader = DataLoader(dataset, batch_size=batch_size, sampler=sampler)
    if use_ddp:
        trained = DistributedDataParallel(model)
    else:
        broadcast_parameters(model)
        trained = model
    optimizer = torch.optim.SGD(trained.parameters(), lr=lr)
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
        if rank == 0:
            torch.save(trained.state_dict(), checkpoint_path)
        dist.barrier()
    return losses
