using MoCo.Training.Serialization;
using MoCo.Training.Tests.Reference;

namespace MoCo.Training.Tests.Import;

/// <summary>Writes PyTorch files with Debian's torch 1.13 (Reference/torch_checkpoints.py) into a folder, and compares
/// what the import produced with the tensors PyTorch wrote beside them.</summary>
internal static class TorchFiles
{
    /// <summary>Runs <paramref name="body"/> (unindented Python) with the folder as the working directory; <c>torch</c>,
    /// <c>tc</c> (torch_checkpoints), <c>st_save</c>, <c>os</c>, <c>collections</c> imported, seed 0.</summary>
    internal static void Write(string dir, string body)
    {
        string helper = Path.Combine(AppContext.BaseDirectory, "Reference");
        PyTorch.RunScript($"""
            import sys, os, collections
            sys.path.insert(0, {Quote(helper)})
            import torch
            import torch_checkpoints as tc
            from safetensors_io import st_save
            torch.manual_seed(0)
            os.chdir({Quote(dir)})

            """ + body);
    }

    internal static string Quote(string s) => "'" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";

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
