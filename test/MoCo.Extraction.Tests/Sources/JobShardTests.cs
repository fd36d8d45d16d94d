using MoCo.Extraction.Reading;
using MoCo.Extraction.Sources;
using MoCo.Extraction.Tests.Support;
using MoCo.MLNet.Tests.Support;

namespace MoCo.Extraction.Tests.Sources;

// --shard auto from the variables Kubernetes (indexed Job: JOB_COMPLETION_INDEX) and Slurm (job arrays:
// SLURM_ARRAY_TASK_ID / _COUNT / _MIN / _STEP, as sbatch --array sets them) give each worker.
[NonParallelizable]
public class JobShardTests
{
    private static Func<string, string?> Env(params (string Name, string Value)[] variables)
    {
        var map = variables.ToDictionary(v => v.Name, v => v.Value);
        return name => map.GetValueOrDefault(name);
    }

    [Test]
    public void Explicit_shards_parse_and_must_agree_with_a_count()
    {
        Assert.That(JobShard.Resolve("2/5", null, Env()), Is.EqualTo(new JobShard(2, 5)));
        Assert.That(JobShard.Resolve("2/5", 5, Env()), Is.EqualTo(new JobShard(2, 5)));
        Assert.That(() => JobShard.Resolve("2/5", 4, Env()), Throws.ArgumentException.With.Message.Contains("disagree"));
    }

    [Test]
    public void A_kubernetes_indexed_job_gives_the_index_and_the_count_option_the_count()
    {
        Assert.That(JobShard.Resolve("auto", 4, Env(("JOB_COMPLETION_INDEX", "3"))), Is.EqualTo(new JobShard(3, 4)));
        Assert.That(() => JobShard.Resolve("auto", null, Env(("JOB_COMPLETION_INDEX", "3"))),
            Throws.ArgumentException.With.Message.Contains("--shard-count").And.Message.Contains("completions"));
        Assert.That(() => JobShard.Resolve("auto", 3, Env(("JOB_COMPLETION_INDEX", "3"))), Throws.ArgumentException.With.Message.Contains("shard 3 of 3"));
        Assert.That(() => JobShard.Resolve("auto", 3, Env(("JOB_COMPLETION_INDEX", "x"))), Throws.ArgumentException.With.Message.Contains("not a whole number"));
    }

    [Test]
    public void Every_task_of_a_slurm_array_gets_a_distinct_shard_from_its_id_min_and_step()
    {
        // sbatch --array=4-10:2 runs ids 4, 6, 8, 10: SLURM_ARRAY_TASK_MIN=4, _STEP=2, _COUNT=4.
        var shards = new[] { 4, 6, 8, 10 }.Select(id => JobShard.Resolve("auto", null, Env(
            ("SLURM_ARRAY_TASK_ID", $"{id}"), ("SLURM_ARRAY_TASK_MIN", "4"), ("SLURM_ARRAY_TASK_STEP", "2"), ("SLURM_ARRAY_TASK_COUNT", "4")))).ToList();
        Assert.That(shards, Is.EqualTo(Enumerable.Range(0, 4).Select(i => new JobShard(i, 4))));

        // --array=1-3 (min 1, no step variable): ids 1..3 are shards 0..2.
        Assert.That(JobShard.Resolve("auto", null, Env(("SLURM_ARRAY_TASK_ID", "3"), ("SLURM_ARRAY_TASK_MIN", "1"), ("SLURM_ARRAY_TASK_COUNT", "3"))),
            Is.EqualTo(new JobShard(2, 3)));
    }

