namespace MoCo.Extraction;

/// <summary>Where a running job stands: items of its shard done (including those found done in the store), failures, and the total.</summary>
internal readonly record struct ExtractionProgress(int Done, int Total, int Failed, int DoneAtStart);

/// <summary>What a finished (or stopped) job did.</summary>
internal sealed record ExtractionSummary(
    string Store,
    int Total,
    int DoneAtStart,
    int Extracted,
    int Failed,
    int FilesWritten,
    double Seconds,
    bool Stopped,
    IReadOnlyList<(string Path, string Error)> FailureSamples)
{
    /// <summary>Items handled per second by this run (readable or not).</summary>
    public double ImagesPerSecond => Seconds > 0 ? (Extracted + Failed) / Seconds : 0;
}
