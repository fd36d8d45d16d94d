using System.Numerics;
using MoCo.Imaging.Transforms;

namespace MoCo.Imaging.Tests.Transforms;

/// <summary>VectorBytes' widening loads and narrowing stores against the definition (lane i holds byte i), exact.</summary>
public class VectorBytesTests
{
    [Test]
    public void Load4_widens_bytes_in_memory_order_and_Store4_narrows_them_back()
    {
        int n = Vector<byte>.Count, q = Vector<uint>.Count;
        var bytes = new byte[n + 2];
        for (int start = 0; start < 256; start += n)
        {
            for (int i = 0; i < n; i++)
            {
                bytes[i + 1] = (byte)(255 - start - i);
            }

            VectorBytes.Load4(ref bytes[1], out var a0, out var a1, out var a2, out var a3);
            var lanes = new[] { a0, a1, a2, a3 };
            for (int i = 0; i < n; i++)
            {
                Assert.That(lanes[i / q][i % q], Is.EqualTo((uint)bytes[i + 1]), $"lane {i}");
            }

            var back = new byte[n + 2];
            back[0] = back[^1] = 0xA5;
            VectorBytes.Store4(ref back[1], a0, a1, a2, a3);
            Assert.That(back.AsSpan(1, n).ToArray(), Is.EqualTo(bytes.AsSpan(1, n).ToArray()));
            Assert.That((back[0], back[^1]), Is.EqualTo(((byte)0xA5, (byte)0xA5)), "wrote outside the vector");
        }
    }
}
