using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using TorchSharp;
using MoCo.Training.Data;
using MoCo.Training.Trainer;
using static TorchSharp.torch;

namespace MoCo.Cli.Commands;

/// <summary>`moco smoke`: checks that libtorch is reachable and trains a tiny conv net on a synthetic task; on a GPU, also
/// checks that MoCo training there agrees with the CPU.</summary>
internal static class SmokeCommand
{
    internal static Command Create()
    {
        var steps = new Option<int>("--steps") { Description = "training steps", DefaultValueFactory = _ => 300 };
        var threads = new Option<int>("--threads") { Description = "libtorch threads (0: libtorch's default)", DefaultValueFactory = _ => 0 };
        var device = new Option<string>("--device") { Description = "cpu, cuda or cuda:N (a GPU is also compared with the CPU)", DefaultValueFactory = _ => "cpu" };
        var command = new Command("smoke", "Check the libtorch binding: version, devices, and a tiny training run that must learn; on a GPU, MoCo steps that must match the CPU's.");
        command.Options.Add(steps);
        command.Options.Add(threads);
        command.Options.Add(device);
        command.SetAction(result => Run(result.GetValue(steps), result.GetValue(threads), MoCo.Training.Tensors.TensorExtensions.ParseDevice(result.GetValue(device)!)));
        return command;
    }

    private static int Run(int steps, int threads, Device device)
    {
        new MoCo.Training.Trainer.TrainingEnvironment { Threads = threads, DeviceType = device.type }.Apply();
        Console.WriteLine($"TorchSharp {typeof(torch).Assembly.GetName().Version} (built against libtorch {__version__}), {get_num_threads()} threads, {cuda.device_count()} CUDA device(s)");
        Console.WriteLine(MoCo.Training.Native.LibTorchLocation.Describe());
        if (device.type == DeviceType.CUDA && cuda.device_count() <= Math.Max(device.index, 0))
            throw new InvalidOperationException($"device {device} was asked for, but this libtorch sees {cuda.device_count()} CUDA device(s): " +
                                                (cuda.device_count() == 0 ? MoCo.Training.Native.LibTorchLocation.NoCudaReason() : "no such index"));
        bool learned = TrainTinyNet(steps, device);
        bool agrees = device.type == DeviceType.CPU || AgreesWithCpu(device);
        bool ok = learned && agrees;
        Console.WriteLine(ok ? "smoke: OK" : learned ? "smoke: FAILED (the device disagrees with the CPU)" : "smoke: FAILED (the network did not learn)");
        return ok ? 0 : 1;
    }

