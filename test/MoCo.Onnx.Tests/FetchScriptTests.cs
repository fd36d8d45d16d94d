using System.Diagnostics;
using System.Security.Cryptography;

namespace MoCo.Onnx.Tests;

/// <summary>build/fetch-onnxruntime.sh: idempotent, and the cached tarball is the one whose SHA-256 it pins.</summary>
public class FetchScriptTests
{
    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "MoCo.MLNet.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("repository root (MoCo.MLNet.sln) not found above " + AppContext.BaseDirectory);
    }

    [Test]
    public void SecondRun_DoesNothing_AndTheCachedTarballMatchesThePinnedHash()
    {
        var root = RepoRoot();
        var script = Path.Combine(root, "build", "fetch-onnxruntime.sh");
        var psi = new ProcessStartInfo("bash", [script]) { RedirectStandardError = true, RedirectStandardOutput = true };
        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();

        Assert.That(process.ExitCode, Is.Zero, stderr);
        Assert.That(stderr, Does.Not.Contain("downloading"), "the library is in place: nothing to fetch");

        var pinned = File.ReadLines(script).Single(l => l.StartsWith("sha256=", StringComparison.Ordinal))["sha256=".Length..];
        var tarball = Path.Combine(root, "build", "cache", "onnxruntime", "1.30.0", "onnxruntime-node-1.30.0.tgz");
        using var stream = File.OpenRead(tarball);
        Assert.That(Convert.ToHexStringLower(SHA256.HashData(stream)), Is.EqualTo(pinned));
    }
}
