"""torchvision 0.14 + PIL baseline for MoCo.Imaging.Bench: the same v2 recipe, two views per image.

Usage: /usr/bin/python3 baseline.py (fmnist|jpeg DIR) THREADS     (also: make-jpegs DIR N [WIDTH HEIGHT])
THREADS = DataLoader workers (0 means the main process only)."""
import gzip
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torchvision.transforms as T
from PIL import Image, ImageFilter

if sys.argv[1] == "make-jpegs":  # make-jpegs DIR N [WIDTH HEIGHT], default 500x375
    out = Path(sys.argv[2]); out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    width, height = (int(sys.argv[4]), int(sys.argv[5])) if len(sys.argv) > 5 else (500, 375)
    for i in range(int(sys.argv[3])):
        y, x = np.mgrid[0:height, 0:width]
        a = np.stack([(x + i) % 256, (y * 2) % 256, (x + y) % 256], -1) + rng.integers(0, 40, (height, width, 3))
        Image.fromarray(np.clip(a, 0, 255).astype(np.uint8)).save(out / f"{i:05d}.jpg", quality=90)
    sys.exit(0)


class Blur:  # moco/loader.py GaussianBlur
    def __call__(self, x):
        import random
        return x.filter(ImageFilter.GaussianBlur(radius=random.uniform(0.1, 2.0)))


def v2(size, mean, std):
    return T.Compose([
        T.RandomResizedCrop(size, scale=(0.2, 1.0)),
        T.RandomApply([T.ColorJitter(0.4, 0.4, 0.4, 0.1)], p=0.8),
        T.RandomGrayscale(p=0.2),
        T.RandomApply([Blur()], p=0.5),
        T.RandomHorizontalFlip(),
        T.ToTensor(),
        T.Normalize(mean, std)])


class Data(torch.utils.data.Dataset):
    def __init__(self, mode, arg):
        self.mode = mode
        if mode == "fmnist":
            raw = gzip.open("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz").read()[16:]
            self.x = np.frombuffer(raw, np.uint8).reshape(-1, 28, 28)
            self.t = v2(28, [0.286], [0.353])
        else:
            self.x = sorted(Path(arg).glob("*.jpg"))
            self.t = v2(224, [0.485, 0.456, 0.406], [0.229, 0.224, 0.225])

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        img = Image.fromarray(self.x[i], "L") if self.mode == "fmnist" else Image.open(self.x[i]).convert("RGB")
        return self.t(img), self.t(img)


threads = int(sys.argv[-1])
torch.set_num_threads(1)
loader = torch.utils.data.DataLoader(Data(sys.argv[1], sys.argv[2] if len(sys.argv) > 3 else None), batch_size=64, num_workers=threads, shuffle=True)
start = time.perf_counter()
n = sum(q.shape[0] for q, _ in loader)
dt = time.perf_counter() - start
print(f"torchvision {sys.argv[1]} workers={threads}: {n / dt:.0f} view pairs/s ({n} in {dt:.2f} s)")
