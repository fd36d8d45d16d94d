# Writes PyTorch checkpoints in the layouts that MoCo.Training.Import reads, with random weights (BN statistics and
# counters too), and beside each the tensors the import must produce under our names, so a test can compare them.
# Each layout builds its networks with torchvision's own ResNet classes, at any width.
import argparse
import collections
import copy

import torch
import torch.nn as nn
from torchvision.models.resnet import BasicBlock, Bottleneck, ResNet

from safetensors_io import st_save

ARCHS = {"resnet18": (BasicBlock, [2, 2, 2, 2]), "resnet34": (BasicBlock, [3, 4, 6, 3]), "resnet50": (Bottleneck, [3, 4, 6, 3])}


# solo-learn's CIFAR stem (solo/methods/base.py): conv1 = a 3x3 stride-1 convolution padded by 2, maxpool = Identity.
SOLO_LEARN_CIFAR_STEM_PADDING = 2


def resnet(arch, width, small, channels, num_classes=10, scaled=False, stem_padding=None):
    """torchvision's ResNet with base width `width`; small: 3x3 stride-1 stem without max-pool; stem_padding: conv1's
    padding (default 1 for the 3x3 stem, 3 for the 7x7); scaled: see randomise."""
    block, layers = ARCHS[arch]
    m = ResNet(block, layers, num_classes=num_classes)
    m.inplanes = width
    if stem_padding is None:
        stem_padding = 1 if small else 3
    m.conv1 = nn.Conv2d(channels, width, 3, 1, stem_padding, bias=False) if small else nn.Conv2d(channels, width, 7, 2, stem_padding, bias=False)
    m.bn1 = nn.BatchNorm2d(width)
    if small:
        m.maxpool = nn.Identity()
    m.layer1 = m._make_layer(block, width, layers[0])
    m.layer2 = m._make_layer(block, width * 2, layers[1], stride=2)
    m.layer3 = m._make_layer(block, width * 4, layers[2], stride=2)
    m.layer4 = m._make_layer(block, width * 8, layers[3], stride=2)
    m.fc = nn.Linear(width * 8 * block.expansion, num_classes)
    randomise(m, scaled)
    return m


def randomise(module, scaled=False):
    """Random values in every parameter and buffer, so that a wrong mapping cannot pass. scaled: convolution and linear
    weights divided by the square root of their fan-in, so that a deep network's forward stays finite (a ResNet-50 of
    unit-variance weights overflows float32)."""
    with torch.no_grad():
        for name, t in module.state_dict().items():
            if name.endswith("num_batches_tracked"):
                t.fill_(int(torch.randint(1, 10000, ())))
            elif name.endswith("running_var"):
                t.copy_(torch.rand_like(t) + 0.5)
            elif scaled and t.dim() >= 2:
                t.copy_(torch.randn_like(t) / t[0].numel() ** 0.5)
            else:
                t.copy_(torch.randn_like(t))


def feature_dim(arch, width):
    return width * 8 * ARCHS[arch][0].expansion


def backbone(m):
    return {k: v for k, v in m.state_dict().items() if not k.startswith("fc.")}


def mlp(d, dim):
    return nn.Sequential(nn.Linear(d, d), nn.ReLU(), nn.Linear(d, dim))


def save(obj, path, legacy):
    torch.save(obj, path, _use_new_zipfile_serialization=not legacy)


def expected(path, tensors):
    st_save(path, {k: v.detach().contiguous() for k, v in tensors.items()})


