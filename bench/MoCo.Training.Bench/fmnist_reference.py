# What the PyTorch sides of the training benchmarks share (moco_fmnist.py, step_profile.py): MoCo's CIFAR-demo split BN,
# the narrow small-image ResNet-18, and the batched augmentation (crop + flip as one grid_sample, brightness/contrast
# jitter with p 0.8), as MoCo.Training does them.
import math
import random

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision


class SplitBatchNorm(nn.BatchNorm2d):  # as in MoCo's CIFAR demo
    def __init__(self, num_features, num_splits):
        super().__init__(num_features)
        self.num_splits = num_splits

    def forward(self, input):
        N, C, H, W = input.shape
        if self.training:
            rm = self.running_mean.repeat(self.num_splits)
            rv = self.running_var.repeat(self.num_splits)
            out = F.batch_norm(input.view(-1, C * self.num_splits, H, W), rm, rv, self.weight.repeat(self.num_splits),
                               self.bias.repeat(self.num_splits), True, self.momentum, self.eps).view(N, C, H, W)
            self.running_mean.data.copy_(rm.view(self.num_splits, C).mean(dim=0))
            self.running_var.data.copy_(rv.view(self.num_splits, C).mean(dim=0))
            return out
        return F.batch_norm(input, self.running_mean, self.running_var, self.weight, self.bias, False, self.momentum, self.eps)


def narrow_resnet18(width, splits, in_channels=1, num_classes=128):
    """torchvision's ResNet-18 with base width `width`, a 3x3 stride-1 stem and no max-pool, split BN over `splits`."""
    norm = (lambda c: SplitBatchNorm(c, splits)) if splits > 1 else nn.BatchNorm2d
    block = torchvision.models.resnet.BasicBlock
    net = torchvision.models.resnet.ResNet(block, [2, 2, 2, 2], num_classes=num_classes, norm_layer=norm, width_per_group=64)
    # narrow: rebuild with the base width (torchvision's ResNet has no width option for BasicBlock)
    w = width
    net.inplanes = w
    net.conv1 = nn.Conv2d(in_channels, w, 3, 1, 1, bias=False)
    net.bn1 = norm(w)
    net.maxpool = nn.Identity()
    net.layer1 = net._make_layer(block, w, 2)
    net.layer2 = net._make_layer(block, 2 * w, 2, stride=2)
    net.layer3 = net._make_layer(block, 4 * w, 2, stride=2)
    net.layer4 = net._make_layer(block, 8 * w, 2, stride=2)
    net.fc = nn.Linear(8 * w, num_classes)
    for m in net.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
    return net


def crop_params(h, w):  # torchvision RandomResizedCrop.get_params, scale (0.2, 1)
    area = h * w
    for _ in range(10):
        t = area * random.uniform(0.2, 1.0)
        r = math.exp(random.uniform(math.log(3 / 4), math.log(4 / 3)))
        cw, ch = int(round(math.sqrt(t * r))), int(round(math.sqrt(t / r)))
        if 0 < cw <= w and 0 < ch <= h:
            return random.randint(0, h - ch), random.randint(0, w - cw), ch, cw
    return 0, 0, h, w


def augment(x, mean, std, dev):  # uint8 N×1×H×W → float views, normalised with (mean, std), on dev
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
    theta, b, k, order = theta.to(dev), b.to(dev), k.to(dev), order.to(dev)
    y = F.grid_sample(x.float() / 255, F.affine_grid(theta, [n, c, w, w], align_corners=False), padding_mode="border", align_corners=False)
    bc = ((y * b).clamp(0, 1) - 0)
    bc = (bc * k + (1 - k) * bc.mean((1, 2, 3), keepdim=True)).clamp(0, 1)
    cb = (y * k + (1 - k) * y.mean((1, 2, 3), keepdim=True)).clamp(0, 1)
    cb = (cb * b).clamp(0, 1)
    return (torch.where(order, cb, bc) - mean) / std
