using System.CommandLine;
using MoCo.Imaging.Datasets;

namespace MoCo.Cli.Options;

/// <summary>
/// The data options every command builds from: a source (any <see cref="DataSourceSpec"/> form, listed in its help) and
/// image counts whose names say which images: <c>--first N</c>-style counts take the first N in source order,
/// <c>--sample N</c>-style counts a seeded random N.
/// </summary>
internal static class DataOptions
{
    /// <summary>A source option: <paramref name="what"/> followed by the accepted forms.</summary>
    internal static Option<string> Source(string name, string what, string? defaultValue = null)
    {
        var option = new Option<string>(name) { Description = $"{what}: {DataSourceSpec.Forms}" };
        if (defaultValue is null) option.Required = true;
        else option.DefaultValueFactory = _ => defaultValue;
        return option;
    }

    /// <summary>An optional source option (no default).</summary>
    /// <summary>A feature store to read (<c>moco extract</c>'s <c>--out</c>): index, neighbors, dedup, select, report.</summary>
    internal static Option<string> Store() => new("--store") { Description = "the feature store (moco extract's --out folder)", Required = true };

    internal static Option<string?> OptionalSource(string name, string what) => new(name) { Description = $"{what}: {DataSourceSpec.Forms}" };

    /// <summary>The source given to <paramref name="option"/>, parsed.</summary>
    internal static DataSourceSpec Spec(ParseResult r, Option<string> option) => DataSourceSpec.Parse(r.GetValue(option)!);

    /// <summary>The source given to <paramref name="option"/>, parsed, or null.</summary>
    internal static DataSourceSpec? OptionalSpec(ParseResult r, Option<string?> option) => r.GetValue(option) is { } text ? DataSourceSpec.Parse(text) : null;

    /// <summary>A count of the first images in source order, renamed from <paramref name="oldName"/>.</summary>
    internal static RenamedOption<int?> First(string name, string images, string oldName) =>
        new(new Option<int?>(name) { Description = $"use the first N {images} (source order)" }, oldName);

    /// <summary>As <see cref="First(string, string, string)"/> with a default.</summary>
    internal static RenamedOption<int> First(string name, string images, string oldName, int defaultValue) =>
        new(new Option<int>(name) { Description = $"use the first N {images} (source order)", DefaultValueFactory = _ => defaultValue }, oldName);

    /// <summary>A count of a seeded random sample of images, renamed from <paramref name="oldName"/>.</summary>
    internal static RenamedOption<int?> Sample(string name, string images, string oldName, string note = "") =>
        new(new Option<int?>(name) { Description = $"use a seeded random N of the {images}, kept in source order{note}" }, oldName);
}
