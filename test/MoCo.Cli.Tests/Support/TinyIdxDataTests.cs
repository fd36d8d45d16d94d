namespace MoCo.Cli.Tests.Support;

/// <summary>A fixture whose every test gets a fresh <see cref="TinyIdxData"/> folder in <see cref="dir"/>, deleted after it.</summary>
public abstract class TinyIdxDataTests(string prefix, int seed, int count, int side)
{
    /// <summary>The current test's data folder (IDX "train" and "t10k" splits); the test may write below it.</summary>
    protected string dir = "";

    [SetUp]
    public void MakeData() => dir = TinyIdxData.Create(prefix, seed, count, side);

    [TearDown]
    public void Remove() => Directory.Delete(dir, recursive: true);
}
