using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using MoCo.Torch;
using static MoCo.Torch.torch;

namespace MoCo.Cli.Commands;

/// <summary>`moco smoke`: checks that libtorch is reachable and trains a tiny conv net on a synthetic task.</summary>
internal static class SmokeCommand
{
    internal static Command Create()
    {
        var steps = new Option<int>("--steps") { Description = "training steps", DefaultValueFactory = _ => 300 };
        var threads = new Option<int>("--threads") { Description = "libtorch threads (0: libtorch's default)", DefaultValueFactory = _ => 0 };
        var command = new Command("smoke", "Check the libtorch binding: version, devices, and a tiny training run that must learn.");
        command.Options.Add(steps);
        command.Options.Add(threads);
        command.SetAction(result => Run(result.GetValue(steps), result.GetValue(threads)));
        return command;
    }

    private static int Run(int steps, int threads)
    {
        if (threads > 0) set_num_threads(threads);
        Console.WriteLine($"libtorch {version}, {get_num_threads()} threads, {cuda.device_count()} CUDA device(s)");
        manual_seed(0);
        // Task: is the bright square in the left or the right half of a noisy 12×12 image?
        const int Batch = 32;
        using var net = nn.Sequential(nn.Conv2d(1, 8, 3, padding: 1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 8, 3, padding: 1), nn.BatchNorm2d(8), nn.ReLU(), nn.AdaptiveAvgPool2d(2, 2), nn.Flatten(), nn.Linear(32, 2));
        using var sgd = optim.SGD(net.parameters(), lr: 0.05, momentum: 0.9);
        var watch = Stopwatch.StartNew();
        double first = double.NaN, last = double.NaN;
        for (int step = 0; step < steps; step++)
        {
            using var scope = NewDisposeScope();
            var (x, y) = Batch2(Batch);
            sgd.zero_grad();
            var loss = nn.functional.cross_entropy(net.forward(x), y);
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
            var (x, y) = Batch2(512);
            accuracy = net.forward(x).argmax(1).eq(y).to(ScalarType.Float32).mean().item<float>();
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"loss {first:F3} -> {last:F3}, held-out accuracy {accuracy:P1}, {steps * Batch / watch.Elapsed.TotalSeconds:F0} images/s"));
        bool ok = last < first && accuracy > 0.9;
        Console.WriteLine(ok ? "smoke: OK" : "smoke: FAILED (the network did not learn)");
        return ok ? 0 : 1;
    }

    private static (Tensor x, Tensor y) Batch2(int n)
    {
        var y = randint(0, 2, [n]);
        var x = randn([n, 1, 12, 12]) * 0.5;
        long[] labels = y.ToArray<long>();
        var image = x.AsSpan<float>();
        for (int i = 0; i < n; i++)
        {
            int left = labels[i] == 0 ? 1 : 7;
            for (int r = 4; r < 8; r++)
                for (int c = left; c < left + 4; c++) image[i * 144 + r * 12 + c] += 2;
        }
        return (x, y);
    }
}
