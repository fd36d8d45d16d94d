using System.Text.Json;
using MoCo.Training.Data;
using MoCo.Training.Export;
using MoCo.Training.Trainer;

namespace MoCo.Training.Tests.Trainer;

/// <summary>
/// Checkpoints written before the move to TorchSharp (MoCo.Torch over Debian's libtorch 1.13.1; Fixtures/pre-port
/// says how they were made) still load, resume and export: the resumed run continues as the old engine's
/// uninterrupted run did, up to the float rounding between libtorch 1.13 and 2.10 (1e-5 relative), and the export is the old
/// engine's, byte for byte.
/// </summary>
public class PrePortCheckpointTests
{
    // ChannelsLast: the old default. FullAugmentation false: the old engine's in-memory recipe had no blur and no hue,
    // and its config has no such key, so it resumes without them.
    private static readonly PretrainConfig Config = PretrainRunTests.Tiny with { InputSize = 16, Mean = [0.3], Std = [0.3], ChannelsLast = true, FullAugmentation = false };
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "pre-port", name);

    private string dir = "";

    [SetUp]
    public void CopyFixture()
    {
        dir = Directory.CreateTempSubdirectory("moco-preport-").FullName;
        File.Copy(Fixture("last.ckpt"), Path.Combine(dir, PretrainRun.CheckpointFile));
        File.Copy(Fixture("log.jsonl"), Path.Combine(dir, PretrainRun.LogFile));
    }

    [TearDown]
    public void RemoveDir() => Directory.Delete(dir, recursive: true);

    private static double[] Losses(string path) =>
        File.ReadLines(path).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("loss").GetDouble()).ToArray();

    [Test]
    public void A_pre_port_checkpoint_resumes_and_continues_as_the_old_engine_did()
    {
        Assert.That(JsonSerializer.Serialize(PretrainRun.ReadConfig(dir)), Is.EqualTo(JsonSerializer.Serialize(Config)));
        using var images = PretrainRunTests.Blobs();
        using (var run = PretrainRun.Resume(dir, new InMemoryViewPairSource(images, Config.Augmentation(16, [0.3], [0.3]), Config.Seed), null))
        {
            Assert.That(run.Position.GlobalStep, Is.EqualTo(4));
            run.Run();
        }
        double[] resumed = Losses(Path.Combine(dir, PretrainRun.LogFile)), straight = Losses(Fixture("straight-log.jsonl"));
        Assert.That(resumed, Has.Length.EqualTo(12));
        Assert.That(resumed.Take(4), Is.EqualTo(straight.Take(4)), "the log is cut back to the checkpoint: steps 1-4 are the old engine's");
        double worst = resumed.Zip(straight).Skip(4).Max(p => Math.Abs(p.First - p.Second) / Math.Abs(p.Second));
        TestContext.Out.WriteLine($"steps 5-12 after the resume vs the old engine's uninterrupted run: worst relative difference {worst:E2}");
        Assert.That(worst, Is.LessThan(1e-5));   // measured 8.8e-8
    }

    [Test]
    public void A_pre_port_checkpoint_exports_the_old_engines_onnx_byte_for_byte()
    {
        string onnx = Path.Combine(dir, "encoder.onnx");
        CheckpointExport.Export(Path.Combine(dir, PretrainRun.CheckpointFile), onnx);
        Assert.That(File.ReadAllBytes(onnx), Is.EqualTo(File.ReadAllBytes(Fixture("encoder.onnx"))));
    }
}
