"""How many classes the images of a `moco select` list of Fashion-MNIST training items (lines `FILE[index]`) hold,
read from the data set's label file (IDX1: a 8-byte header, then one byte a label)."""
import gzip
import re
import sys

LABELS = "/usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz"


def main(path):
    with gzip.open(LABELS, "rb") as f:
        labels = f.read()[8:]
    items = [line.strip() for line in open(path) if line.strip() and not line.startswith("#")]
    indices = [int(re.search(r"\[(\d+)\]$", item).group(1)) for item in items]
    print(len({labels[i] for i in indices}))


if __name__ == "__main__":
    main(sys.argv[1])
