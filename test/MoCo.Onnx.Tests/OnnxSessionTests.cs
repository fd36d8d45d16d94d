using MoCo.Onnx.Tests.Support;

namespace MoCo.Onnx.Tests;

/// <summary>OnnxSession (over the official ONNX Runtime package) against PyTorch eval-mode outputs on a file torch.onnx.export wrote.</summary>
public class OnnxSessionTests
{
    private static string Fixture(string name) => Path.Combine(TorchModels.SmallResNetDir, name);

    [TestCase(1)]
    [TestCase(37)]
    public void TorchExportedResidualNet_MatchesPyTorch(int batch)
    {
        using var session = OnnxSession.Open(Fixture("model.onnx"));
        var input = PythonReference.ReadFloats(Fixture($"in_{batch}.bin"));
        var expected = PythonReference.ReadFloats(Fixture($"out_{batch}.bin"));

        var output = session.Run(input, [batch, 3, 16, 16]);

        Assert.That(output.Shape, Is.EqualTo(new long[] { batch, 10 }));
        // Reference: PyTorch 1.13 eval forward on the same weights and input; float32 reordering only.
        Assert.That(PythonReference.MaxAbsDiff(output.Values, expected), Is.LessThan(1e-4f));
    }

    [TestCase(1)]
    [TestCase(37)]
    public void Uint8NhwcInput_MatchesPyTorch(int batch)
    {
        using var session = OnnxSession.Open(File.ReadAllBytes(Fixture("model_u8.onnx")));
        var input = File.ReadAllBytes(Fixture($"in_u8_{batch}.bin"));
        var expected = PythonReference.ReadFloats(Fixture($"out_u8_{batch}.bin"));

        var output = session.Run(input, [batch, 16, 16, 3]);

        Assert.That(PythonReference.MaxAbsDiff(output.Values, expected), Is.LessThan(1e-4f));
    }

    [Test]
    public void SameModelFromFileAndBytes_GivesIdenticalOutputs()
    {
        using var fromFile = OnnxSession.Open(Fixture("model.onnx"), new OnnxSessionOptions { IntraOpThreads = 1 });
        using var fromBytes = OnnxSession.Open(File.ReadAllBytes(Fixture("model.onnx")), new OnnxSessionOptions { IntraOpThreads = 1 });
        var input = PythonReference.ReadFloats(Fixture("in_37.bin"));

        Assert.That(fromBytes.Run(input, [37, 3, 16, 16]).Values, Is.EqualTo(fromFile.Run(input, [37, 3, 16, 16]).Values));
    }

    [TestCase(OnnxGraphOptimization.None)]
    [TestCase(OnnxGraphOptimization.Basic)]
    [TestCase(OnnxGraphOptimization.Extended)]
    public void EveryOptimizationLevel_MatchesPyTorch(OnnxGraphOptimization level)
    {
        using var session = OnnxSession.Open(Fixture("model.onnx"),
            new OnnxSessionOptions { GraphOptimization = level, IntraOpThreads = 2, InterOpThreads = 1 });
        var output = session.Run(PythonReference.ReadFloats(Fixture("in_37.bin")), [37, 3, 16, 16]);
        Assert.That(PythonReference.MaxAbsDiff(output.Values, PythonReference.ReadFloats(Fixture("out_37.bin"))), Is.LessThan(1e-4f));
    }

    [Test]
    public void WithoutSpinning_MatchesPyTorch_AndTheSpinningSessionBitForBit()
    {
        // ORT's allow_spinning only changes how idle threads wait, never the arithmetic.
        using var quiet = OnnxSession.Open(Fixture("model.onnx"), new OnnxSessionOptions { IntraOpThreads = 2, AllowSpinning = false });
        using var spinning = OnnxSession.Open(Fixture("model.onnx"), new OnnxSessionOptions { IntraOpThreads = 2 });
        var input = PythonReference.ReadFloats(Fixture("in_37.bin"));
        var output = quiet.Run(input, [37, 3, 16, 16]);
        Assert.That(PythonReference.MaxAbsDiff(output.Values, PythonReference.ReadFloats(Fixture("out_37.bin"))), Is.LessThan(1e-4f));
        Assert.That(output.Values, Is.EqualTo(spinning.Run(input, [37, 3, 16, 16]).Values));
    }

