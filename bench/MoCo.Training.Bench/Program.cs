using System.Globalization;
using MoCo.Training.Models;
using MoCo.Training.Tensors;

// Profiles of MoCo training in C# beside PyTorch (profile.sh runs them in pairs):
//   [steps ...]                 a whole step, phase by phase (StepProfile; step_profile.py is the PyTorch side)
//   ops [repeats] [threads] [channels-last 0|1] [keep-heap]   each convolution, BatchNorm and ReLU of the encoder (op_profile.py)
//   bn [repeats] [threads]      split BN against plain BN in both layouts
//   kernels [threads]           the split-BN kernels alone
//   layout                      the memory layout of the activations through a channels-last encoder's stem and layer1
if (args.Length > 0 && args[0] == "layout")
{
    var net = new ResNet(new ResNetOptions { Arch = ResNetArch.ResNet18, Width = 16, SmallImages = true, InChannels = 1, BnSplits = 8, ChannelsLast = true });
    net.train();
    var xin = randn(256, 1, 28, 28).ToChannelsLast();
    var (conv, norm) = net.Stem;
    var y1 = conv.forward(xin);
    Console.WriteLine($"input CL {MoCo.Training.Tensors.TensorExtensions.IsChannelsLast(xin)} strides [{string.Join(",", xin.stride())}]; stem out strides [{string.Join(",", y1.stride())}] CL {MoCo.Training.Tensors.TensorExtensions.IsChannelsLast(y1)} contiguous {y1.is_contiguous()}; stem weight strides [{string.Join(",", conv.weight.stride())}]");
    var y2 = norm.forward(y1).relu_();
    Console.WriteLine($"bn1 out strides [{string.Join(",", y2.stride())}]");
    var y3 = net.Layers[0].forward(y2);
    Console.WriteLine($"layer1 out strides [{string.Join(",", y3.stride())}]");
    return;
}
if (args.Length > 0 && args[0] == "kernels")
{
    MoCo.Training.Native.CHeap.KeepFreedMemory();
    MoCo.Training.Bench.SplitBatchNormProfile.Kernels(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2);
    return;
}
if (args.Length > 0 && args[0] == "bn")
{
    set_num_threads(args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 2);
    MoCo.Training.Native.CHeap.KeepFreedMemory();
    MoCo.Training.Bench.SplitBatchNormProfile.Run(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 15);
    return;
}
if (args.Length > 0 && args[0] == "ops")
{
    if (args.Length <= 4 || bool.Parse(args[4])) MoCo.Training.Native.CHeap.KeepFreedMemory();
    set_num_threads(args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 2);
    MoCo.Training.Bench.OpProfile.Run(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 15, 256, args.Length > 3 && args[3] == "1");
    return;
}
MoCo.Training.Bench.StepProfile.Run(args);
