# The PyTorch side of the MoCo pretraining benchmark: the same work as `moco pretrain` with the same flags —
# MoCo v2 (official builder.py semantics, CIFAR-demo options: symmetric loss, split BN, single-device key shuffle)
# on Fashion-MNIST with a narrow ResNet-18 (3x3 stem, no max-pool, 1 input channel), the same batched augmentation
# (RandomResizedCrop + flip via affine_grid/grid_sample, brightness/contrast jitter p=0.8), SGD + cosine per epoch,
# kNN monitor (k=200, t=0.1) on backbone features. Prints images/s per epoch and kNN top-1, as JSON lines.
# --device cuda runs it all on the GPU (augmentation parameters drawn on the CPU, as ours); --arch resnet50 with --data DIR
# (an MNIST-layout IDX folder, e.g. 224x224 images) gives the ImageNet-shaped encoder (7x7 stem, max-pool, width 64).
import argparse
import gzip
import json
import math
import random
import struct
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

from fmnist_reference import SplitBatchNorm, augment as reference_augment, narrow_resnet18

p = argparse.ArgumentParser()
p.add_argument("--limit", type=int, default=60000)
p.add_argument("--epochs", type=int, default=1)
p.add_argument("--batch", type=int, default=256)
p.add_argument("--queue", type=int, default=4096)
p.add_argument("--momentum", type=float, default=0.99)
p.add_argument("--temperature", type=float, default=0.1)
p.add_argument("--lr", type=float, default=0.06)
p.add_argument("--wd", type=float, default=1e-4)
p.add_argument("--width", type=int, default=16)
p.add_argument("--bn-splits", type=int, default=8)
p.add_argument("--symmetric", type=int, default=1)
p.add_argument("--threads", type=int, default=2)
p.add_argument("--knn-limit", type=int, default=10000)
p.add_argument("--seed", type=int, default=0)
p.add_argument("--device", default="cpu")
p.add_argument("--arch", default="resnet18", choices=["resnet18", "resnet50"])
p.add_argument("--data", default="/usr/share/datasets/fashion-mnist/")
p.add_argument("--mean", type=float, default=0.2860)
p.add_argument("--std", type=float, default=0.3530)
p.add_argument("--cudnn-benchmark", type=int, default=0)
p.add_argument("--knn", type=int, default=1)
p.add_argument("--method", choices=["moco", "memory-bank"], default="moco")   # memory-bank: InstDisc as MoCo's baseline
p.add_argument("--bank-momentum", type=float, default=0.5)
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(a.seed)
random.seed(a.seed)
dev = torch.device(a.device)
torch.backends.cudnn.benchmark = bool(a.cudnn_benchmark)
D = a.data.rstrip("/") + "/"


def idx(name, images):
    import os
    raw = gzip.open(D + name, "rb").read() if os.path.exists(D + name) else open(D + name[:-3], "rb").read()
    if images:
        n, h, w = struct.unpack(">III", raw[4:16])
        return torch.from_numpy(np.frombuffer(raw, np.uint8, offset=16).reshape(n, 1, h, w).copy())
    return torch.from_numpy(np.frombuffer(raw, np.uint8, offset=8).astype(np.int64))


train_x, train_y = idx("train-images-idx3-ubyte.gz", True)[: a.limit], idx("train-labels-idx1-ubyte.gz", False)[: a.limit]
if a.knn:
    test_x, test_y = idx("t10k-images-idx3-ubyte.gz", True)[: a.knn_limit], idx("t10k-labels-idx1-ubyte.gz", False)[: a.knn_limit]
MEAN, STD = a.mean, a.std


def encoder():
    if a.arch == "resnet50":  # torchvision's, 1 input channel
        norm = (lambda c: SplitBatchNorm(c, a.bn_splits)) if a.bn_splits > 1 else nn.BatchNorm2d
        net = torchvision.models.resnet50(num_classes=128, norm_layer=norm)
        net.conv1 = nn.Conv2d(train_x.shape[1], 64, 7, 2, 3, bias=False)
        nn.init.kaiming_normal_(net.conv1.weight, mode="fan_out", nonlinearity="relu")
        return net
    return narrow_resnet18(a.width, a.bn_splits)


