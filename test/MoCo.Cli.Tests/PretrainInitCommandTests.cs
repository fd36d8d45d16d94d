using System.Text.Json;
using MoCo.Cli.Tests.Support;

namespace MoCo.Cli.Tests;

// `moco pretrain --init`: continuing pretraining from a checkpoint, end to end on a tiny IDX data set.
[NonParallelizable]
public class PretrainInitCommandTests() : TinyIdxDataTests("moco-cli-init-", seed: 1, count: 64, side: 16)
{
    private string[] Args(string run, params string[] extra) =>
        ["pretrain", "--data", $"idx:{dir}:train", "--batch", "16", "--queue", "64", "--threads", "1",
         "--knn-data", $"idx:{dir}:test", "--checkpoint-every", "2", "--out", run, .. extra];

    private static (int Code, string Output, string Errors) Run(string[] args) => MocoRun.Captured(args);

    private static string Line(string output, string start) =>
        output.Split('\n').Select(l => l.TrimEnd('\r')).Single(l => l.StartsWith(start, StringComparison.Ordinal));

    [Test]
    public void An_init_run_takes_the_network_from_the_checkpoint_starts_at_its_kNN_records_it_and_resumes()
    {
        string source = Path.Combine(dir, "source"), init = Path.Combine(dir, "init");
        var (code, sourceOut, _) = Run(Args(source, "--width", "4", "--seed", "3", "--epochs", "1"));
        Assert.That(code, Is.Zero);
        string ckpt = Path.Combine(source, "last.ckpt");

        // No --width: the checkpoint's (4), not the default 64.
        var (initCode, initOut, initErr) = Run(Args(init, "--init", ckpt, "--lr", "0.01", "--epochs", "2"));
        Assert.That(initCode, Is.Zero, initErr);
        Assert.That(initOut, Does.Contain("resnet18 width 4"));
        Assert.That(Line(initOut, "initialised from "), Does.Contain(ckpt).And.Contain("key encoder from its encoder_k"));
        Assert.That(initOut, Does.Contain("head: the file's").And.Contain("queue: fresh"));
        string after = Line(sourceOut, "kNN top-1 after training: ")["kNN top-1 after training: ".Length..];
        Assert.That(Line(initOut, "kNN top-1 before training: "), Is.EqualTo("kNN top-1 before training: " + after));

        using (var contents = MoCo.Training.Serialization.SafeTensors.Load(Path.Combine(init, "last.ckpt")))
        {
            var from = JsonDocument.Parse(contents.Metadata["moco.config"]).RootElement.GetProperty("InitFrom");
            Assert.That(from.GetProperty("Path").GetString(), Is.EqualTo(ckpt));
            Assert.That(from.GetProperty("Sha256").GetString(), Is.EqualTo(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(ckpt)))));
        }
        using (var contents = MoCo.Training.Serialization.SafeTensors.Load(ckpt))
            Assert.That(contents.Metadata["moco.config"], Does.Not.Contain("InitFrom"), "a run without --init records none");

        // A finished --init run resumes to the same end without reading the file again.
        int lines = File.ReadAllLines(Path.Combine(init, "log.jsonl")).Length;
        File.Delete(ckpt);
        var (resumeCode, resumeOut, resumeErr) = Run(Args(init, "--resume", "--init", ckpt, "--epochs", "2"));
        Assert.That(resumeCode, Is.Zero, resumeErr);
        Assert.That(resumeOut, Does.Not.Contain("initialised from"));
        Assert.That(File.ReadAllLines(Path.Combine(init, "log.jsonl")), Has.Length.EqualTo(lines));
    }

    [Test]
    public void Conflicting_flags_and_unreadable_files_are_one_clear_error_each()
    {
        string source = Path.Combine(dir, "source");
        Assert.That(Run(Args(source, "--width", "4", "--epochs", "1")).Code, Is.Zero);
        string ckpt = Path.Combine(source, "last.ckpt");

        var (code, _, errors) = Run(Args(Path.Combine(dir, "a"), "--init", ckpt, "--width", "8", "--epochs", "1"));
        Assert.That((code, errors.Trim()), Is.EqualTo((1, $"error: --width 8 conflicts with the --init checkpoint {ckpt}, whose network has 4: leave out --width to take the checkpoint's")));
        (code, _, errors) = Run(Args(Path.Combine(dir, "b"), "--init", ckpt, "--arch", "resnet50"));
        Assert.That(code, Is.EqualTo(1));
        Assert.That(errors, Does.Contain("--arch resnet50 conflicts with the --init checkpoint").And.Contain("whose network is resnet18"));
        (code, _, errors) = Run(Args(Path.Combine(dir, "c"), "--init", ckpt, "--init-queue", "--dim", "64"));
        Assert.That(code, Is.EqualTo(1));
        Assert.That(errors, Does.Contain("queue is 128 × 64 (dim × K), the run's is 64 × 64"));
        string pth = Path.Combine(dir, "r50.pth");
        File.WriteAllBytes(pth, [0x80, 0x02, 0x7d, 0x71]);
        (code, _, errors) = Run(Args(Path.Combine(dir, "d"), "--init", pth));
        Assert.That(code, Is.EqualTo(1));
        Assert.That(errors, Does.Contain("a PyTorch file").And.Contain($"moco import {pth} --out r50.ckpt"));
        (code, _, errors) = Run(Args(Path.Combine(dir, "e"), "--init", Path.Combine(dir, "none.ckpt")));
        Assert.That(code, Is.EqualTo(1));
        Assert.That(errors, Does.Contain("none.ckpt: no such file"));
        foreach (string name in new[] { "a", "b", "c", "d", "e" }) Assert.That(Directory.Exists(Path.Combine(dir, name)), Is.False, name);
    }
}
