"""Applies torchvision 0.14 transforms on PIL images with parameters the C# tests chose.

Usage: /usr/bin/python3 torchvision_transforms.py DIR
Reads DIR/params.txt, one job per line:
  rrc NAME SRC i j h w size flip    -> F.resized_crop(..., BILINEAR) then F.hflip if flip
  eval NAME SRC resize crop         -> Resize(resize) + CenterCrop(crop); also NAME.f32: ToTensor + Normalize(ImageNet)
  jitter NAME SRC ORDER b c s h     -> F.adjust_brightness/contrast/saturation/hue in ORDER (digits of 0..3), as ColorJitter.forward
  blur NAME SRC sigma               -> img.filter(ImageFilter.GaussianBlur(radius=sigma)) (moco/loader.py)
  gray NAME SRC                     -> F.to_grayscale(img, 3) (RandomGrayscale)
  view NAME SRC i j h w size GB ORDER b c s h GA SIGMA FLIP
                                    -> one MoCo view: resized_crop, gray if GB, jitter unless ORDER is "-",
                                       gray if GA, GaussianBlur(SIGMA) unless "-", hflip if FLIP
Writes DIR/NAME.ref (b"w h c\n" + HWC bytes).
"""
import sys
from pathlib import Path

import numpy as np
import torch
import torchvision.transforms as T
import torchvision.transforms.functional as F
from PIL import Image, ImageFilter

d = Path(sys.argv[1])


def save(name, im):
    a = np.asarray(im)
    h, w = a.shape[:2]
    c = 1 if a.ndim == 2 else a.shape[2]
    (d / (name + ".ref")).write_bytes(f"{w} {h} {c}\n".encode() + a.tobytes())


for line in (d / "params.txt").read_text().splitlines():
    p = line.split()
    img = Image.open(d / p[2])
    img.load()
    if img.mode not in ("L", "RGB"):
        img = img.convert("RGB")  # as torchvision's pil_loader
    if p[0] == "rrc":
        i, j, h, w, size, flip = map(int, p[3:])
        out = F.resized_crop(img, i, j, h, w, [size, size], T.InterpolationMode.BILINEAR)
        if flip:
            out = F.hflip(out)
        save(p[1], out)
    elif p[0] == "eval":
        resize, crop = int(p[3]), int(p[4])
        out = T.CenterCrop(crop)(T.Resize(resize, T.InterpolationMode.BILINEAR)(img))
        save(p[1], out)
        c = len(out.getbands())
        mean, std = [0.485, 0.456, 0.406][:c], [0.229, 0.224, 0.225][:c]
        t = T.Normalize(mean, std)(T.ToTensor()(out))
        (d / (p[1] + ".f32")).write_bytes(t.numpy().astype(np.float32).tobytes())
    elif p[0] in ("jitter", "view"):
        if p[0] == "view":
            i, j, hh, ww, size, gb = map(int, p[3:9])
            img = F.resized_crop(img, i, j, hh, ww, [size, size], T.InterpolationMode.BILINEAR)
            if gb:
                img = F.to_grayscale(img, len(img.getbands()))
            p = p[:3] + p[9:]
        out = img
        if p[3] != "-":
            order = [int(ch) for ch in p[3]]
            b, c, s, h = map(float, p[4:8])
        else:
            order = []
        for fn_id in order:
            if fn_id == 0:
                out = F.adjust_brightness(out, b)
            elif fn_id == 1:
                out = F.adjust_contrast(out, c)
            elif fn_id == 2:
                out = F.adjust_saturation(out, s)
            else:
                out = F.adjust_hue(out, h)
        if len(p) > 8:
            if int(p[8]):
                out = F.to_grayscale(out, len(out.getbands()))
            if p[9] != "-":
                out = out.filter(ImageFilter.GaussianBlur(radius=float(p[9])))
            if int(p[10]):
                out = F.hflip(out)
        save(p[1], out)
    elif p[0] == "blur":
        save(p[1], img.filter(ImageFilter.GaussianBlur(radius=float(p[3]))))
    elif p[0] == "gray":
        save(p[1], F.to_grayscale(img, 3))
