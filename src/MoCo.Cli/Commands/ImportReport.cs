using System.Globalization;
using MoCo.Training.Import;

namespace MoCo.Cli.Commands;

/// <summary>What <c>moco import</c> and <c>moco info</c> print about a PyTorch file and what an import recognised in it.</summary>
internal static class ImportReport
{
    private static (string Key, string Reason) Split(string ignored)
    {
        int colon = ignored.IndexOf(": ", StringComparison.Ordinal);
        return colon < 0 ? (ignored, "left out") : (ignored[..colon], ignored[(colon + 2)..]);
    }

    internal static string Format(PyTorchFormat format) => format switch
    {
        PyTorchFormat.Zip => "zip (torch.save, PyTorch ≥ 1.6)",
        PyTorchFormat.Legacy => "legacy (torch.save before PyTorch 1.6, or _use_new_zipfile_serialization=False)",
        _ => "safetensors",
    };

    /// <summary>The file: container, tensor count, top-level keys, the objects kept inert.</summary>
    internal static void File(TextWriter w, PyTorchFile file)
    {
        w.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{file.Path}: PyTorch file, {Format(file.Format)}, {file.TensorCount} tensors, {new FileInfo(file.Path).Length / 1024.0 / 1024.0:F1} MB; read without running anything"));
        if (file.TopLevelKeys.Count > 0)
        {
            var keys = file.TopLevelKeys;
            w.WriteLine($"  top-level keys ({keys.Count}): {string.Join(", ", keys.Take(20))}{(keys.Count > 20 ? $", … {keys.Count - 20} more" : "")}");
        }
        foreach (IgnoredObject o in file.IgnoredObjects) w.WriteLine($"  ignored object: {o.Path} ({o.Global}, kept inert, not called)");
    }

    /// <summary>What was recognised: layout, network, head, key encoder, queue, every key left out, notes.</summary>
    internal static void Summary(TextWriter w, ImportSummary s)
    {
        w.WriteLine($"  layout: {CheckpointLayoutNames.Format(s.Layout)}");
        w.WriteLine($"  network: {s.DescribeEncoder()}");
        w.WriteLine($"  key encoder: {(s.HasKeyEncoder ? "in the file (encoder_k.*)" : "none in the file (the import copies the query encoder's)")}");
        w.WriteLine($"  queue: {(s.QueueSize is { } k ? string.Create(CultureInfo.InvariantCulture, $"in the file, K {k}") : "none in the file")}");
        // Every key left out is named; those left out for the same reason (a momentum encoder's hundreds) share a line.
        foreach (var group in s.IgnoredKeys.Select(Split).GroupBy(k => k.Reason, StringComparer.Ordinal))
        {
            var keys = group.Select(k => k.Key).ToList();
            w.WriteLine(keys.Count == 1 ? $"  ignored key: {keys[0]}: {group.Key}" : $"  ignored keys ({keys.Count}), {group.Key}: {string.Join(", ", keys)}");
        }
        foreach (string note in s.Notes) w.WriteLine($"  note: {note}");
    }
}
