# PyTorch eager eval forward of the same encoders (torchvision ResNets; the Fashion-MNIST one narrowed to width 16,
# 3x3 stem, no max-pool, 1 channel), best of 3 rounds, features per second. Usage: eager.py [threads]
import sys
import time

import torch
import torchvision

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
torch.set_num_threads(threads)
BB = torchvision.models.resnet.BasicBlock


def narrow():
    net = torchvision.models.resnet18()
    w = 16
    net.inplanes = w
    net.conv1 = torch.nn.Conv2d(1, w, 3, 1, 1, bias=False)
    net.bn1 = torch.nn.BatchNorm2d(w)
    net.maxpool = torch.nn.Identity()
    net.layer1 = net._make_layer(BB, w, 2)
    net.layer2 = net._make_layer(BB, 2 * w, 2, stride=2)
    net.layer3 = net._make_layer(BB, 4 * w, 2, stride=2)
    net.layer4 = net._make_layer(BB, 8 * w, 2, stride=2)
    net.fc = torch.nn.Identity()
    return net


def rate(net, x, reps):
    net.eval()
    with torch.no_grad():
        net(x)
        best = 0
        for _ in range(3):
            t = time.perf_counter()
            for _ in range(reps):
                net(x)
            best = max(best, x.shape[0] * reps / (time.perf_counter() - t))
    return best


r50 = torchvision.models.resnet50()
r50.fc = torch.nn.Identity()
for name, net, x, reps in [("fmnist-r18w16-28", narrow(), torch.randn(256, 1, 28, 28), 10),
                           ("resnet50-224", r50, torch.randn(1, 3, 224, 224), 20),
                           ("resnet50-224", r50, torch.randn(32, 3, 224, 224), 3)]:
    print(f"{name} batch {x.shape[0]}: PyTorch eager {rate(net, x, reps):.1f}/s")
