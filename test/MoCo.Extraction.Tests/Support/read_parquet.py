"""A small Parquet reader, independent of Parquet.Net, for the files `moco extract` writes.

Reads the footer (Thrift compact protocol), then each column chunk's data pages (v1 or v2, PLAIN values, RLE /
bit-packed levels, uncompressed or Snappy), and writes what it found for the C# test to compare:
    <out>.json  {"rows": N, "dim": D, "paths": [...], "labels": [...] or null}
    <out>.f32   the features, little-endian float32, row-major N x D
Only what these files use is supported; anything else stops with an error (the test then fails).
Format references: parquet-format's parquet.thrift and Encodings.md, Thrift's compact protocol spec, Snappy's
format_description.txt.
Usage: read_parquet.py FILE OUT
"""
import json
import struct
import sys


class Compact:
    """Thrift compact protocol: structs as {field id: value}."""

    def __init__(self, data, pos=0):
        self.b, self.p = data, pos

    def byte(self):
        v = self.b[self.p]
        self.p += 1
        return v

    def varint(self):
        result = shift = 0
        while True:
            x = self.byte()
            result |= (x & 0x7F) << shift
            shift += 7
            if not x & 0x80:
                return result

    def zigzag(self):
        v = self.varint()
        return (v >> 1) ^ -(v & 1)

    def value(self, t):
        if t in (1, 2):
            return t == 1
        if t == 3:
            v = self.byte()
            return v - 256 if v > 127 else v
        if t in (4, 5, 6):
            return self.zigzag()
        if t == 7:
            v = struct.unpack_from('<d', self.b, self.p)[0]
            self.p += 8
            return v
        if t == 8:
            n = self.varint()
            v = bytes(self.b[self.p:self.p + n])
            self.p += n
            return v
        if t in (9, 10):
            head = self.byte()
            n, et = head >> 4, head & 15
            if n == 15:
                n = self.varint()
            return [self.value(et) for _ in range(n)]
        if t == 12:
            return self.struct()
        raise ValueError(f'thrift type {t} not supported')

    def struct(self):
        fields, last = {}, 0
        while True:
            head = self.byte()
            if head == 0:
                return fields
            delta, t = head >> 4, head & 15
            fid = last + delta if delta else self.zigzag()
            last = fid
            fields[fid] = self.value(t)


def snappy(data):
    """Raw Snappy: a varint length, then literals and back-references."""
    r = Compact(data)
    n = r.varint()
    out = bytearray()
    while r.p < len(data):
        tag = r.byte()
        kind = tag & 3
        if kind == 0:
            length = tag >> 2
            if length >= 60:
                extra = length - 59
                length = int.from_bytes(data[r.p:r.p + extra], 'little')
                r.p += extra
            length += 1
            out += data[r.p:r.p + length]
            r.p += length
            continue
        if kind == 1:
            length = ((tag >> 2) & 7) + 4
            offset = ((tag >> 5) << 8) | r.byte()
        else:
            size = 2 if kind == 2 else 4
            length = (tag >> 2) + 1
            offset = int.from_bytes(data[r.p:r.p + size], 'little')
            r.p += size
        for _ in range(length):
            out.append(out[-offset])
    assert len(out) == n, (len(out), n)
    return bytes(out)


def hybrid(data, width, count):
    """RLE / bit-packed hybrid levels (Encodings.md)."""
    r, out = Compact(data), []
    while len(out) < count:
        head = r.varint()
        if head & 1:
            groups = head >> 1
            bits = int.from_bytes(data[r.p:r.p + groups * width], 'little')
            r.p += groups * width
            out += [(bits >> (i * width)) & ((1 << width) - 1) for i in range(groups * 8)]
        else:
            size = (width + 7) // 8
            v = int.from_bytes(data[r.p:r.p + size], 'little')
            r.p += size
            out += [v] * (head >> 1)
    return out[:count]


