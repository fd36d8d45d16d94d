"""Writes the decoder test fixtures and PIL's decode of each (reference for MoCo.Imaging tests).

Usage: /usr/bin/python3 make_decoding_fixtures.py OUT_DIR
For every NAME it writes NAME (the encoded file) and NAME.ref: b"w h c\n" then h*w*c bytes (HWC).
"""
import struct
import sys
import zlib
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

out = Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
rng = np.random.default_rng(1234)


def scene(w, h):
    y, x = np.mgrid[0:h, 0:w]
    r = (x * 255 // max(w - 1, 1))
    g = (y * 255 // max(h - 1, 1))
    b = ((x + y) * 7) % 256
    img = np.stack([r, g, b], axis=-1).astype(np.int32)
    img += rng.integers(-20, 21, size=img.shape)
    return np.clip(img, 0, 255).astype(np.uint8)


def ref(name, im):
    a = np.asarray(im)
    h, w = a.shape[:2]
    c = 1 if a.ndim == 2 else a.shape[2]
    (out / (name + ".ref")).write_bytes(f"{w} {h} {c}\n".encode() + a.astype(np.uint8).tobytes())


def ref_pil(name, mode=None, draft=None):
    im = Image.open(out / name)
    if draft:
        im.draft(im.mode if im.mode != "CMYK" else "CMYK", draft)
    im = ImageOps.exif_transpose(im)
    if mode is None:
        mode = "L" if im.mode in ("L", "I;16", "I") else "RGB"
    ref(name, im.convert(mode))


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def write_png16(name, a):
    """16-bit PNG written by hand (PIL cannot write 16-bit RGB): colour type 0, 4, 2 or 6 by channels, filter 0 per row."""
    h, w = a.shape[:2]
    ctype = 0 if a.ndim == 2 else {2: 4, 3: 2, 4: 6}[a.shape[2]]
    raw = b"".join(b"\x00" + a[y].astype(">u2").tobytes() for y in range(h))
    data = b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, ctype, 0, 0, 0))
    data += png_chunk(b"IDAT", zlib.compress(raw)) + png_chunk(b"IEND", b"")
    (out / name).write_bytes(data)
    if a.ndim == 3 and a.shape[2] in (2, 4):
        a = a[:, :, :-1] if a.shape[2] == 4 else a[:, :, 0]  # alpha dropped, as convert('RGB') / convert('L')
    ref(name, (a >> 8).astype(np.uint8))  # the high byte; libpng rounds v/257, so within 1


rgb = Image.fromarray(scene(67, 45))
rgb.save(out / "rgb.jpg", quality=90)
ref_pil("rgb.jpg")
rgb.save(out / "rgb444.jpg", quality=95, subsampling=0)
ref_pil("rgb444.jpg")
rgb.save(out / "rgb422.jpg", quality=90, subsampling=1)
ref_pil("rgb422.jpg")
rgb.convert("L").save(out / "gray_progressive.jpg", quality=90, progressive=True)
ref_pil("gray_progressive.jpg")
rgb.convert("L").save(out / "gray.jpg", quality=90)
ref_pil("gray.jpg")
rgb.save(out / "progressive.jpg", quality=85, progressive=True)
ref_pil("progressive.jpg")
rgb.convert("CMYK").save(out / "cmyk.jpg", quality=95)
ref_pil("cmyk.jpg")

