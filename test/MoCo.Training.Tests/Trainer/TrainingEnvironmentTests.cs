using MoCo.Training.Trainer;

namespace MoCo.Training.Tests.Trainer;

public class TrainingEnvironmentTests
{
    private int threads;

    [SetUp]
    public void RememberThreads() => threads = get_num_threads();

    [TearDown]
    public void RestoreThreads() => set_num_threads(threads);

    [Test]
    public void The_environment_is_read_from_the_config()
    {
        var e = TrainingEnvironment.For(PretrainRunTests.Tiny with { Threads = 3, Deterministic = false });
        Assert.That(e, Is.EqualTo(new TrainingEnvironment { Threads = 3, DeviceType = DeviceType.CPU, Deterministic = false, KeepFreedMemory = true }));
        Assert.That(TrainingEnvironment.For(PretrainConfig.V2 with { Device = "cuda:1" }).DeviceType, Is.EqualTo(DeviceType.CUDA));
    }

    // Set once, the settings serve every run that needs them; a run whose needs differ (here: the thread count was
    // changed behind the environment's back) applies its config's.
    [Test]
    public void A_run_keeps_settings_that_serve_it_and_applies_its_own_otherwise()
    {
        string dir = Directory.CreateTempSubdirectory("moco-env-").FullName;
        try
        {
            using var images = PretrainRunTests.Blobs();
            var config = PretrainRunTests.Tiny with { Threads = 1 };
            var data = new MoCo.Training.Data.InMemoryViewPairSource(images, config.Augmentation(16, [0.3], [0.3]), config.Seed);
            var set = TrainingEnvironment.For(config);
            set.Apply();
            Assert.That(TrainingEnvironment.Current, Is.SameAs(set));
            Assert.That(get_num_threads(), Is.EqualTo(1));
            using (PretrainRun.Start(config, data, null, dir)) Assert.That(TrainingEnvironment.Current, Is.SameAs(set), "kept");
            set_num_threads(2);
            using (PretrainRun.Start(config, data, null, dir))
            {
                Assert.That(TrainingEnvironment.Current, Is.Not.SameAs(set).And.EqualTo(set), "applied again");
                Assert.That(get_num_threads(), Is.EqualTo(1));
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
