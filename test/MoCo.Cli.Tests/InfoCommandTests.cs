using MoCo.Cli.Tests.Support;

namespace MoCo.Cli.Tests;

// `moco info` on models written before the encoder-metadata contract (test/Fixtures/before-23): every line it printed
// then (inputs, outputs, each moco.* key) is still printed.
[NonParallelizable]
public class InfoCommandTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "before-23", name);

    private static (int Code, string Out) Info(string path)
    {
        var run = MocoRun.Captured("info", path);
        return (run.Code, run.Out);
    }

    [TestCase("rgb32", "resize 37, crop 32, channels 3, mean [0.485, 0.456, 0.406], std [0.229, 0.224, 0.225]; input float NCHW, normalised by the caller")]
    [TestCase("rgb32-uint8", "resize 37, crop 32, channels 3, mean [0.485, 0.456, 0.406], std [0.229, 0.224, 0.225]; input uint8 NHWC pixels, normalised inside the model")]
    [TestCase("gray28", "resize 28, crop 28, channels 1, mean [0.286], std [0.353]; input float NCHW, normalised by the caller")]
    public void Info_on_a_model_exported_before_prints_every_line_it_printed_then_and_its_preprocessing(string model, string preprocessing)
    {
        var (code, output) = Info(Fixture(model + ".onnx"));
        Assert.That(code, Is.EqualTo(0));
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        // The first line names the path and the ONNX Runtime version: both differ between machines.
        foreach (var line in File.ReadAllLines(Fixture(model + ".info.txt")).Skip(1))
        {
            Assert.That(lines, Does.Contain(line));
        }

        Assert.That(lines, Does.Contain("  preprocessing: " + preprocessing));
    }

    [Test]
    public void Info_says_when_a_model_has_no_or_unreadable_preprocessing()
    {
        Assert.That(Commands.InfoCommand.Preprocessing(new Dictionary<string, string> { ["moco.arch"] = "x" }, "m.onnx"), Does.StartWith("none recorded"));
        var broken = new Dictionary<string, string> { ["moco.resize"] = "37", ["moco.input_size"] = "32" };
        Assert.That(Commands.InfoCommand.Preprocessing(broken, "m.onnx"), Does.StartWith("unreadable: ").And.Contain("missing moco.input_channels"));
    }
}