big = Image.fromarray(scene(333, 250))
big.save(out / "big.jpg", quality=90)
for d in (2, 4, 8):
    # PIL's draft asks libjpeg for the same DCT scaling (scale_denom) TurboJPEG uses.
    (out / f"big_d{d}.jpg").write_bytes((out / "big.jpg").read_bytes())
    ref_pil(f"big_d{d}.jpg", draft=(333 // d, 250 // d))  # PIL picks scale = min(333 // w, 250 // h)

# Colour to luminance (convert('L')) and gray replicated (convert('RGB')).
(out / "rgb_as_l.jpg").write_bytes((out / "rgb.jpg").read_bytes())
ref_pil("rgb_as_l.jpg", mode="L")
(out / "gray_as_rgb.jpg").write_bytes((out / "gray.jpg").read_bytes())
ref_pil("gray_as_rgb.jpg", mode="RGB")

for o in range(1, 9):
    exif = Image.Exif()
    exif[0x0112] = o
    rgb.save(out / f"exif{o}.jpg", quality=90, exif=exif.tobytes())
    ref_pil(f"exif{o}.jpg")

rgb.save(out / "rgb.png")
ref_pil("rgb.png")
rgba = rgb.copy()
rgba.putalpha(Image.fromarray(rng.integers(0, 256, size=(45, 67), dtype=np.uint8)))
rgba.save(out / "rgba.png")
ref_pil("rgba.png")
rgb.convert("L").save(out / "gray.png")
ref_pil("gray.png")
rgb.convert("LA").save(out / "gray_alpha.png")
ref_pil("gray_alpha.png", mode="L")
pal = rgb.convert("P", palette=Image.Palette.ADAPTIVE, colors=37)
pal.save(out / "palette.png")
ref_pil("palette.png")
pal.save(out / "palette_trns.png", transparency=3)
ref_pil("palette_trns.png")
rgb.convert("1").save(out / "bilevel.png")
ref_pil("bilevel.png", mode="L")
write_png16("rgb16.png", rng.integers(0, 65536, size=(23, 31, 3), dtype=np.uint16))
write_png16("gray16.png", rng.integers(0, 65536, size=(23, 31), dtype=np.uint16))
write_png16("rgba16.png", rng.integers(0, 65536, size=(23, 31, 4), dtype=np.uint16))
write_png16("gray_alpha16.png", rng.integers(0, 65536, size=(23, 31, 2), dtype=np.uint16))
rgb.convert("L").save(out / "gray_trns.png", transparency=77)  # gray with a tRNS key: alpha from a colour
ref_pil("gray_trns.png")
rgb.convert("P", palette=Image.Palette.ADAPTIVE, colors=16).save(out / "palette4.png", bits=4)
ref_pil("palette4.png")
# Adam7-interlaced RGB (PIL reads interlaced PNGs but cannot write them): the 7 passes of PNG spec 8.2.
def write_adam7(name, a):
    h, w = a.shape[:2]
    passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
    raw = b""
    for x0, y0, dx, dy in passes:
        sub = a[y0::dy, x0::dx]
        if sub.size:
            raw += b"".join(b"\x00" + row.tobytes() for row in sub)
    data = b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 1))
    data += png_chunk(b"IDAT", zlib.compress(raw)) + png_chunk(b"IEND", b"")
    (out / name).write_bytes(data)
    ref_pil(name)


write_adam7("interlaced.png", np.asarray(rgb))
# gAMA 1.0 (linear): a decoder that applied it would brighten everything; PIL ignores it, so must we.
plain = (out / "rgb.png").read_bytes()
(out / "gamma1.png").write_bytes(plain[:33] + png_chunk(b"gAMA", struct.pack(">I", 100000)) + plain[33:])
ref_pil("gamma1.png")

# Formats only SkiaSharp reads (the bonus of DecoderBackend.Skia): WebP lossless and lossy, BMP, GIF (first frame).
rgb.save(out / "lossless.webp", lossless=True)
ref_pil("lossless.webp")
rgb.save(out / "lossy.webp", quality=80)
ref_pil("lossy.webp")
rgb.save(out / "rgb.bmp")
ref_pil("rgb.bmp")
pal.save(out / "palette.gif")
ref_pil("palette.gif")

# A larger photo-sized JPEG at full size (more blocks to compare than the 67x45 scene).
(out / "big_full.jpg").write_bytes((out / "big.jpg").read_bytes())
ref_pil("big_full.jpg")
big.save(out / "big420_q75.jpg", quality=75)
ref_pil("big420_q75.jpg")
big.save(out / "big_progressive.jpg", quality=90, progressive=True)
ref_pil("big_progressive.jpg")

# Bad files (no .ref): each must raise an exception naming the file.
(out / "bad_empty.jpg").write_bytes(b"")
(out / "bad_text.png").write_bytes(b"this is not an image\n" * 10)
(out / "bad_truncated.jpg").write_bytes((out / "big.jpg").read_bytes()[:2000])
(out / "bad_truncated.png").write_bytes((out / "rgb.png").read_bytes()[:300])
(out / "bad_header_only.jpg").write_bytes((out / "rgb.jpg").read_bytes()[:20])
huge = b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", 1000000, 1000000, 8, 2, 0, 0, 0))
(out / "bad_absurd.png").write_bytes(huge + png_chunk(b"IDAT", zlib.compress(b"\x00" * 10)) + png_chunk(b"IEND", b""))
(out / "bad_truncated.webp").write_bytes((out / "lossy.webp").read_bytes()[:200])
