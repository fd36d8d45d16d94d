# The PyTorch side of OpProfile.cs: the narrow ResNet-18's convolutions and BatchNorms at batch 256, forward and
# backward, median of N. Usage: op_profile.py [repeats] [threads] [channels_last 0|1]
import sys, time
import torch, torch.nn.functional as F

repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 15
torch.set_num_threads(int(sys.argv[2]) if len(sys.argv) > 2 else 2)
cl = len(sys.argv) > 3 and sys.argv[3] == "1"
B = 256
CONVS = [(1, 16, 3, 1, 28, 1), (16, 16, 3, 1, 28, 4), (16, 32, 3, 2, 28, 1), (32, 32, 3, 1, 14, 3), (16, 32, 1, 2, 28, 1),
         (32, 64, 3, 2, 14, 1), (64, 64, 3, 1, 7, 3), (32, 64, 1, 2, 14, 1), (64, 128, 3, 2, 7, 1), (128, 128, 3, 1, 4, 3),
         (64, 128, 1, 2, 7, 1)]


def timed(op, inputs):
    fw, bw = [], []
    for r in range(-2, repeats):
        for t in inputs:
            t.grad = None
        t0 = time.perf_counter()
        y = op()
        t1 = time.perf_counter()
        g = torch.ones_like(y)
        t2 = time.perf_counter()
        y.backward(g)
        t3 = time.perf_counter()
        if r >= 0:
            fw.append((t1 - t0) * 1000)
            bw.append((t3 - t2) * 1000)
    return sorted(fw)[repeats // 2], sorted(bw)[repeats // 2]


print(f"PyTorch {torch.__version__}, {torch.get_num_threads()} threads, batch {B}, {'channels-last' if cl else 'NCHW'}; median of {repeats}, ms")
print("  op                                   forward  backward   ×count")
ft = bt = 0.0
mf = torch.channels_last if cl else torch.contiguous_format
for cin, cout, k, s, side, count in CONVS:
    x = torch.randn(B, cin, side, side).contiguous(memory_format=mf).requires_grad_()
    w = (torch.randn(cout, cin, k, k) * 0.1).contiguous(memory_format=mf).requires_grad_()
    f, b = timed(lambda: F.conv2d(x, w, stride=s, padding=k // 2), [x, w])
    ft += f * count
    bt += b * count
    print(f"  conv {cin:3}->{cout:<3} {k}x{k} s{s} {side:2}x{side:<2}         {f:8.2f} {b:9.2f}   ×{count}")
for c, side, count in [(16, 28, 5), (32, 14, 5), (64, 7, 5), (128, 4, 5)]:
    x = torch.randn(B, c, side, side).contiguous(memory_format=mf).requires_grad_()
    g, bias = torch.ones(c, requires_grad=True), torch.zeros(c, requires_grad=True)
    rm, rv = torch.zeros(c), torch.ones(c)
    f, b = timed(lambda: F.batch_norm(x, rm, rv, g, bias, True, 0.1, 1e-5), [x, g, bias])
    ft += f * count
    bt += b * count
    print(f"  batch_norm {c:3} {side:2}x{side:<2}                {f:8.2f} {b:9.2f}   ×{count}")
    f, b = timed(lambda: F.relu(x), [x])
    ft += f * count
    bt += b * count
    print(f"  relu {c:3} {side:2}x{side:<2}                      {f:8.2f} {b:9.2f}   ×{count}")
print(f"  total (× count: one forward + backward)   {ft:8.1f} {bt:9.1f}")
