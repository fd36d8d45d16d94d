using System.Globalization;
using TorchSharp;
using MoCo.Training.Data;
using static TorchSharp.torch;

namespace MoCo.Training.Trainer;

/// <summary>How far a device's training is from the CPU's (see <see cref="DeviceAgreement.Run"/>). Loss differences are
/// relative, |a − b| / |b| (worst step); state differences are ‖Δa − Δb‖ / ‖Δa‖ per tensor (worst tensor), where Δ is the
/// tensor's change from its initial value, so the shared starting point hides nothing. Each "floor" is the same
/// difference between the CPU's two layouts (channels-last, and NCHW): what float32 rounding
/// alone produces in this run, since training amplifies a rounding difference step by step.</summary>
/// <param name="CpuLosses">Per-step losses on the CPU (channels-last).</param>
/// <param name="DeviceLosses">Per-step losses on the device.</param>
/// <param name="FirstLossDifference">Step 1's loss, device vs CPU: the forward pass alone, from identical weights.</param>
/// <param name="LossDifference">Worst loss difference over the steps, device vs CPU.</param>
/// <param name="LossFloor">Worst loss difference over the steps, CPU NCHW vs CPU channels-last.</param>
/// <param name="UpdateDifference">Worst difference of step 1's change of a state tensor, device vs CPU.</param>
/// <param name="UpdateFloor">The same, CPU NCHW vs CPU channels-last.</param>
/// <param name="WorstTensor">The tensor with the device's worst update difference.</param>
/// <param name="ResumeLossDifference">Worst loss difference, device stopped and resumed vs device straight (steps after the resume).</param>
/// <param name="ResumeStateDifference">Worst state difference at the end, device resumed vs device straight.</param>
/// <param name="ResumeBitExact">Whether the resumed device run ended bit for bit where the straight one did.</param>
public sealed record DeviceAgreementReport(
    IReadOnlyList<double> CpuLosses, IReadOnlyList<double> DeviceLosses, double FirstLossDifference, double LossDifference, double LossFloor,
    double UpdateDifference, double UpdateFloor, string WorstTensor, double ResumeLossDifference, double ResumeStateDifference, bool ResumeBitExact)
{
    /// <summary>Whether the device agrees: step 1's loss within <paramref name="firstLossTolerance"/>; the losses and
    /// step 1's update no further from the CPU than <paramref name="floorFactor"/> times the CPU layouts are from each
    /// other (or than the small absolute bounds 1e-5 and 1e-3; null skips this, for reduced-precision kernels such as TF32,
    /// whose rounding is not the CPU's float32 floor); the resumed run equal to the straight one within 1e-6.</summary>
    public bool Agrees(double firstLossTolerance, double? floorFactor) =>
        FirstLossDifference <= firstLossTolerance
        && (floorFactor is not { } f
            || (LossDifference <= Math.Max(f * LossFloor, 1e-5) && UpdateDifference <= Math.Max(f * UpdateFloor, 1e-3)))
        && ResumeLossDifference <= 1e-6 && ResumeStateDifference <= 1e-6;

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"step 1 loss {CpuLosses[0]:F7} cpu, {DeviceLosses[0]:F7} device ({FirstLossDifference:E1}); losses over {CpuLosses.Count} steps " +
        $"{LossDifference:E1} (cpu layouts {LossFloor:E1}); step 1 update {UpdateDifference:E1} (cpu layouts {UpdateFloor:E1}, {WorstTensor}); " +
        $"resumed vs straight {ResumeLossDifference:E1} / {ResumeStateDifference:E1}{(ResumeBitExact ? " (bit-exact)" : "")}");
}