def column(data, chunk, max_rep, max_def, codec):
    """Levels and PLAIN values of one column chunk."""
    meta = chunk[3]
    pos = meta[11] if 11 in meta else meta[9]  # dictionary page offset, else data page offset
    end = pos + meta[7]
    reps, defs, values, ptype = [], [], b'', meta[1]
    while pos < end:
        r = Compact(data, pos)
        header = r.struct()
        body = data[r.p:r.p + header[3]]
        pos = r.p + header[3]
        kind = header[1]
        if kind == 2:
            raise ValueError('dictionary pages are not supported')
        width = lambda m: m.bit_length()
        if kind == 0:  # data page v1: levels and values compressed together
            page = snappy(body) if codec == 1 else body
            n, p = header[5][1], 0
            if max_rep:
                size = struct.unpack_from('<i', page, p)[0]
                reps += hybrid(page[p + 4:p + 4 + size], width(max_rep), n)
                p += 4 + size
            if max_def:
                size = struct.unpack_from('<i', page, p)[0]
                defs += hybrid(page[p + 4:p + 4 + size], width(max_def), n)
                p += 4 + size
            assert header[5][2] == 0, 'values must be PLAIN'
            values += page[p:]
        elif kind == 3:  # data page v2: levels uncompressed, then values
            v2 = header[8]
            n, rep_len, def_len = v2[1], v2[6], v2[5]
            if max_rep:
                reps += hybrid(body[:rep_len], width(max_rep), n)
            if max_def:
                defs += hybrid(body[rep_len:rep_len + def_len], width(max_def), n)
            rest = body[rep_len + def_len:]
            compressed = v2.get(7, True)
            values += snappy(rest) if codec == 1 and compressed else rest
            assert v2[4] == 0, 'values must be PLAIN'
        else:
            raise ValueError(f'page type {kind} not supported')
    return ptype, reps, defs, values


def main(path, out):
    data = open(path, 'rb').read()
    assert data[:4] == b'PAR1' and data[-4:] == b'PAR1', 'not a Parquet file'
    length = struct.unpack_from('<i', data, len(data) - 8)[0]
    meta = Compact(data, len(data) - 8 - length).struct()
    # Schema elements in depth-first order: root, then leaves and groups; repetition 0 required, 1 optional, 2 repeated.
    leaves, stack = {}, []
    for element in meta[2][1:]:
        while stack and stack[-1][2] == 0:
            stack.pop()
        name = element[4].decode()
        rep = element.get(3, 0)
        parent = stack[-1] if stack else ('', 0, 0, 0)
        full = (parent[0] + '.' if parent[0] else '') + name
        max_rep = parent[3] + (rep == 2)
        max_def = parent[1] + (rep != 0)
        if stack:
            stack[-1] = (stack[-1][0], stack[-1][1], stack[-1][2] - 1, stack[-1][3])
        if 5 in element:  # a group with children
            stack.append((full, max_def, element[5], max_rep))
        else:
            leaves[full] = (max_rep, max_def)
    rows = sum(group[3] for group in meta[4])
    paths, labels, features, dim = [], [], [], None
    for group in meta[4]:
        for chunk in group[1]:
            name = '.'.join(p.decode() for p in chunk[3][3])
            max_rep, max_def = leaves[name]
            ptype, reps, defs, values = column(data, chunk, max_rep, max_def, chunk[3][4])
            if name == 'path':
                assert ptype == 6 and all(d == max_def for d in defs)
                p = 0
                while p < len(values):
                    n = struct.unpack_from('<i', values, p)[0]
                    paths.append(values[p + 4:p + 4 + n].decode())
                    p += 4 + n
            elif name == 'label':
                assert ptype == 1
                labels += list(struct.unpack(f'<{len(values) // 4}i', values))
            elif name == 'features.list.element':
                assert ptype == 4 and all(d == max_def for d in defs)
                starts = [i for i, r in enumerate(reps) if r == 0]
                sizes = {b - a for a, b in zip(starts, starts[1:] + [len(reps)])}
                assert len(sizes) == 1, f'rows of different lengths: {sizes}'
                dim = sizes.pop()
                features.append(values)
            else:
                raise ValueError(f'unexpected column {name}')
    json.dump({'rows': rows, 'dim': dim, 'paths': paths, 'labels': labels or None}, open(out + '.json', 'w'))
    open(out + '.f32', 'wb').write(b''.join(features))


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])
