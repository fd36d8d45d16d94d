using System.Diagnostics;
using System.Globalization;
using MoCo.Training.Data;
using MoCo.Training.Method;
using MoCo.Training.Models;
using MoCo.Training.Optim;

namespace MoCo.Training.Bench;

/// <summary>
/// Where a MoCo v2 training step's time goes, phase by phase, in C# (TorchSharp); step_profile.py times the same phases
/// of the same work in PyTorch. The configuration is the Fashion-MNIST benchmark's (run.sh): narrow ResNet-18 (width 16,
/// 3×3 stem, 1 channel), batch 256, K 4096, symmetric loss, split BN over 8 sub-batches, MLP head, SGD with momentum.
/// Arguments: [steps] [threads] [deterministic] [fill] [bn-splits] [channels-last] [keep-heap]; the defaults are what
/// `moco pretrain` does (deterministic true, NaN fill off, channels-last, glibc keeping freed memory).
/// </summary>
internal static class StepProfile
{
    internal static void Run(string[] args)
    {
        int steps = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20;
        int threads = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2;
        bool deterministic = args.Length <= 2 || bool.Parse(args[2]);
        bool fill = args.Length > 3 && bool.Parse(args[3]);
        int splits = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 8;
        bool channelsLast = args.Length <= 5 || bool.Parse(args[5]);
        bool keepHeap = args.Length <= 6 || bool.Parse(args[6]);
        if (keepHeap) MoCo.Training.Native.CHeap.KeepFreedMemory();
        const int Batch = 256, Warmup = 3;

        set_num_threads(threads);
        MoCo.Training.Native.LibTorchContext.SetDeterministicAlgorithms(deterministic);
        MoCo.Training.Native.LibTorchContext.SetDeterministicFillUninitializedMemory(fill);
        manual_seed(0);
        using var images = IdxImages.LoadSplit(IdxImages.FashionMnistDirectory, train: true, limit: Batch * 8);
        var augmentation = new BatchedAugmentation();
        var encoder = new ResNetOptions { Arch = ResNetArch.ResNet18, Width = 16, SmallImages = true, InChannels = 1, BnSplits = splits, ChannelsLast = channelsLast };
        var options = new MoCoOptions { QueueSize = 4096, Momentum = 0.99, Temperature = 0.1, Mlp = true, Symmetric = true };
        using var model = new MomentumContrast(encoder, options);
        model.train();
        using var optimizer = new SGD(model.encoder_q.parameters(), 0.06, 0.9, 0, 1e-4, false);

        string[] phases = ["augment", "momentum update", "keys (2 shuffled forwards)", "queries + loss", "backward", "optimizer step", "enqueue"];
        var seconds = new double[phases.Length];
        var clock = new Stopwatch();
        double total = 0;
        for (int step = 0; step < Warmup + steps; step++)
        {
            bool timed = step >= Warmup;
            var stepClock = Stopwatch.StartNew();
            using var scope = NewDisposeScope();
            void Phase(int i, Action work)
            {
                clock.Restart();
                work();
                if (timed) seconds[i] += clock.Elapsed.TotalSeconds;
            }
            using var rows = arange(step % 8 * Batch, (step % 8 + 1) * Batch, ScalarType.Int64);
            Tensor pixels = images.Images.index_select(0, rows);
            Tensor x1 = null!, x2 = null!, k1 = null!, k2 = null!, loss = null!;
            Phase(0, () =>
            {
                var r1 = SplitMix64.For(1, 0, step, 1);
                var r2 = SplitMix64.For(1, 0, step, 2);
                x1 = augmentation.Apply(pixels, ref r1);
                x2 = augmentation.Apply(pixels, ref r2);
            });
            optimizer.zero_grad();
            Phase(1, model.MomentumUpdateKeyEncoder);
            Tensor negatives = model.queue.clone();
            Phase(2, () => { k2 = model.Keys(x2); k1 = model.Keys(x1); });
            Phase(3, () => loss = InfoNce.Loss(model.Queries(x1), k2, negatives, 0.1) + InfoNce.Loss(model.Queries(x2), k1, negatives, 0.1));
            Phase(4, loss.backward);
            Phase(5, optimizer.step);
            Phase(6, () => model.DequeueAndEnqueue(cat([k1, k2], 0)));
            if (timed) total += stepClock.Elapsed.TotalSeconds;
            model.AfterStep();   // as PretrainRun's step does: collects the split-BN nodes when there are any
        }

        Console.WriteLine(FormattableString.Invariant(
            $"C# TorchSharp {typeof(torch).Assembly.GetName().Version} (libtorch {__version__}), {threads} threads, deterministic {deterministic}, fill {fill}, bn-splits {splits}, {(channelsLast ? "channels-last" : "NCHW")}, keep heap {keepHeap}: {steps} steps"));
        for (int i = 0; i < phases.Length; i++)
            Console.WriteLine(FormattableString.Invariant($"  {phases[i],-28} {seconds[i] / steps * 1000,8:F1} ms"));
        Console.WriteLine(FormattableString.Invariant($"  {"step",-28} {total / steps * 1000,8:F1} ms   {Batch * steps / total,7:F1} images/s"));
        string status = File.Exists("/proc/self/status") ? File.ReadAllText("/proc/self/status") : "";
        foreach (string line in status.Split('\n').Where(l => l.StartsWith("VmHWM", StringComparison.Ordinal) || l.StartsWith("VmRSS", StringComparison.Ordinal)))
            Console.WriteLine("  " + line.Replace('\t', ' '));
    }
}