/// <summary>
/// Whether a device trains as the CPU does: the same MoCo run — the same initial weights (drawn on the CPU), batches,
/// augmentations and key shuffles — is trained on the CPU (channels-last: other kernels than the
/// device's), on the CPU in NCHW (the float32 floor), and on the device; on the device once more, stopped after a
/// checkpoint and resumed.
/// </summary>
public static class DeviceAgreement
{
    /// <summary>Runs the comparison in temporary folders under <paramref name="workDirectory"/> (removed afterwards).</summary>
    /// <param name="config">The run (its Device is replaced; one epoch, LogEvery 1 and CheckpointEvery <paramref name="resumeAt"/> are set).</param>
    /// <param name="images">Training images: at least <paramref name="steps"/> batches.</param>
    /// <param name="device">The device to compare with the CPU.</param>
    /// <param name="steps">Steps to train.</param>
    /// <param name="resumeAt">Step of the checkpoint the interrupted run resumes from (it is stopped one step later).</param>
    /// <param name="workDirectory">Where the run folders go.</param>
    public static DeviceAgreementReport Run(PretrainConfig config, InMemoryImages images, Device device, int steps, int resumeAt, string workDirectory)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(images);
        if (resumeAt <= 0 || resumeAt + 1 >= steps) throw new ArgumentOutOfRangeException(nameof(resumeAt), resumeAt, $"the resume step must lie in 1 … {steps - 2}");
        if (images.Count / config.BatchSize < steps) throw new ArgumentException($"{images.Count} images make fewer than {steps} batches of {config.BatchSize}");
        var baseConfig = config with { Epochs = 1, LogEvery = 1, CheckpointEvery = resumeAt, LrPerStep = false };
        var augmentation = baseConfig.Augmentation(images.Height, baseConfig.Mean, baseConfig.Std);
        IViewPairSource Source() => new InMemoryViewPairSource(images, augmentation, baseConfig.Seed);
        string root = Path.Combine(workDirectory, "moco-device-agreement-" + Guid.NewGuid().ToString("N"));
        var states = new List<Dictionary<string, Tensor>>();
        try
        {
            var onCpu = baseConfig with { Device = "cpu", ChannelsLast = true };
            var onCpuNchw = baseConfig with { Device = "cpu", ChannelsLast = false };
            var onDevice = baseConfig with { Device = device.ToString(), ChannelsLast = true };   // ignored off the CPU; on the CPU it is the reference run
            Dictionary<string, Tensor> Keep(Dictionary<string, Tensor> state)
            {
                states.Add(state);
                return state;
            }
            int run = 0;
            (List<double> losses, Dictionary<string, Tensor> initial, Dictionary<string, Tensor> final) Train(PretrainConfig c, int n)
            {
                var (losses, initial, final) = TrainFor(c, Source(), Path.Combine(root, (run++).ToString(CultureInfo.InvariantCulture)), n);
                return (losses, Keep(initial), Keep(final));
            }
            var (cpuLosses, initial, _) = Train(onCpu, steps);
            var (floorLosses, _, _) = Train(onCpuNchw, steps);
            var (deviceLosses, _, deviceState) = Train(onDevice, steps);
            var (_, _, cpuStep1) = Train(onCpu, 1);
            var (_, _, floorStep1) = Train(onCpuNchw, 1);
            var (_, _, deviceStep1) = Train(onDevice, 1);

            string resumedDir = Path.Combine(root, "resumed");
            using (var stopped = PretrainRun.Start(onDevice, Source(), null, resumedDir)) stopped.Run(stopAfterSteps: resumeAt + 1);
            List<double> resumedLosses;
            Dictionary<string, Tensor> resumedState;
            using (var resumed = PretrainRun.Resume(resumedDir, Source(), null))
            {
                resumed.Run(stopAfterSteps: steps - resumeAt);
                resumedLosses = Losses(resumedDir);
                resumedState = Keep(CopyState(resumed.Model));
            }
            var (update, worst) = StateDifference(initial, cpuStep1, deviceStep1);
            var (updateFloor, _) = StateDifference(initial, cpuStep1, floorStep1);
            var (resumeState, _) = StateDifference(initial, deviceState, resumedState);
            bool bitExact = deviceState.All(kv => resumedState[kv.Key].SameValues(kv.Value));
            return new DeviceAgreementReport(cpuLosses, deviceLosses, LossDifference(cpuLosses, deviceLosses, 0, 1),
                LossDifference(cpuLosses, deviceLosses, 0, steps), LossDifference(cpuLosses, floorLosses, 0, steps), update, updateFloor, worst,
                LossDifference(deviceLosses, resumedLosses, resumeAt, steps), resumeState, bitExact);
        }
        finally
        {
            foreach (var state in states)
                foreach (Tensor t in state.Values) t.Dispose();
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
    }

    private static (List<double> losses, Dictionary<string, Tensor> initial, Dictionary<string, Tensor> final) TrainFor(
        PretrainConfig config, IViewPairSource data, string directory, int steps)
    {
        using var run = PretrainRun.Start(config, data, null, directory);
        var initial = CopyState(run.Model);
        run.Run(stopAfterSteps: steps);
        return (Losses(directory), initial, CopyState(run.Model));
    }

    private static List<double> Losses(string directory) =>
        RunLog.Read(Path.Combine(directory, PretrainRun.LogFile)).Where(e => e.loss is not null).Select(e => e.loss!.Value).ToList();

    /// <summary>CPU copies of the model's state, by name.</summary>
    private static Dictionary<string, Tensor> CopyState(nn.Module module)
    {
        var state = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        using var scope = NewDisposeScope();
        foreach (var (name, tensor) in module.StateEntries()) state[name] = tensor.detach().cpu().clone().DetachFromDisposeScope();
        return state;
    }

    /// <summary>Worst |a − b| / |b| over steps <paramref name="from"/> … <paramref name="to"/> − 1 (0-based).</summary>
    private static double LossDifference(List<double> reference, List<double> other, int from, int to)
    {
        if (reference.Count < to || other.Count < to) return double.PositiveInfinity;
        double worst = 0;
        for (int i = from; i < to; i++) worst = Math.Max(worst, Math.Abs(other[i] - reference[i]) / Math.Max(Math.Abs(reference[i]), 1e-12));
        return worst;
    }

    /// <summary>Worst ‖(b − θ0) − (a − θ0)‖ / ‖a − θ0‖ over floating-point tensors (integer tensors must be equal); the
    /// tensor's name.</summary>
    private static (double difference, string name) StateDifference(Dictionary<string, Tensor> initial, Dictionary<string, Tensor> a, Dictionary<string, Tensor> b)
    {
        double worst = 0;
        string worstName = "";
        using var scope = NewDisposeScope();
        foreach (var (name, ta) in a)
        {
            Tensor tb = b[name];
            double d;
            if (ta.dtype is ScalarType.Float32 or ScalarType.Float64)
            {
                var changeA = ta.to(ScalarType.Float64) - initial[name].to(ScalarType.Float64);
                var changeB = tb.to(ScalarType.Float64) - initial[name].to(ScalarType.Float64);
                double scale = changeA.norm().item<double>();
                double gap = (changeB - changeA).norm().item<double>();
                d = gap == 0 ? 0 : gap / Math.Max(scale, 1e-30);
            }
            else
            {
                d = ta.SameValues(tb) ? 0 : double.PositiveInfinity;
            }
            if (d > worst || worstName.Length == 0)
            {
                worst = Math.Max(worst, d);
                worstName = name;
            }
        }
        return (worst, worstName);
    }
}
