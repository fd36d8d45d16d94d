using System.CommandLine;
using MoCo.Training.Trainer;

namespace MoCo.Cli.Options;

/// <summary>
/// The kNN rule of every evaluation: <c>pretrain</c>'s monitor, <c>ablate</c>'s kNN column and <c>probe</c>'s kNN
/// classifier (<c>--knn-k</c>, <c>--knn-temperature</c>; <c>probe</c>'s old <c>--k</c>/<c>--temperature</c> stay as
/// hidden spellings for one release, since <c>--temperature</c> is the contrastive τ elsewhere).
/// </summary>
internal sealed class EvaluationOptions
{
    internal EvaluationOptions(bool withOldProbeSpellings)
    {
        KnnK = new Option<int?>("--knn-k") { Description = $"kNN neighbours (default {PretrainConfig.V2.KnnK})" };
        KnnTemperature = new Option<double?>("--knn-temperature") { Description = $"kNN vote temperature (votes weighted exp(cos/t); default {PretrainConfig.V2.KnnTemperature})" };
        if (withOldProbeSpellings)
        {
            RenamedK = new RenamedOption<int?>(KnnK, "--k");
            RenamedTemperature = new RenamedOption<double?>(KnnTemperature, "--temperature");
        }
    }

    internal Option<int?> KnnK { get; }

    internal Option<double?> KnnTemperature { get; }

    private RenamedOption<int?>? RenamedK { get; }

    private RenamedOption<double?>? RenamedTemperature { get; }

    internal IEnumerable<Option> All => RenamedK is null ? [KnnK, KnnTemperature] : [.. RenamedK.Options, .. RenamedTemperature!.Options];

    /// <summary>The neighbours given, or null.</summary>
    internal int? K(ParseResult r) => (RenamedK is null ? r.GetValue(KnnK) : RenamedK.Get(r)) is { } k ? OptionValues.Positive(k, "--knn-k") : null;

    /// <summary>The temperature given, or null.</summary>
    internal double? Temperature(ParseResult r) => (RenamedTemperature is null ? r.GetValue(KnnTemperature) : RenamedTemperature.Get(r)) is { } t
        ? t > 0 ? t : throw new ArgumentException($"--knn-temperature must be positive, got {t}")
        : null;

    /// <summary>A pretraining config with the kNN rule given (the config's own where none is).</summary>
    internal PretrainConfig Apply(ParseResult r, PretrainConfig config) => config with
    {
        KnnK = K(r) ?? config.KnnK,
        KnnTemperature = Temperature(r) ?? config.KnnTemperature,
    };
}