    [Test]
    public void InputsAndOutputs_DescribeNamesTypesAndDynamicBatch()
    {
        using var session = OnnxSession.Open(Fixture("model.onnx"));

        Assert.That(session.Inputs, Has.Count.EqualTo(1));
        var input = session.Inputs[0];
        Assert.That(input.Name, Is.EqualTo("image"));
        Assert.That(input.ElementType, Is.EqualTo(OnnxElementType.Float));
        Assert.That(input.Shape, Is.EqualTo(new long[] { -1, 3, 16, 16 }));
        Assert.That(input.SymbolicDimensions[0], Is.EqualTo("N"));
        var output = session.Outputs.Single();
        Assert.That(output.Name, Is.EqualTo("features"));
        Assert.That(output.Shape, Is.EqualTo(new long[] { -1, 10 }));

        using var u8 = OnnxSession.Open(Fixture("model_u8.onnx"));
        Assert.That(u8.Inputs[0].ElementType, Is.EqualTo(OnnxElementType.UInt8));
        Assert.That(u8.Inputs[0].Shape, Is.EqualTo(new long[] { -1, 16, 16, 3 }));
    }

    [Test]
    public void Metadata_ReadsProducerVersionAndCustomProps()
    {
        using var session = OnnxSession.Open(Fixture("model_meta.onnx"));

        Assert.That(session.Metadata.ProducerName, Is.EqualTo("reference-test"));
        Assert.That(session.Metadata.Version, Is.EqualTo(7));
        Assert.That(session.Metadata.Custom, Is.EquivalentTo(new Dictionary<string, string>
        {
            ["moco.arch"] = "tiny",
            ["moco.mean"] = "0.485,0.456,0.406",
        }));
    }

    [Test]
    public void RuntimeVersion_IsThePackagesNative1320_AndCpuProviderIsAvailable()
    {
        // Microsoft.ML.OnnxRuntime 1.32.0, the version tests run on (Directory.Packages.props; the library packages
        // compile against 1.31.1, which test/Consumer runs); a GPU build (-p:MoCoOnnxGpu=true) loads 1.32.0 too.
        Assert.That(OnnxSession.RuntimeVersion, Is.EqualTo("1.32.0"));
        Assert.That(OnnxSession.AvailableProviders, Does.Contain("CPUExecutionProvider"));
    }

    [Test]
    public void NativeLibrary_ComesFromTheNuGetPackage_NextToTheAssemblies()
    {
        // One ONNX Runtime per process: the managed API (ours and ML.NET's OnnxTransformer) loads this file.
        var library = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libonnxruntime.so");
        Assert.That(File.Exists(library), Is.True, library);
        Assert.That(typeof(Microsoft.ML.OnnxRuntime.InferenceSession).Assembly.GetName().Version, Is.EqualTo(new Version(1, 32, 0, 0)));
    }

    [Test]
    public void Dispose_Twice_IsHarmless_AndRunAfterDisposeThrows()
    {
        var session = OnnxSession.Open(Fixture("model.onnx"));
        session.Dispose();
        session.Dispose();
        Assert.Throws<ObjectDisposedException>(() => session.Run(new float[3 * 16 * 16], [1, 3, 16, 16]));
    }

    [Test]
    public void ManySessions_OpenedAndDisposed_KeepWorking()
    {
        var input = PythonReference.ReadFloats(Fixture("in_1.bin"));
        var expected = PythonReference.ReadFloats(Fixture("out_1.bin"));
        for (var i = 0; i < 20; i++)
        {
            using var session = OnnxSession.Open(Fixture("model.onnx"));
            Assert.That(PythonReference.MaxAbsDiff(session.Run(input, [1, 3, 16, 16]).Values, expected), Is.LessThan(1e-4f));
        }
    }
}

/// <summary>RunInto: ORT writes straight into the caller's buffer.</summary>
public class OnnxSessionRunIntoTests
{
    private static string Fixture(string name) => Path.Combine(TorchModels.SmallResNetDir, name);

    [TestCase(1)]
    [TestCase(37)]
    public void RunInto_FillsCallerBuffer_WithPyTorchsOutputs(int batch)
    {
        using var session = OnnxSession.Open(Fixture("model.onnx"));
        var output = new float[batch * 10];
        Array.Fill(output, float.NaN);

        var shape = session.RunInto(PythonReference.ReadFloats(Fixture($"in_{batch}.bin")), [batch, 3, 16, 16], output);

        Assert.That(shape, Is.EqualTo(new long[] { batch, 10 }));
        Assert.That(PythonReference.MaxAbsDiff(output, PythonReference.ReadFloats(Fixture($"out_{batch}.bin"))), Is.LessThan(1e-4f));
    }