def moco(path, expected_path, arch, width, small, channels, head, legacy, dim=16, k=64, scaled=False):
    """facebookresearch/moco main_moco.py's checkpoint: {'epoch', 'arch', 'state_dict', 'optimizer'}, DDP 'module.' names."""
    d = feature_dim(arch, width)
    q = resnet(arch, width, small, channels, num_classes=dim, scaled=scaled)
    if head == "mlp":
        q.fc = mlp(d, dim)
        randomise(q.fc, scaled)
    k_enc = copy.deepcopy(q)
    randomise(k_enc, scaled)
    queue = nn.functional.normalize(torch.randn(dim, k), dim=0)
    ptr = torch.tensor([3 * 16], dtype=torch.long)
    sd = collections.OrderedDict()
    for n, v in q.state_dict().items():
        sd["module.encoder_q." + n] = v
    for n, v in k_enc.state_dict().items():
        sd["module.encoder_k." + n] = v
    sd["module.queue"] = queue
    sd["module.queue_ptr"] = ptr
    opt = torch.optim.SGD(q.parameters(), lr=0.03, momentum=0.9, weight_decay=1e-4)
    save({"epoch": 200, "arch": arch, "state_dict": sd, "optimizer": opt.state_dict()}, path, legacy)
    exp = {"encoder_q." + n: v for n, v in q.state_dict().items()}
    exp.update({"encoder_k." + n: v for n, v in k_enc.state_dict().items()})
    exp["queue"] = queue
    exp["queue_ptr"] = ptr
    expected(expected_path, exp)


def moco_v3(path, expected_path, arch, width, small, channels, legacy, scaled=False):
    """facebookresearch/moco-v3's checkpoint: base_encoder (fc = a BN MLP), momentum_encoder, predictor, a scaler."""
    d = feature_dim(arch, width)
    def v3_mlp(din):
        return nn.Sequential(nn.Linear(din, 32, bias=False), nn.BatchNorm1d(32), nn.ReLU(), nn.Linear(32, 16, bias=False), nn.BatchNorm1d(16, affine=False))
    base = resnet(arch, width, small, channels, scaled=scaled)
    base.fc = v3_mlp(d)
    momentum = copy.deepcopy(base)
    predictor = v3_mlp(16)
    sd = collections.OrderedDict()
    for prefix, m in (("module.base_encoder.", base), ("module.momentum_encoder.", momentum), ("module.predictor.", predictor)):
        for n, v in m.state_dict().items():
            sd[prefix + n] = v
    save({"epoch": 300, "arch": arch, "state_dict": sd, "optimizer": {}, "scaler": {"scale": 65536.0, "_growth_tracker": 0}}, path, legacy)
    expected(expected_path, {"encoder_q." + n: v for n, v in backbone(base).items()})


def torchvision_resnet(path, expected_path, arch, width, small, channels, legacy, scaled=False):
    """A supervised torchvision state dict: torch.save(model.state_dict())."""
    m = resnet(arch, width, small, channels, num_classes=1000 if width == 64 else 10, scaled=scaled)
    save(m.state_dict(), path, legacy)
    expected(expected_path, {"encoder_q." + n: v for n, v in backbone(m).items()})


class AttributeDict(dict):
    """Stands in for Lightning's hyper-parameters class: a dict subclass that pickles as NEWOBJ + SETITEMS."""


def lightly(path, expected_path, arch, width, small, channels, legacy, prefix="backbone.", names="index", scaled=False):
    """lightly's MoCo example as a Lightning checkpoint: backbone = nn.Sequential(*list(resnet.children())[:-1]) (names
    "index": backbone.0 = conv1, .1 = bn1, .4-.7 = layer1-4), or the torchvision ResNet itself with fc = Identity (names
    "torchvision": backbone.conv1, backbone.layer1...)."""
    r = resnet(arch, width, small, channels, scaled=scaled)
    if names == "index":
        seq = nn.Sequential(*list(r.children())[:-1])
    else:
        seq = copy.deepcopy(r)
        seq.fc = nn.Identity()
    head = mlp(feature_dim(arch, width), 16)
    sd = collections.OrderedDict()
    for n, v in seq.state_dict().items():
        sd[prefix + n] = v
    for n, v in head.state_dict().items():
        sd["projection_head.layers." + n] = v
    for n, v in copy.deepcopy(seq).state_dict().items():
        sd["backbone_momentum." + n] = v
    ckpt = {"epoch": 9, "global_step": 900, "pytorch-lightning_version": "1.9.0", "state_dict": sd,
            "hyper_parameters": AttributeDict(lr=0.06, max_epochs=10), "optimizer_states": [], "lr_schedulers": []}
    save(ckpt, path, legacy)
    expected(expected_path, {"encoder_q." + n: v for n, v in backbone(r).items()})


