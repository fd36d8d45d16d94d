# The PyTorch side of the step profile (Program.cs): the same MoCo v2 step on Fashion-MNIST, timed phase by phase.
# Narrow ResNet-18 (width 16, 3x3 stem, no max-pool, 1 channel), batch 256, K 4096, symmetric loss, split BN, MLP head,
# SGD momentum 0.9, wd 1e-4. Encoder and augmentation come from fmnist_reference.py, as moco_fmnist.py's do.
# Usage: step_profile.py [steps] [threads] [bn-splits]
import random, resource, sys, time, gzip, struct
import numpy as np
import torch, torch.nn as nn, torch.nn.functional as F

from fmnist_reference import augment as reference_augment, narrow_resnet18

steps = int(sys.argv[1]) if len(sys.argv) > 1 else 20
threads = int(sys.argv[2]) if len(sys.argv) > 2 else 2
splits = int(sys.argv[3]) if len(sys.argv) > 3 else 8
BATCH, WARMUP, W, MEAN, STD = 256, 3, 16, 0.2860, 0.3530
torch.set_num_threads(threads)
torch.manual_seed(0)
random.seed(0)
raw = gzip.open("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz").read()
n, h, w = struct.unpack(">III", raw[4:16])
images = torch.from_numpy(np.frombuffer(raw, np.uint8, offset=16).reshape(n, 1, h, w)[: BATCH * 8].copy())


def encoder():  # v2: the MLP head
    net = narrow_resnet18(W, splits)
    net.fc = nn.Sequential(nn.Linear(8 * W, 8 * W), nn.ReLU(), nn.Linear(8 * W, 128))
    return net


enc_q, enc_k = encoder(), encoder()
for pq, pk in zip(enc_q.parameters(), enc_k.parameters()):
    pk.data.copy_(pq.data)
    pk.requires_grad = False
queue = F.normalize(torch.randn(128, 4096), dim=0)
ptr = 0
opt = torch.optim.SGD(enc_q.parameters(), lr=0.06, momentum=0.9, weight_decay=1e-4)


def augment(x):
    return reference_augment(x, MEAN, STD, torch.device("cpu"))


def keys(x):
    with torch.no_grad():
        idx = torch.randperm(x.shape[0])
        return F.normalize(enc_k(x[idx]), dim=1)[torch.argsort(idx)]


def info_nce(q, k, negatives):
    logits = torch.cat([(q * k).sum(1, keepdim=True), q @ negatives], dim=1) / 0.1
    return F.cross_entropy(logits, torch.zeros(logits.shape[0], dtype=torch.long))


names = ["augment", "momentum update", "keys (2 shuffled forwards)", "queries + loss", "backward", "optimizer step", "enqueue"]
sec = [0.0] * len(names)
total = 0.0
enc_q.train(); enc_k.train()
for step in range(WARMUP + steps):
    timed = step >= WARMUP
    t_step = time.perf_counter()
    marks = [time.perf_counter()]
    x = images[step % 8 * BATCH:(step % 8 + 1) * BATCH]
    x1, x2 = augment(x), augment(x)
    marks.append(time.perf_counter())
    opt.zero_grad()
    t = time.perf_counter()
    with torch.no_grad():
        for pq, pk in zip(enc_q.parameters(), enc_k.parameters()):
            pk.mul_(0.99).add_(pq, alpha=0.01)
    sec_m = time.perf_counter() - t
    negatives = queue.clone()
    t0 = time.perf_counter()
    k2, k1 = keys(x2), keys(x1)
    t1 = time.perf_counter()
    loss = info_nce(F.normalize(enc_q(x1), dim=1), k2, negatives) + info_nce(F.normalize(enc_q(x2), dim=1), k1, negatives)
    t2 = time.perf_counter()
    loss.backward()
    t3 = time.perf_counter()
    opt.step()
    t4 = time.perf_counter()
    with torch.no_grad():
        kk = torch.cat([k1, k2])
        queue[:, ptr:ptr + kk.shape[0]] = kk.t()
        ptr = (ptr + kk.shape[0]) % 4096
    t5 = time.perf_counter()
    if timed:
        for i, d in enumerate([marks[1] - marks[0], sec_m, t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4]):
            sec[i] += d
        total += time.perf_counter() - t_step
print(f"PyTorch {torch.__version__}, {threads} threads, bn-splits {splits}: {steps} steps")
for name, s in zip(names, sec):
    print(f"  {name:<28} {s / steps * 1000:8.1f} ms")
print(f"  {'step':<28} {total / steps * 1000:8.1f} ms   {BATCH * steps / total:7.1f} images/s")
print(f"  VmHWM:  {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss} kB")
