using MoCo.Training.Serialization;

namespace MoCo.Training.Tests.Import;

/// <summary>Compares what the import produced with the tensors PyTorch wrote beside its files.</summary>
internal static partial class TorchFiles
{
    /// <summary>The bytes of a tensor's values (contiguous, row-major).</summary>
    internal static byte[] Bytes(Tensor t)
    {
        var bytes = new byte[t.numel() * t.dtype.ElementSize()];
        t.CopyRawTo(bytes);
        return bytes;
    }

    /// <summary>Asserts that <paramref name="state"/> holds exactly the tensors of the safetensors file, bit for bit.</summary>
    internal static void AssertSameState(IReadOnlyDictionary<string, Tensor> state, string expectedPath)
    {
        using var expected = SafeTensors.Load(expectedPath);
        Assert.That(state.Keys.Order(StringComparer.Ordinal), Is.EqualTo(expected.Names.Order(StringComparer.Ordinal)), "the imported names");
        foreach (var (name, want) in expected.Tensors)
        {
            Tensor have = state[name];
            Assert.That(have.dtype, Is.EqualTo(want.dtype), name);
            Assert.That(have.shape, Is.EqualTo(want.shape), name);
            // SequenceEqual, not NUnit's element-wise collection compare, which takes seconds on a ResNet-50's weights.
            Assert.That(Bytes(have).AsSpan().SequenceEqual(Bytes(want)), Is.True, name + ": the values PyTorch saved");
        }
    }
}