class MoCo(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder_q, self.encoder_k = encoder(), encoder()
        d = self.encoder_q.fc.weight.shape[1]
        self.encoder_q.fc = nn.Sequential(nn.Linear(d, d), nn.ReLU(), self.encoder_q.fc)
        self.encoder_k.fc = nn.Sequential(nn.Linear(d, d), nn.ReLU(), self.encoder_k.fc)
        for pq, pk in zip(self.encoder_q.parameters(), self.encoder_k.parameters()):
            pk.data.copy_(pq.data)
            pk.requires_grad = False
        self.register_buffer("queue", F.normalize(torch.randn(128, a.queue), dim=0))
        self.register_buffer("queue_ptr", torch.zeros(1, dtype=torch.long))

    @torch.no_grad()
    def momentum_update(self):
        for pq, pk in zip(self.encoder_q.parameters(), self.encoder_k.parameters()):
            pk.data = pk.data * a.momentum + pq.data * (1.0 - a.momentum)

    @torch.no_grad()
    def enqueue(self, keys):
        n = keys.shape[0]
        ptr = int(self.queue_ptr)
        self.queue[:, ptr:ptr + n] = keys.t()
        self.queue_ptr[0] = (ptr + n) % a.queue

    def contrastive_loss(self, im_q, im_k, negatives):
        q = F.normalize(self.encoder_q(im_q), dim=1)
        with torch.no_grad():
            idx = torch.randperm(im_k.shape[0]).to(dev)
            k = F.normalize(self.encoder_k(im_k[idx]), dim=1)[torch.argsort(idx)]
        logits = torch.cat([(q * k).sum(1, keepdim=True), q @ negatives], dim=1) / a.temperature
        return F.cross_entropy(logits, torch.zeros(logits.shape[0], dtype=torch.long, device=dev)), k

    def forward(self, x1, x2):
        self.momentum_update()
        negatives = self.queue.clone().detach()
        if a.symmetric:
            l12, k2 = self.contrastive_loss(x1, x2, negatives)
            l21, k1 = self.contrastive_loss(x2, x1, negatives)
            self.enqueue(torch.cat([k1, k2]))
            return l12 + l21
        loss, k = self.contrastive_loss(x1, x2, negatives)
        self.enqueue(k)
        return loss


def augment(x):
    return reference_augment(x, MEAN, STD, dev)



class MemoryBank(nn.Module):
    """InstDisc's memory bank as the MoCo paper compares it (the same choices as MoCo.Training's MemoryBankContrast):
    queries of the first view, the positive is the bank's entry of the same image, K negatives drawn uniformly once a
    batch, InfoNCE, then v <- normalise(m v + (1 - m) q) for the batch's entries. Linear head (no MLP)."""

    def __init__(self, n):
        super().__init__()
        self.encoder_q = encoder()
        self.register_buffer("bank", F.normalize(torch.randn(n, 128), dim=1))

    def forward(self, x1, x2, ind):
        q = F.normalize(self.encoder_q(x1), dim=1)
        negatives = self.bank[torch.randint(0, self.bank.shape[0], (a.queue,))]
        logits = torch.cat([(q * self.bank[ind]).sum(1, keepdim=True), q @ negatives.t()], 1) / a.temperature
        loss = F.cross_entropy(logits, torch.zeros(len(q), dtype=torch.long, device=q.device))
        with torch.no_grad():
            self.bank[ind] = F.normalize(a.bank_momentum * self.bank[ind] + (1 - a.bank_momentum) * q, dim=1)
        return loss

    def mean_cosine(self):
        s = self.bank @ self.bank.t()
        return ((s.sum() - s.diag().sum()) / (len(s) * (len(s) - 1))).item()


@torch.no_grad()
def knn_top1(net):
    net.eval()
    f = lambda x: F.normalize(torch.nn.Sequential(*list(net.children())[:-1])((x.to(dev).float() / 255 - MEAN) / STD).flatten(1), dim=1)
    bank = torch.cat([f(train_x[i:i + 512]) for i in range(0, min(len(train_x), a.knn_limit), 512)])
    labels = train_y[: bank.shape[0]].to(dev)
    correct = 0
    for i in range(0, len(test_x), 512):
        sim = f(test_x[i:i + 512]) @ bank.t()
        w, ind = sim.topk(min(200, bank.shape[0]), dim=1)
        votes = torch.zeros(sim.shape[0], 10, device=dev).scatter_add_(1, labels[ind], (w / 0.1).exp())
        correct += (votes.argmax(1) == test_y[i:i + 512].to(dev)).sum().item()
    net.train()
    return correct / len(test_x)


model = (MoCo() if a.method == "moco" else MemoryBank(len(train_x))).to(dev)
opt = torch.optim.SGD(model.encoder_q.parameters(), lr=a.lr, momentum=0.9, weight_decay=a.wd)
steps = len(train_x) // a.batch
if a.knn:
    print(json.dumps({"knn_top1_before": knn_top1(model.encoder_q)}), flush=True)
for epoch in range(a.epochs):
    for g in opt.param_groups:
        g["lr"] = a.lr * 0.5 * (1 + math.cos(math.pi * epoch / a.epochs))
    perm = torch.randperm(len(train_x))
    if dev.type == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    for s in range(steps):
        x = train_x[perm[s * a.batch:(s + 1) * a.batch]].to(dev)
        ind = perm[s * a.batch:(s + 1) * a.batch].to(dev)
        loss = model(augment(x), augment(x)) if a.method == "moco" else model(augment(x), augment(x), ind)
        opt.zero_grad()
        loss.backward()
        opt.step()
    if dev.type == "cuda":
        torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    print(json.dumps({"epoch": epoch, "loss": loss.item(), "images_per_s": steps * a.batch / seconds,
                      "knn_top1": knn_top1(model.encoder_q) if a.knn else None,
                      **({"bank_mean_cosine": model.mean_cosine()} if a.method == "memory-bank" else {})}), flush=True)
