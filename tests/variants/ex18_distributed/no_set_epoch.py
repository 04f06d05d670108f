"""The training loop never calls sampler.set_epoch(epoch): every epoch visits the samples in
epoch 0's order."""

VERDICTS = {
    "train_by_hand_matches_one_process": ("failed", "'rank 0: samples of epoch 1'"),
    "train_with_ddp_matches_one_process": ("failed", "'rank 0: samples of epoch 1'"),
    "train_random": ("failed", "'use_ddp=False: rank 0: samples of epoch 1'"),
}
DIAGNOSIS = {"*": ("set_epoch", "samples of epoch 1")}


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
    for _ in range(epochs):
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
            torch.save(model.state_dict(), checkpoint_path)
        dist.barrier()
    return losses
