# The PyTorch side of the tiny-op benchmark: the same loops as Program.cs, median ns per call (a + b, then a.add_(b)).
import sys
import time

import torch

calls = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
torch.set_num_threads(1)
a = torch.ones(1)
b = torch.ones(1)
acc = torch.zeros(1)


def out_of_place():
    for _ in range(calls):
        c = a + b


def in_place():
    for _ in range(calls):
        acc.add_(b)


def median(loop):
    loop()
    samples = []
    for _ in range(7):
        start = time.perf_counter_ns()
        loop()
        samples.append((time.perf_counter_ns() - start) / calls)
    return sorted(samples)[3]


print(median(out_of_place), median(in_place))
