# The PyTorch side of the step profile (Program.cs): the same MoCo v2 step on Fashion-MNIST, timed phase by phase.
# Narrow ResNet-18 (width 16, 3x3 stem, no max-pool, 1 channel), batch 256, K 4096, symmetric loss, split BN, MLP head,
# SGD momentum 0.9, wd 1e-4. The augmentation is moco_fmnist.py's (crop + flip as one grid_sample, jitter p 0.8).
# Usage: step_profile.py [steps] [threads] [bn-splits]
import math, random, sys, time, gzip, struct
import numpy as np
import torch, torch.nn as nn, torch.nn.functional as F, torchvision

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


class SplitBatchNorm(nn.BatchNorm2d):  # MoCo's CIFAR demo
    def __init__(self, c, s):
        super().__init__(c)
        self.s = s

    def forward(self, x):
        N, C, H, W_ = x.shape
        if not self.training:
            return F.batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias, False, self.momentum, self.eps)
        rm, rv = self.running_mean.repeat(self.s), self.running_var.repeat(self.s)
        out = F.batch_norm(x.view(-1, C * self.s, H, W_), rm, rv, self.weight.repeat(self.s), self.bias.repeat(self.s),
                           True, self.momentum, self.eps).view(N, C, H, W_)
        self.running_mean.data.copy_(rm.view(self.s, C).mean(dim=0))
        self.running_var.data.copy_(rv.view(self.s, C).mean(dim=0))
        return out


def encoder():
    norm = (lambda c: SplitBatchNorm(c, splits)) if splits > 1 else nn.BatchNorm2d
    B = torchvision.models.resnet.BasicBlock
    net = torchvision.models.resnet.ResNet(B, [2, 2, 2, 2], num_classes=128, norm_layer=norm)
    net.inplanes = W
    net.conv1, net.bn1, net.maxpool = nn.Conv2d(1, W, 3, 1, 1, bias=False), norm(W), nn.Identity()
    net.layer1 = net._make_layer(B, W, 2)
    net.layer2 = net._make_layer(B, 2 * W, 2, stride=2)
    net.layer3 = net._make_layer(B, 4 * W, 2, stride=2)
    net.layer4 = net._make_layer(B, 8 * W, 2, stride=2)
    net.fc = nn.Sequential(nn.Linear(8 * W, 8 * W), nn.ReLU(), nn.Linear(8 * W, 128))
    return net


enc_q, enc_k = encoder(), encoder()
for pq, pk in zip(enc_q.parameters(), enc_k.parameters()):
    pk.data.copy_(pq.data)
    pk.requires_grad = False
queue = F.normalize(torch.randn(128, 4096), dim=0)
ptr = 0
opt = torch.optim.SGD(enc_q.parameters(), lr=0.06, momentum=0.9, weight_decay=1e-4)


def crop_params(h, w):
    for _ in range(10):
        t = h * w * random.uniform(0.2, 1.0)
        r = math.exp(random.uniform(math.log(3 / 4), math.log(4 / 3)))
        cw, ch = int(round(math.sqrt(t * r))), int(round(math.sqrt(t / r)))
        if 0 < cw <= w and 0 < ch <= h:
            return random.randint(0, h - ch), random.randint(0, w - cw), ch, cw
    return 0, 0, h, w


def augment(x):
    n, c, h, w = x.shape
    theta = torch.zeros(n, 2, 3)
    b, k, order = torch.ones(n, 1, 1, 1), torch.ones(n, 1, 1, 1), torch.zeros(n, 1, 1, 1, dtype=torch.bool)
    for i in range(n):
        top, left, ch, cw = crop_params(h, w)
        flip = -1.0 if random.random() < 0.5 else 1.0
        theta[i] = torch.tensor([[cw / w * flip, 0, (2 * left + cw) / w - 1], [0, ch / h, (2 * top + ch) / h - 1]])
        if random.random() < 0.8:
            b[i], k[i] = random.uniform(0.6, 1.4), random.uniform(0.6, 1.4)
            order[i] = random.random() < 0.5
    y = F.grid_sample(x.float() / 255, F.affine_grid(theta, [n, c, w, w], align_corners=False), padding_mode="border", align_corners=False)
    bc = (y * b).clamp(0, 1)
    bc = (bc * k + (1 - k) * bc.mean((1, 2, 3), keepdim=True)).clamp(0, 1)
    cb = (y * k + (1 - k) * y.mean((1, 2, 3), keepdim=True)).clamp(0, 1)
    cb = (cb * b).clamp(0, 1)
    return (torch.where(order, cb, bc) - MEAN) / STD


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
import resource
print(f"  VmHWM:  {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss} kB")
