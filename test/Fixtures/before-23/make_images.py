"""Writes the fixture images: images/{a,b}/N.png, 8-bit RGB PNGs of 40x36 with smooth patterns (stdlib only)."""
import os, struct, sys, zlib

def png(path, width, height, pixel):
    rows = b"".join(b"\x00" + bytes(c for x in range(width) for c in pixel(x, y)) for y in range(height))
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))

root = sys.argv[1]
for label, phase in (("a", 0), ("b", 1)):
    os.makedirs(os.path.join(root, label), exist_ok=True)
    for i in range(6):
        s = 3 + i + 4 * phase
        png(os.path.join(root, label, f"{i}.png"), 40, 36,
            lambda x, y: ((x * s + 17 * i) % 256, (y * (s + 1) + 40 * phase) % 256, ((x + y) * (7 - phase * 3) + 11 * i) % 256))
