"""Every rank saves the checkpoint: N processes write the same file (wasted work at best, a
corrupted file at worst)."""

VERDICTS = {
    "train_by_hand_matches_one_process": ("failed", "'rank 1 wrote no checkpoint'"),
    "train_with_ddp_matches_one_process": ("failed", "'rank 1 wrote no checkpoint'"),
    "train_random": ("failed", "'use_ddp=False: rank 1 wrote no checkpoint'"),
}
DIAGNOSIS = {"*": ("wrote no checkpoint", "rank 0 only")}


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
        torch.save(model.state_dict(), checkpoint_path)
        dist.barrier()
    return losses
