# The PyTorch side of the tiny-op benchmark: the same loop as Program.cs, median ns per call.
import sys
import time

import torch

calls = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
torch.set_num_threads(1)
a = torch.ones(1)
b = torch.ones(1)


def measure():
    start = time.perf_counter_ns()
    for _ in range(calls):
        c = a + b
    return (time.perf_counter_ns() - start) / calls


measure()
samples = sorted(measure() for _ in range(7))
print(samples[len(samples) // 2])
