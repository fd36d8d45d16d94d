namespace MoCo.Cli.Tests;

// `moco info` on models written before the encoder-metadata contract (test/Fixtures/before-23): every line it printed
// then (inputs, outputs, each moco.* key) is still printed.
[NonParallelizable]
public class InfoCommandTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "before-23", name);

    private static (int Code, string Out) Info(string path)
    {
        var output = new StringWriter();
        var saved = Console.Out;
        Console.SetOut(output);
        try
        {
            return (MocoApp.Run(["info", path]), output.ToString());
        }
        finally
        {
            Console.SetOut(saved);
        }
    }

    [TestCase("rgb32")]
    [TestCase("rgb32-uint8")]
    [TestCase("gray28")]
    public void Info_on_a_model_exported_before_prints_every_line_it_printed_then(string model)
    {
        var (code, output) = Info(Fixture(model + ".onnx"));
        Assert.That(code, Is.EqualTo(0));
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        // The first line names the path and the ONNX Runtime version: both differ between machines.
        foreach (var line in File.ReadAllLines(Fixture(model + ".info.txt")).Skip(1))
        {
            Assert.That(lines, Does.Contain(line));
        }
    }
}