    private static bool TrainTinyNet(int steps, Device device)
    {
        manual_seed(0);
        // Task: is the bright square in the left or the right half of a noisy 12×12 image?
        const int Batch = 32;
        using var net = nn.Sequential(nn.Conv2d(1, 8, 3, padding: 1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 8, 3, padding: 1), nn.BatchNorm2d(8), nn.ReLU(), nn.AdaptiveAvgPool2d([2, 2]), nn.Flatten(), nn.Linear(32, 2));
        net.to(device);
        using var sgd = optim.SGD(net.parameters(), 0.05, momentum: 0.9);
        var watch = Stopwatch.StartNew();
        double first = double.NaN, last = double.NaN;
        Device on = CPU;
        for (int step = 0; step < steps; step++)
        {
            using var scope = NewDisposeScope();
            var (x, y) = Batch2(Batch, device);
            sgd.zero_grad();
            var loss = nn.functional.cross_entropy(net.forward(x), y);
            on = loss.device;
            loss.backward();
            sgd.step();
            double value = loss.item<float>();
            if (step == 0) first = value;
            last = value;
            if (step % 50 == 0 || step == steps - 1) Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"step {step,4}  loss {value:F4}"));
        }
        net.eval();
        double accuracy;
        using (NewDisposeScope())
        using (no_grad())
        {
            var (x, y) = Batch2(512, device);
            accuracy = net.forward(x).argmax(1).eq(y).to(ScalarType.Float32).mean().item<float>();
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"trained on {on}: loss {first:F3} -> {last:F3}, held-out accuracy {accuracy:P1}, {steps * Batch / watch.Elapsed.TotalSeconds:F0} images/s"));
        return last < first && accuracy > 0.9;
    }

    // The same MoCo v2 steps (narrow ResNet-18, split BN, symmetric loss, 28×28 synthetic images) on the CPU and on the
    // device, from the same weights and batches. Step 1's loss is the forward pass alone: in float32 (TF32 off) kernels
    // differ only in summation order (measured on an H100: 9e-8 relative); TF32 convolutions round their products to
    // 10-bit mantissas (measured: 9e-5). Training then amplifies rounding: the CPU's own two layouts (channels-last, NCHW)
    // differ by ~2e-3 in step 1's update and in the losses over 8 steps (the H100 vs the CPU: 3e-3), so in float32 the
    // device may differ by at most FloorFactor times that; a wrong kernel or a stale tensor differs by order 1. With TF32
    // the update differs by ~0.1 (TF32's rounding, not the CPU's float32 floor): only the forward and resume are bounded.
    private const int AgreementSteps = 8, AgreementResumeAt = 4, AgreementBatch = 64;
    private const double Float32FirstLoss = 1e-5, Tf32FirstLoss = 1e-3, FloorFactor = 10;

    private static bool AgreesWithCpu(Device device)
    {
        var config = PretrainConfig.V2 with
        {
            Arch = "resnet18", Width = 16, SmallImages = true, InChannels = 1, BatchSize = AgreementBatch, QueueSize = 1024, Momentum = 0.99,
            Temperature = 0.1, Symmetric = true, BnSplits = 4, LearningRate = 0.06, Seed = 5, InputSize = 28, Mean = [0.5], Std = [0.5],
        };
        using var images = SyntheticImages(AgreementBatch * AgreementSteps, 28);
        bool ok = true;
        bool tf32 = backends.cudnn.allow_tf32, tf32Matmul = backends.cuda.matmul.allow_tf32;
        try
        {
            foreach (bool allowTf32 in new[] { false, true })
            {
                backends.cudnn.allow_tf32 = allowTf32;
                backends.cuda.matmul.allow_tf32 = allowTf32;
                var watch = Stopwatch.StartNew();
                var report = DeviceAgreement.Run(config, images, device, AgreementSteps, AgreementResumeAt, Path.GetTempPath());
                double firstLoss = allowTf32 ? Tf32FirstLoss : Float32FirstLoss;
                bool pass = report.Agrees(firstLoss, allowTf32 ? null : FloorFactor);
                ok &= pass;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"MoCo on {device} vs cpu, TF32 {(allowTf32 ? "on" : "off")}: {report} — bounds: step 1 loss {firstLoss:E0}" +
                    $"{(allowTf32 ? "" : $", {FloorFactor}x the cpu layouts' differences")}, resume 1E-06: {(pass ? "OK" : "FAILED")} " +
                    $"({watch.Elapsed.TotalSeconds:F1} s)"));
            }
        }
        finally
        {
            backends.cudnn.allow_tf32 = tf32;
            backends.cuda.matmul.allow_tf32 = tf32Matmul;
        }
        return ok;
    }

    /// <summary>Gray images: a bright rectangle of one of 3 sizes at a random place on noise.</summary>
    private static InMemoryImages SyntheticImages(int count, int side)
    {
        var rng = new Random(11);
        var pixels = new byte[count * side * side];
        var labels = new long[count];
        for (int i = 0; i < count; i++)
        {
            labels[i] = i % 3;
            int size = 6 + 4 * (int)labels[i], r0 = rng.Next(0, side - size), c0 = rng.Next(0, side - size);
            for (int p = 0; p < side * side; p++) pixels[i * side * side + p] = (byte)rng.Next(0, 80);
            for (int r = r0; r < r0 + size; r++)
                for (int c = c0; c < c0 + size; c++) pixels[i * side * side + r * side + c] = 220;
        }
        return InMemoryImages.FromPixels(pixels, count, 1, side, side, labels);
    }

    private static (Tensor x, Tensor y) Batch2(int n, Device device)
    {
        var y = randint(0, 2, [n]);
        var x = randn([n, 1, 12, 12]) * 0.5;
        long[] labels = y.data<long>().ToArray();
        float[] image = x.data<float>().ToArray();
        for (int i = 0; i < n; i++)
        {
            int left = labels[i] == 0 ? 1 : 7;
            for (int r = 4; r < 8; r++)
                for (int c = left; c < left + 4; c++) image[i * 144 + r * 12 + c] += 2;
        }
        return (tensor(image, [n, 1, 12, 12]).to(device), y.to(device));
    }
}
