using System.CommandLine;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using MoCo.Cli.Commands;
using MoCo.Cli.Options;
using MoCo.Imaging.Datasets;
using MoCo.Training.Trainer;

namespace MoCo.Cli.Tests.Options;

// The shared option sets: one meaning per flag name across commands, old spellings hidden but working, every
// field of a preset on the command line.
[NonParallelizable]
public class OptionSetsTests
{
    private static readonly (double[] Mean, double[] Std) Half = ([0.5], [0.5]);

    /// <summary>Every pretraining option with a value unlike v2's and unlike what the command picks without it (for 96-px,
    /// 3-channel data normalised with 0.5/0.5), and --preset v1, whose own values are overridden too.</summary>
    private static readonly string[] EveryRecipeOption =
    [
        "--preset", "v1", "--arch", "resnet34", "--width", "8", "--small-images", "true", "--stem-padding", "2", "--in-channels", "1", "--dim", "64", "--batch", "32",
        "--queue", "4096", "--momentum", "0.99", "--bank-momentum", "0.7", "--temperature", "0.3", "--mlp", "false", "--symmetric", "true",
        "--bn-splits", "4", "--shuffle-bn", "false", "--lr", "0.06", "--weight-decay", "5e-4", "--sgd-momentum", "0.8", "--epochs", "50",
        "--schedule", "multistep", "--milestones", "30,40", "--lr-per-step", "true", "--warmup-epochs", "5", "--jitter-probability", "0.5",
        "--min-crop-scale", "0.3", "--mean", "0.25", "--std", "0.125", "--threads", "3", "--seed", "5000000000", "--device", "cuda:1",
        "--deterministic", "false", "--channels-last", "false", "--full-augmentation", "false", "--log-every", "7", "--checkpoint-every", "100",
        "--knn-k", "20", "--knn-temperature", "0.07",
    ];

    private static (ParseResult Result, T Options) Parse<T>(Func<T, Command> create, T options, params string[] args)
    {
        var result = create(options).Parse(args);
        Assert.That(result.Errors, Is.Empty, string.Join("; ", result.Errors.Select(e => e.Message)));
        return (result, options);
    }

    private static PretrainConfig PretrainConfigOf(params string[] args)
    {
        var (r, o) = Parse(PretrainCommand.Create, new PretrainCommand.Options(), args);
        return o.Evaluation.Apply(r, o.Pretraining.Configure(r, 96, 3, _ => Half));
    }

    private static PretrainConfig AblateConfigOf(params string[] args)
    {
        var (r, o) = Parse(AblateCommand.Create, new AblateCommand.Options(), args);
        return o.Configure(r, 96, 3, _ => Half);
    }

    private static string Help(string command)
    {
        var output = new StringWriter();
        int code = MocoApp.Build().Parse([command, "--help"]).Invoke(new InvocationConfiguration { Output = output });
        Assert.That(code, Is.Zero);
        return output.ToString();
    }

    /// <summary>Every public field of a config, by name (the config's JSON leaves some out when they have their default).</summary>
    private static string Fields(PretrainConfig c) => string.Join("; ", typeof(PretrainConfig).GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Select(p => $"{p.Name}={JsonSerializer.Serialize(p.GetValue(c))}"));

    private static bool Names(string help, string flag) => Regex.IsMatch(help, $@"(?<![\w-]){Regex.Escape(flag)}(?![\w-])");