    [Test]
    public void Slurm_arrays_that_cannot_be_numbered_or_disagree_are_refused()
    {
        // --array=0,3,7: three tasks, ids beyond the count.
        Assert.That(() => JobShard.Resolve("auto", null, Env(("SLURM_ARRAY_TASK_ID", "7"), ("SLURM_ARRAY_TASK_MIN", "0"), ("SLURM_ARRAY_TASK_COUNT", "3"))),
            Throws.ArgumentException.With.Message.Contains("gaps"));
        Assert.That(() => JobShard.Resolve("auto", 5, Env(("SLURM_ARRAY_TASK_ID", "0"), ("SLURM_ARRAY_TASK_COUNT", "4"))),
            Throws.ArgumentException.With.Message.Contains("4 tasks"));
        Assert.That(JobShard.Resolve("auto", 5, Env(("SLURM_ARRAY_TASK_ID", "1"))), Is.EqualTo(new JobShard(1, 5)));
        Assert.That(() => JobShard.Resolve("auto", null, Env(("SLURM_ARRAY_TASK_ID", "1"))), Throws.ArgumentException.With.Message.Contains("SLURM_ARRAY_TASK_COUNT"));
    }

    [Test]
    public void Auto_without_a_scheduler_or_with_both_is_a_clear_error()
    {
        Assert.That(() => JobShard.Resolve("auto", 4, Env()),
            Throws.ArgumentException.With.Message.Contains("neither a Kubernetes indexed Job").And.Message.Contains("--shard i/n"));
        Assert.That(() => JobShard.Resolve("auto", 4, Env(("JOB_COMPLETION_INDEX", "0"), ("SLURM_ARRAY_TASK_ID", "0"))),
            Throws.ArgumentException.With.Message.Contains("both"));
    }

    [Test]
    public void The_process_environment_is_read_by_default()
    {
        var saved = Environment.GetEnvironmentVariable("JOB_COMPLETION_INDEX");
        var savedSlurm = Environment.GetEnvironmentVariable("SLURM_ARRAY_TASK_ID");
        try
        {
            Environment.SetEnvironmentVariable("SLURM_ARRAY_TASK_ID", null);
            Environment.SetEnvironmentVariable("JOB_COMPLETION_INDEX", "1");
            Assert.That(JobShard.Resolve("auto", 2), Is.EqualTo(new JobShard(1, 2)));
        }
        finally
        {
            Environment.SetEnvironmentVariable("JOB_COMPLETION_INDEX", saved);
            Environment.SetEnvironmentVariable("SLURM_ARRAY_TASK_ID", savedSlurm);
        }
    }

    [Test]
    public void Moco_extract_with_shard_auto_in_an_indexed_job_writes_that_shard_and_without_one_says_why_not()
    {
        using var dir = new TempDir();
        using (var encoder = new ReferenceEncoder(channels: 3, inputSize: 16, resize: 20, width: 4, seed: 41))
        {
            File.WriteAllBytes(dir.File("encoder.onnx"), encoder.OnnxBytes);
        }

        var images = dir.File("images");
        Directory.CreateDirectory(images);
        TestImages.Write(images, 5, seed: 42);
        string[] Args(string store) => ["extract", "--model", dir.File("encoder.onnx"), "--data", images, "--out", store, "--shard", "auto", "--shard-count", "2", "--threads", "1", "--quiet"];
        var scheduler = new Dictionary<string, string?> { ["JOB_COMPLETION_INDEX"] = "1", ["SLURM_ARRAY_TASK_ID"] = null };
        var (code, output) = MocoProcess.Run(Args(dir.File("store")), TimeSpan.FromMinutes(2), scheduler);
        Assert.That(code, Is.EqualTo(0), output);
        var store = FeatureStoreReader.Open(dir.File("store"));
        Assert.That((store.JobShard, store.RowCount), Is.EqualTo(("1/2", 2L)), "items 1 and 3 of 5");

        (code, output) = MocoProcess.Run(Args(dir.File("nowhere")), TimeSpan.FromMinutes(2),
            new Dictionary<string, string?> { ["JOB_COMPLETION_INDEX"] = null, ["SLURM_ARRAY_TASK_ID"] = null });
        Assert.That(code, Is.Not.EqualTo(0));
        Assert.That(output, Does.Contain("error: --shard auto: this is neither a Kubernetes indexed Job"));
    }
}