def solo_learn(path, expected_path, arch, width, small, channels, legacy, old=False, scaled=False):
    """solo-learn's Lightning checkpoint: backbone (torchvision names, fc = Identity), momentum_backbone, projector,
    classifier; before solo-learn 1.0 (old) encoder and momentum_encoder. A small-image network has solo-learn's CIFAR
    stem (padding 2), so its forward (features(..., stem_padding=2)) is solo-learn's."""
    r = resnet(arch, width, small, channels, stem_padding=SOLO_LEARN_CIFAR_STEM_PADDING if small else None, scaled=scaled)
    r.fc = nn.Identity()
    sd = collections.OrderedDict()
    for n, v in r.state_dict().items():
        sd[("encoder." if old else "backbone.") + n] = v
    for n, v in copy.deepcopy(r).state_dict().items():
        sd[("momentum_encoder." if old else "momentum_backbone.") + n] = v
    for n, v in mlp(feature_dim(arch, width), 16).state_dict().items():
        sd["projector." + n] = v
    for n, v in nn.Linear(feature_dim(arch, width), 10).state_dict().items():
        sd["classifier." + n] = v
    ckpt = {"epoch": 9, "state_dict": sd, "hyper_parameters": {"cfg": argparse.Namespace(method="mocov2plus", backbone=arch)}}
    save(ckpt, path, legacy)
    expected(expected_path, {"encoder_q." + n: v for n, v in r.state_dict().items()})


def features(expected_path, out_path, arch, width, small, channels, size, head=None, dim=16, n=3, stem_padding=None):
    """PyTorch's forward in eval mode of the encoder an import must produce (the tensors under our names in
    expected_path, loaded into torchvision's ResNet, its conv1 padded by stem_padding): on n random images of side
    `size`, the backbone's pooled features and, with a head ("linear" or "mlp"), the head's output. Writes x, features
    (and head) to out_path."""
    from safetensors_io import st_load
    state = {k[len("encoder_q."):]: v for k, v in st_load(expected_path).items() if k.startswith("encoder_q.")}
    m = resnet(arch, width, small, channels, num_classes=dim, stem_padding=stem_padding)
    d = feature_dim(arch, width)
    m.fc = {"mlp": lambda: mlp(d, dim), "linear": lambda: nn.Linear(d, dim), None: nn.Identity}[head]()
    m.load_state_dict(state, strict=True)
    m.eval()
    x = torch.randn(n, channels, size, size)
    out = {"x": x}
    with torch.no_grad():
        if head is not None:
            out["head"] = m(x)
        m.fc = nn.Identity()
        out["features"] = m(x)
    st_save(out_path, {k: v.contiguous() for k, v in out.items()})


class Reduce:
    """Pickles as a call of f(*args): what a hostile file carries (unpickling in Python calls it)."""
    def __init__(self, f, *args):
        self.f, self.args = f, args

    def __reduce__(self):
        return (self.f, self.args)


def hostile(path, sentinel, kind, where, legacy):
    """A file whose unpickling in Python creates `sentinel` through os.system, builtins.eval or subprocess.Popen (kind),
    as the whole file, as the checkpoint's state_dict, or nested in its hyper-parameters beside a real state dict (where)."""
    import os
    import subprocess
    payload = {
        "os": lambda: Reduce(os.system, "touch " + sentinel),
        "eval": lambda: Reduce(eval, "__import__('os').system('touch " + sentinel + "')"),
        "subprocess": lambda: Reduce(subprocess.Popen, ["touch", sentinel]),
    }[kind]()
    obj = {
        "whole": lambda: payload,
        "state_dict": lambda: {"epoch": 1, "state_dict": payload},
        "nested": lambda: {"state_dict": collections.OrderedDict(w=torch.ones(2)), "hyper_parameters": dict(x=payload)},
    }[where]()
    save(obj, path, legacy)
