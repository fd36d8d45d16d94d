using System.Globalization;

namespace MoCo.Extraction.Sources;

/// <summary>
/// One part of a job split over <see cref="Count"/> machines (<c>--shard i/n</c>): the items whose index k in the
/// source has k mod n = i. Deterministic and balanced to within one item, so a Kubernetes indexed Job or a Slurm
/// array can give each worker its index and its own store.
/// </summary>
internal readonly record struct JobShard(int Index, int Count)
{
    /// <summary>The whole source.</summary>
    public static JobShard All { get; } = new(0, 1);

    /// <summary>Parses <c>i/n</c> with 0 ≤ i &lt; n.</summary>
    public static JobShard Parse(string text)
    {
        ArgumentException.ThrowIfNullOrEmpty(text);
        var parts = text.Split('/');
        if (parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var i)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            && n >= 1 && i < n)
        {
            return new JobShard(i, n);
        }

        throw new ArgumentException($"--shard '{text}' is not i/n with 0 <= i < n (e.g. 0/4 for the first of four workers).");
    }

    /// <summary>
    /// Resolves a <c>--shard</c> value: <c>i/n</c> as <see cref="Parse"/>, or <c>auto</c>: the index (and count) from the
    /// scheduler that started this worker. A Kubernetes indexed Job sets <c>JOB_COMPLETION_INDEX</c> (0-based) but no
    /// count, so <paramref name="count"/> (<c>--shard-count</c>, the Job's <c>completions</c>) is needed; a Slurm array
    /// sets <c>SLURM_ARRAY_TASK_ID</c>, <c>SLURM_ARRAY_TASK_COUNT</c>, <c>SLURM_ARRAY_TASK_MIN</c> and
    /// <c>SLURM_ARRAY_TASK_STEP</c>, so task ids <c>min, min+step, …</c> become indices 0, 1, ….
    /// </summary>
    /// <param name="text">The option's value.</param>
    /// <param name="count">The <c>--shard-count</c> option, or null.</param>
    /// <param name="environment">Reads an environment variable (null when unset); default the process's.</param>
    /// <exception cref="ArgumentException">The value, the count or the scheduler's variables do not give one shard, with what to give instead.</exception>
    public static JobShard Resolve(string text, int? count, Func<string, string?>? environment = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(text);
        if (text != "auto")
        {
            var shard = Parse(text);
            if (count is { } n && n != shard.Count)
            {
                throw new ArgumentException($"--shard {text} and --shard-count {n} disagree; give one of them.");
            }

            return shard;
        }

        if (count is < 1)
        {
            throw new ArgumentException($"--shard-count {count} is not a positive count of workers.");
        }

        environment ??= Environment.GetEnvironmentVariable;
        var kubernetes = environment("JOB_COMPLETION_INDEX");
        var slurm = environment("SLURM_ARRAY_TASK_ID");
        if (kubernetes is not null && slurm is not null)
        {
            throw new ArgumentException("--shard auto: both JOB_COMPLETION_INDEX (Kubernetes) and SLURM_ARRAY_TASK_ID (Slurm) are set; give --shard i/n.");
        }

        if (kubernetes is not null)
        {
            var index = Number("JOB_COMPLETION_INDEX", kubernetes);
            var n = count ?? throw new ArgumentException(
                $"--shard auto: a Kubernetes indexed Job gives this worker's index (JOB_COMPLETION_INDEX={kubernetes}) but not the count; give --shard-count (the Job's completions).");
            return Checked(index, n, $"JOB_COMPLETION_INDEX={kubernetes} with --shard-count {n}");
        }

        if (slurm is not null)
        {
            var id = Number("SLURM_ARRAY_TASK_ID", slurm);
            var min = environment("SLURM_ARRAY_TASK_MIN") is { } m ? Number("SLURM_ARRAY_TASK_MIN", m) : 0;
            var step = environment("SLURM_ARRAY_TASK_STEP") is { } st ? Number("SLURM_ARRAY_TASK_STEP", st) : 1;
            var tasks = environment("SLURM_ARRAY_TASK_COUNT") is { } c ? Number("SLURM_ARRAY_TASK_COUNT", c) : (int?)null;
            var n = (tasks, count) switch
            {
                ({ } t, { } o) when t != o => throw new ArgumentException($"--shard auto: the Slurm array has {t} tasks (SLURM_ARRAY_TASK_COUNT) but --shard-count is {o}."),
                ({ } t, _) => t,
                (null, { } o) => o,
                _ => throw new ArgumentException("--shard auto: SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not; give --shard-count."),
            };
            if (step < 1 || (id - min) % step != 0)
            {
                throw new ArgumentException($"--shard auto: Slurm task id {id} is not min {min} plus a multiple of step {step}.");
            }

            // An array with gaps (--array=0,3,7) has ids beyond its count: its tasks cannot be numbered 0..n-1 from the id.
            return Checked((id - min) / step, n,
                $"SLURM_ARRAY_TASK_ID={id} (min {min}, step {step}) with {n} tasks; an array with gaps cannot be numbered, use --array=0-{n - 1}");
        }

        throw new ArgumentException(
            "--shard auto: this is neither a Kubernetes indexed Job (JOB_COMPLETION_INDEX) nor a Slurm array task (SLURM_ARRAY_TASK_ID); give --shard i/n.");
    }

    private static int Number(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : throw new ArgumentException($"--shard auto: {name}='{value}' is not a whole number.");

    private static JobShard Checked(int index, int count, string what) =>
        count >= 1 && index < count ? new JobShard(index, count) : throw new ArgumentException($"--shard auto: {what} gives shard {index} of {count}, not 0 <= i < n.");

    /// <summary>Whether source item <paramref name="index"/> belongs to this shard.</summary>
    public bool Contains(int index) => index % Count == Index;

    /// <summary>The items of this shard among <paramref name="sourceCount"/>, in source order.</summary>
    public IEnumerable<int> Items(int sourceCount)
    {
        for (var k = Index; k < sourceCount; k += Count)
        {
            yield return k;
        }
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Index}/{Count}");
}