    [Test]
    public void RunInto_Uint8_MatchesPyTorch()
    {
        using var session = OnnxSession.Open(Fixture("model_u8.onnx"));
        var output = new float[37 * 10];
        session.RunInto(File.ReadAllBytes(Fixture("in_u8_37.bin")), [37, 16, 16, 3], output);
        Assert.That(PythonReference.MaxAbsDiff(output, PythonReference.ReadFloats(Fixture("out_u8_37.bin"))), Is.LessThan(1e-4f));
    }

    [Test]
    public void EmptyBatch_GivesAnEmptyOutput_NotANativeFault()
    {
        using var session = OnnxSession.Open(Fixture("model.onnx"));
        Assert.That(session.Run(ReadOnlySpan<float>.Empty, [0, 3, 16, 16]).Shape, Is.EqualTo(new long[] { 0, 10 }));
        Assert.That(session.RunInto(ReadOnlySpan<float>.Empty, [0, 3, 16, 16], Span<float>.Empty), Is.EqualTo(new long[] { 0, 10 }));
    }

    [Test]
    public void GetOutputShape_SetsTheDynamicBatch()
    {
        using var session = OnnxSession.Open(Fixture("model.onnx"));
        Assert.That(session.GetOutputShape(5), Is.EqualTo(new long[] { 5, 10 }));
        Assert.That(session.GetOutputShape(0), Is.EqualTo(new long[] { 0, 10 }));
    }

    [Test]
    public void RunInto_WrongBufferLength_NamesExpectedShape()
    {
        using var session = OnnxSession.Open(Fixture("model.onnx"));
        var e = Assert.Throws<ArgumentException>(() => session.RunInto(new float[2 * 3 * 16 * 16], [2, 3, 16, 16], new float[19]));
        Assert.That(e!.Message, Does.Contain("[2, 10]").And.Contain("19"));
    }
}

/// <summary>One session, many threads: ORT sessions allow concurrent Run calls.</summary>
public class OnnxSessionConcurrencyTests
{
    [Test]
    public void ConcurrentRuns_OnOneSession_EachMatchPyTorch()
    {
        var dir = TorchModels.SmallResNetDir;
        using var session = OnnxSession.Open(Path.Combine(dir, "model.onnx"));
        var input = PythonReference.ReadFloats(Path.Combine(dir, "in_37.bin"));
        var expected = PythonReference.ReadFloats(Path.Combine(dir, "out_37.bin"));
        var diffs = new float[8];

        Parallel.For(0, diffs.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            var output = new float[37 * 10];
            session.RunInto(input, [37, 3, 16, 16], output);
            diffs[i] = PythonReference.MaxAbsDiff(output, expected);
        });

        Assert.That(diffs, Has.All.LessThan(1e-4f));
    }

    [Test]
    public void DisposeDuringConcurrentRuns_LetsRunsInFlightFinish_LaterRunsThrowObjectDisposed()
    {
        var dir = TorchModels.SmallResNetDir;
        var session = OnnxSession.Open(Path.Combine(dir, "model.onnx"));
        var input = PythonReference.ReadFloats(Path.Combine(dir, "in_37.bin"));
        var expected = PythonReference.ReadFloats(Path.Combine(dir, "out_37.bin"));
        int completed = 0, wrong = 0;

        // Four threads run until the session refuses them; the test thread disposes it mid-way.
        var workers = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            var output = new float[37 * 10];
            while (true)
            {
                try
                {
                    session.RunInto(input, [37, 3, 16, 16], output);
                }
                catch (ObjectDisposedException)
                {
                    return;
                }

                Interlocked.Increment(ref completed);
                if (PythonReference.MaxAbsDiff(output, expected) >= 1e-4f)
                {
                    Interlocked.Increment(ref wrong);
                }
            }
        })).ToArray();
        SpinWait.SpinUntil(() => Volatile.Read(ref completed) >= 8);
        session.Dispose();

        Assert.That(Task.WaitAll(workers, TimeSpan.FromMinutes(1)), Is.True, "every worker was refused after Dispose");
        Assert.That(wrong, Is.Zero, "every run that completed read a live session");
    }
}