    [Test]
    public void Every_field_of_a_preset_is_reachable_from_the_command_line()
    {
        var config = PretrainConfigOf([.. EveryRecipeOption, "--method", "memory-bank", "--init", "start.ckpt", "--init-queue"]);
        var v2 = PretrainConfig.V2;
        var same = typeof(PretrainConfig).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => JsonSerializer.Serialize(p.GetValue(config)) == JsonSerializer.Serialize(p.GetValue(v2)))
            .Select(p => p.Name).ToList();
        Assert.That(same, Is.Empty, "fields no option changed");
        Assert.That((config.WeightDecay, config.Seed, config.Device, config.Milestones), Is.EqualTo((5e-4, 5000000000UL, "cuda:1", new long[] { 30, 40 })));
        Assert.That((config.Mean, config.Std, config.InputSize), Is.EqualTo((new[] { 0.25 }, new[] { 0.125 }, 96)));
        Assert.That(config.InitFrom, Is.EqualTo(new InitialWeights { Path = "start.ckpt", Queue = true }), "the hash is the run's to record");
    }

    [Test]
    public void Weight_decay_reaches_the_config_and_defaults_to_the_presets()
    {
        Assert.That(PretrainConfigOf("--weight-decay", "0.0005").WeightDecay, Is.EqualTo(5e-4));
        Assert.That(AblateConfigOf("--weight-decay", "0.0005").WeightDecay, Is.EqualTo(5e-4));
        Assert.That(PretrainConfigOf().WeightDecay, Is.EqualTo(1e-4));
    }

    [Test]
    public void Each_pretraining_option_parses_identically_in_pretrain_and_ablate()
    {
        // One option at a time, so that no option's effect hides another's; then all together.
        for (int i = 0; i < EveryRecipeOption.Length; i += 2)
        {
            string[] one = EveryRecipeOption[i..(i + 2)];
            string pretrain = Fields(PretrainConfigOf(one)), ablate = Fields(AblateConfigOf(one));
            Assert.That(ablate, Is.EqualTo(pretrain), one[0]);
            Assert.That(pretrain, Is.Not.EqualTo(Fields(PretrainConfigOf())), $"{one[0]} changes nothing");
        }

        Assert.That(Fields(AblateConfigOf(EveryRecipeOption)), Is.EqualTo(Fields(PretrainConfigOf(EveryRecipeOption))));
    }

    [Test]
    public void Ablate_has_the_schedule_warm_up_determinism_and_layout_options_back()
    {
        var config = AblateConfigOf("--schedule", "multistep", "--warmup-epochs", "2", "--deterministic", "false", "--channels-last", "false");
        Assert.That((config.Schedule, config.WarmupEpochs, config.Deterministic, config.ChannelsLast), Is.EqualTo(("multistep", 2, false, false)));
        Assert.That(Names(Help("ablate"), "--method"), Is.False, "ablate sweeps the method with --methods");
        Assert.That(Names(Help("ablate"), "--init"), Is.False, "--init is pretrain's");
        Assert.That(Names(Help("pretrain"), "--init") && Names(Help("pretrain"), "--init-queue"), Is.True);
    }

    [Test]
    public void Device_has_one_parser_for_libtorch_and_onnx_runtime()
    {
        Assert.That(ComputeDevice.Parse("cpu"), Is.EqualTo(ComputeDevice.Cpu));
        Assert.That((ComputeDevice.Parse(" CUDA ").Name, ComputeDevice.Parse("cuda").OnnxDeviceId), Is.EqualTo(("cuda", (int?)0)));
        Assert.That((ComputeDevice.Parse("cuda:2").Name, ComputeDevice.Parse("cuda:2").OnnxDeviceId), Is.EqualTo(("cuda:2", (int?)2)));
        Assert.That(ComputeDevice.Cpu.OnnxDeviceId, Is.Null);
        foreach (string bad in new[] { "gpu", "cuda:", "cuda:-1", "cuda:x", "cuda:1:2" })
            Assert.That(() => ComputeDevice.Parse(bad), Throws.ArgumentException.With.Message.EqualTo($"--device '{bad}' is not cpu, cuda or cuda:N"), bad);

        Assert.That(PretrainConfigOf("--device", "cuda:1").Device, Is.EqualTo("cuda:1"));
        Assert.That(AblateConfigOf("--device", "cuda:1").Device, Is.EqualTo("cuda:1"));
        var (probe, p) = Parse(ProbeCommand.Create, new ProbeCommand.Options(), "--model", "m.onnx", "--train", "fashion-mnist", "--device", "cuda:1");
        Assert.That(p.Device.Get(probe).OnnxDeviceId, Is.EqualTo(1));
        var (extract, e) = Parse(ExtractCommand.Create, new ExtractCommand.Options(), "--model", "m.onnx", "--data", "fashion-mnist", "--out", "s", "--device", "cuda:1");
        Assert.That(e.Device.Get(extract).OnnxDeviceId, Is.EqualTo(1));
        Assert.That(e.Device.Get(ExtractCommand.Create(e).Parse(["--model", "m", "--data", "d", "--out", "s"])), Is.EqualTo(ComputeDevice.Cpu), "default cpu");
    }

    [Test]
    public void Seed_is_64_bits_in_every_command()
    {
        Assert.That(PretrainConfigOf("--seed", "5000000000").Seed, Is.EqualTo(5000000000UL));
        Assert.That(AblateConfigOf("--seed", "5000000000").Seed, Is.EqualTo(5000000000UL));
        var (r, o) = Parse(ProbeCommand.Create, new ProbeCommand.Options(), "--model", "m", "--train", "t", "--seed", "5000000000");
        Assert.That(r.GetValue(o.Seed), Is.EqualTo(5000000000UL));
        // Probe's ML.NET and System.Random take 32 bits: small seeds unchanged, the high half folded into the low one.
        Assert.That(ProbeCommand.Seed32(0), Is.Zero);
        Assert.That(ProbeCommand.Seed32(12345), Is.EqualTo(12345));
        Assert.That(ProbeCommand.Seed32((1UL << 32) + 3), Is.EqualTo(2)); // low 3 xor high 1
    }

    private static IEnumerable<TestCaseData> Renames()
    {
        TestCaseData Case(string command, string current, string old, string value, Func<string[], object?> read) =>
            new TestCaseData(command, current, old, value, read).SetArgDisplayNames(command, current, old);

        object? Pretrain(string[] a, Func<PretrainCommand.Options, ParseResult, object?> f) { var (r, o) = Parse(PretrainCommand.Create, new PretrainCommand.Options(), a); return f(o, r); }
        object? Ablate(string[] a, Func<AblateCommand.Options, ParseResult, object?> f) { var (r, o) = Parse(AblateCommand.Create, new AblateCommand.Options(), a); return f(o, r); }
        object? Probe(string[] a, Func<ProbeCommand.Options, ParseResult, object?> f) { var (r, o) = Parse(ProbeCommand.Create, new ProbeCommand.Options(), ["--model", "m", "--train", "t", .. a]); return f(o, r); }
        object? Extract(string[] a, Func<ExtractCommand.Options, ParseResult, object?> f) { var (r, o) = Parse(ExtractCommand.Create, new ExtractCommand.Options(), ["--model", "m", "--data", "d", "--out", "s", .. a]); return f(o, r); }

        yield return Case("pretrain", "--first", "--limit", "256", a => Pretrain(a, (o, r) => o.First.Get(r)));
        yield return Case("pretrain", "--knn-first", "--knn-limit", "500", a => Pretrain(a, (o, r) => o.KnnFirst.Get(r)));
        yield return Case("ablate", "--first", "--limit", "256", a => Ablate(a, (o, r) => o.First.Get(r)));
        yield return Case("ablate", "--test-first", "--test-limit", "500", a => Ablate(a, (o, r) => o.TestFirst.Get(r)));
        yield return Case("ablate", "--negatives", "--k", "32,64", a => Ablate(a, (o, r) => string.Join(";", o.Sweeps(r).NegativesList)));
        yield return Case("ablate", "--momenta", "--m", "0.9,0.99", a => Ablate(a, (o, r) => string.Join(";", o.Sweeps(r).Momenta)));
        yield return Case("probe", "--sample", "--limit", "400", a => Probe(a, (o, r) => o.Sample.Get(r)));
        yield return Case("probe", "--test-sample", "--test-limit", "300", a => Probe(a, (o, r) => o.TestSample.Get(r)));
        yield return Case("probe", "--knn-k", "--k", "20", a => Probe(a, (o, r) => o.Evaluation.K(r)));
        yield return Case("probe", "--knn-temperature", "--temperature", "0.05", a => Probe(a, (o, r) => o.Evaluation.Temperature(r)));
        yield return Case("probe", "--onnx-batch", "--batch", "16", a => Probe(a, (o, r) => o.OnnxBatch.Get(r)));
        yield return Case("extract", "--onnx-batch", "--batch", "16", a => Extract(a, (o, r) => o.OnnxBatch.Get(r)));
    }

    [TestCaseSource(nameof(Renames))]
    public void An_old_spelling_gives_the_new_names_value_is_hidden_from_help_and_cannot_be_given_with_it(
        string command, string current, string old, string value, Func<string[], object?> read)
    {
        var saved = Console.Error;
        var notes = new StringWriter();
        Console.SetError(notes);
        try
        {
            object? viaNew = read([current, value]);
            Assert.That(viaNew, Is.Not.Null);
            Assert.That(notes.ToString(), Is.Empty);
            Assert.That(read([old, value]), Is.EqualTo(viaNew));
            Assert.That(notes.ToString(), Does.Contain($"{old} is now {current}"));
            Assert.That(() => read([current, value, old, value]), Throws.ArgumentException.With.Message.Contains($"give {current} or its old spelling {old}, not both"));
        }
        finally
        {
            Console.SetError(saved);
        }

        string help = Help(command);
        Assert.That(Names(help, current), Is.True, help);
        Assert.That(Names(help, old), Is.False, help);
    }

    [Test]
    public void One_meaning_per_flag_name_across_commands()
    {
        // The names that meant two things before: each now appears only where it means its one thing.
        var helps = new[] { "pretrain", "ablate", "probe", "extract" }.ToDictionary(c => c, Help);
        string[] With(string flag) => helps.Where(h => Names(h.Value, flag)).Select(h => h.Key).Order().ToArray();
        Assert.That(With("--k"), Is.Empty);
        Assert.That(With("--m"), Is.Empty);
        Assert.That(With("--limit"), Is.Empty);
        Assert.That(With("--test-limit"), Is.Empty);
        Assert.That(With("--batch"), Is.EqualTo(new[] { "ablate", "pretrain" }), "the training batch");
        Assert.That(With("--onnx-batch"), Is.EqualTo(new[] { "extract", "probe" }));
        Assert.That(With("--temperature"), Is.EqualTo(new[] { "ablate", "pretrain" }), "the contrastive τ");
        Assert.That(With("--knn-k"), Is.EqualTo(new[] { "ablate", "pretrain", "probe" }));
        Assert.That(With("--device"), Is.EqualTo(new[] { "ablate", "extract", "pretrain", "probe" }));
        foreach (var (command, help) in helps)
            Assert.That(help, Does.Contain(DataSourceSpec.Forms), $"{command}'s data options list every source form");
    }

    [Test]
    public void The_knn_rule_reaches_pretrain_ablate_and_probe_alike()
    {
        Assert.That((PretrainConfigOf("--knn-k", "20").KnnK, AblateConfigOf("--knn-k", "20").KnnK), Is.EqualTo((20, 20)));
        Assert.That((PretrainConfigOf("--knn-temperature", "0.05").KnnTemperature, AblateConfigOf("--knn-temperature", "0.05").KnnTemperature), Is.EqualTo((0.05, 0.05)));
        var (r, o) = Parse(ProbeCommand.Create, new ProbeCommand.Options(), "--model", "m", "--train", "t", "--knn-k", "20", "--knn-temperature", "0.05");
        Assert.That((o.Evaluation.K(r), o.Evaluation.Temperature(r)), Is.EqualTo(((int?)20, (double?)0.05)));
        Assert.That(() => PretrainConfigOf("--knn-k", "0"), Throws.ArgumentException.With.Message.Contains("--knn-k must be positive"));
    }

    [Test]
    public void Mean_and_std_need_one_value_per_channel() =>
        Assert.That(() => PretrainConfigOf("--mean", "0.5,0.5"), Throws.ArgumentException.With.Message.EqualTo("--mean has 2 value(s) for 1 channel(s)"));
}
