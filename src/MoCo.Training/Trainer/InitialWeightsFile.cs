using System.Security.Cryptography;
using TorchSharp;
using MoCo.Training.Method;
using MoCo.Training.Serialization;
using static TorchSharp.torch;

namespace MoCo.Training.Trainer;

/// <summary>
/// An <see cref="InitialWeights"/> file opened: our safetensors checkpoint (trained or imported), its config and
/// SHA-256, and <see cref="Apply"/>, which copies its encoders (and the queue when asked) into a new run's model.
/// PyTorch files and other safetensors files are refused with the <c>moco import</c> command that converts them.
/// </summary>
internal sealed class InitialWeightsFile : IDisposable
{
    private const string Query = "encoder_q.", Key = "encoder_k.";
    private readonly SafeTensors.Contents contents;

    private InitialWeightsFile(string path, SafeTensors.Contents contents, PretrainConfig config, string sha256)
    {
        Path = path;
        this.contents = contents;
        Config = config;
        Sha256 = sha256;
    }

    /// <summary>The path as given.</summary>
    internal string Path { get; }
    /// <summary>The config the file records (for an imported file: the network and preprocessing it describes).</summary>
    internal PretrainConfig Config { get; }
    /// <summary>SHA-256 of the file, lower-case hex.</summary>
    internal string Sha256 { get; }

    /// <summary>Opens <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">It is a PyTorch file, another safetensors file or unreadable; the message
    /// says what to run.</exception>
    internal static InitialWeightsFile Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"--init {path}: no such file (give one of our checkpoints: a run's last.ckpt or one written by moco import)", path);
        string import = $"moco import {path} --out {System.IO.Path.ChangeExtension(System.IO.Path.GetFileName(path), null)}.ckpt";
        if (LooksLikePyTorch(path))
            throw new InvalidDataException($"--init {path}: a PyTorch file, which pretraining does not read directly; convert it first with `{import}` (safe: no code runs), then give --init that checkpoint");
        SafeTensors.Contents contents;
        try
        {
            contents = SafeTensors.Load(path);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"--init: {e.Message} (give one of our checkpoints: a run's last.ckpt or one written by moco import)", e);
        }
        try
        {
            PretrainConfig config;
            try
            {
                config = Checkpoint.ReadConfig(contents);
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"--init {path}: {e.Message}; a timm or Hugging Face safetensors file needs `{import}` first", e);
            }
            if (!contents.Tensors.Keys.Any(k => k.StartsWith(Query, StringComparison.Ordinal)))
                throw new InvalidDataException($"--init {path}: the checkpoint has no encoder_q.* tensors");
            return new InitialWeightsFile(path, contents, config, HashOf(path));
        }
        catch
        {
            contents.Dispose();
            throw;
        }
    }

    /// <summary>Checks that the run builds the network the file holds: arch, width, stem and channels.</summary>
    /// <exception cref="ArgumentException">They differ; the message names both.</exception>
    internal void CheckArchitecture(PretrainConfig run)
    {
        string mine = Architecture(run), theirs = Architecture(Config);
        if (mine != theirs)
            throw new ArgumentException($"--init {Path}: the run's network is {mine}, the checkpoint's is {theirs}; leave out --arch, --width, --small-images and --in-channels to take the checkpoint's");
    }

    /// <summary>"resnet18 width 8, small-image stem, 1 channel(s)" ("small-image stem padded by 2" where the stem's padding
    /// is not its usual one): what must match between the run and the file.</summary>
    internal static string Architecture(PretrainConfig c) =>
        $"{c.Arch} width {c.Width}, {(c.SmallImages ? "small-image stem" : "ImageNet stem")}{(c.StemPadding is { } p ? $" padded by {p}" : "")}, {c.InChannels} channel(s)";

    /// <summary>
    /// Copies the file's weights into <paramref name="model"/>, a new run's (as built from its seed): encoder_q's backbone
    /// (which must match name for name and shape for shape), the head when the file's has the run's names and shapes,
    /// MoCo's key encoder from encoder_k.* (else from the file's query encoder; a new head is the query's new one, as
    /// MoCo initialises it), and with <paramref name="queue"/> the queue and its pointer.
    /// </summary>
    /// <exception cref="ArgumentException">The backbone does not fit, or the queue was asked for and cannot be taken.</exception>
    internal Initialisation Apply(ContrastiveModel model, PretrainConfig run, bool queue)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(run);
        CheckArchitecture(run);
        var momentum = model as MomentumContrast;
        if (queue && momentum is null)
            throw new ArgumentException($"--init-queue takes a MoCo queue; the run is {ContrastiveMethodNames.Format(run.Method)}, which has none");
        Tensor? fileQueue = null, filePointer = null;
        if (queue) (fileQueue, filePointer) = QueueFor(run);

        var fileQ = Under(Query);
        var fileK = Under(Key);
        var ownQ = model.encoder_q.StateEntries().ToList();
        CheckBackbone(ownQ, fileQ, "encoder_q");
        string? reason = HeadMismatch(ownQ, fileQ);
        bool keyFromFile = momentum is not null && fileK.Keys.Any(k => !IsHead(k));
        // moco import writes the query encoder as encoder_k when the imported file had no key encoder: say so.
        bool ownKey = keyFromFile && (Import.ImportedCheckpoint.ReadProvenance(contents.Metadata)?.KeyEncoder ?? true);
        if (keyFromFile) CheckBackbone(ownQ, fileK, "encoder_k");

        using (no_grad())
        {
            foreach (var (name, target) in ownQ)
            {
                if (IsHead(name) && reason is not null) continue;
                target.copy_(fileQ[name]);
            }
            if (momentum is not null)
            {
                foreach (var (name, target) in momentum.encoder_k.StateEntries())
                {
                    if (IsHead(name) && reason is not null) continue;   // the constructor's copy of the new query head
                    var source = keyFromFile && fileK.TryGetValue(name, out Tensor? k) && k.shape.SequenceEqual(target.shape) ? k : fileQ[name];
                    target.copy_(source);
                }
                if (fileQueue is not null)
                {
                    momentum.queue.copy_(fileQueue);
                    momentum.queue_ptr.copy_(filePointer!);
                }
            }
        }
        return new Initialisation
        {
            From = new InitialWeights { Path = Path, Sha256 = Sha256, Queue = queue },
            HeadKept = reason is null, NewHeadReason = reason, HasKeyEncoder = momentum is not null, KeyEncoderFromFile = ownKey,
            QueueFromFile = fileQueue is not null,
        };
    }

    private Dictionary<string, Tensor> Under(string prefix) => contents.Tensors
        .Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))
        .ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value, StringComparer.Ordinal);

    private static bool IsHead(string name) => name == "fc" || name.StartsWith("fc.", StringComparison.Ordinal);

    private void CheckBackbone(List<(string name, Tensor tensor)> own, Dictionary<string, Tensor> file, string what)
    {
        var ownNames = own.Where(e => !IsHead(e.name)).Select(e => e.name).ToHashSet(StringComparer.Ordinal);
        var missing = ownNames.Where(n => !file.ContainsKey(n)).ToList();
        var unexpected = file.Keys.Where(n => !IsHead(n) && !ownNames.Contains(n)).OrderBy(n => n, StringComparer.Ordinal).ToList();
        var shapes = own.Where(e => !IsHead(e.name) && file.TryGetValue(e.name, out Tensor? t) && !t.shape.SequenceEqual(e.tensor.shape))
            .Select(e => $"{e.name} [{string.Join(", ", file[e.name].shape)}], the run's [{string.Join(", ", e.tensor.shape)}]").ToList();
        if (missing.Count + unexpected.Count + shapes.Count == 0) return;
        static string List(List<string> names) => string.Join(", ", names.Take(8)) + (names.Count > 8 ? $", … ({names.Count} in all)" : "");
        throw new ArgumentException($"--init {Path}: its {what} does not fit the run's network ({Architecture(Config)}): " +
                                    $"missing [{List(missing)}], unexpected [{List(unexpected)}], other shapes [{List(shapes)}]");
    }

    /// <summary>Why the file's head cannot be the run's (null: it can).</summary>
    private static string? HeadMismatch(List<(string name, Tensor tensor)> own, Dictionary<string, Tensor> file)
    {
        var ownHead = own.Where(e => IsHead(e.name)).ToList();
        var fileHead = file.Where(kv => IsHead(kv.Key)).ToList();
        if (fileHead.Count == 0) return "the checkpoint has none";
        bool fits = fileHead.Count == ownHead.Count
                    && ownHead.All(e => file.TryGetValue(e.name, out Tensor? t) && t.shape.SequenceEqual(e.tensor.shape));
        return fits ? null : $"the checkpoint's is {HeadShape(fileHead.Select(kv => (kv.Key, kv.Value)))}, the run's config asks for {HeadShape(ownHead)}";
    }

    private static string HeadShape(IEnumerable<(string name, Tensor tensor)> head)
    {
        var weights = head.Where(e => e.name.EndsWith("weight", StringComparison.Ordinal)).OrderBy(e => e.name, StringComparer.Ordinal)
            .Select(e => e.tensor.shape).ToList();
        string kind = weights.Count > 1 ? "an MLP" : "a linear head";
        return weights.Count == 0 ? "no weights" : $"{kind} {string.Join(" → ", weights.Select(s => s[^1]).Append(weights[^1][0]))}";
    }

    /// <summary>The file's queue and pointer for a run of <paramref name="run"/>'s dimension and K.</summary>
    private (Tensor Queue, Tensor Pointer) QueueFor(PretrainConfig run)
    {
        if (!contents.Tensors.TryGetValue("queue", out Tensor? q))
            throw new ArgumentException($"--init-queue: {Path} has no queue (an imported file without one, or a run of another method); leave out --init-queue for a fresh queue");
        long[] want = [run.Dim, run.QueueSize];
        if (!q.shape.SequenceEqual(want))
            throw new ArgumentException($"--init-queue: {Path}'s queue is {string.Join(" × ", q.shape)} (dim × K), the run's is {run.Dim} × {run.QueueSize}; " +
                                        "give --dim and --queue to match, or leave out --init-queue for a fresh queue");
        // The pointer is kept when the run's steps can advance from it (a multiple of the keys per step); else 0.
        long keysPerStep = run.BatchSize * (run.Symmetric ? 2L : 1L);
        long ptr = contents.Tensors.TryGetValue("queue_ptr", out Tensor? p) ? p.item<long>() : 0;
        if (ptr < 0 || ptr >= run.QueueSize || ptr % keysPerStep != 0) ptr = 0;
        return (q, tensor(new[] { ptr }));
    }

    private static bool LooksLikePyTorch(string path)
    {
        Span<byte> head = stackalloc byte[4];
        using var file = File.OpenRead(path);
        int n = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        if (n >= 4 && head.StartsWith("PK\x03\x04"u8)) return true;                 // zip: torch.save since PyTorch 1.6
        if (n >= 2 && head[0] == 0x80 && head[1] <= 5) return true;                   // a pickle: the legacy torch.save
        if (file.Length > 262)
        {
            Span<byte> tar = stackalloc byte[5];
            file.Position = 257;
            if (file.ReadAtLeast(tar, 5, throwOnEndOfStream: false) == 5 && tar.SequenceEqual("ustar"u8)) return true;
        }
        return false;
    }

    private static string HashOf(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>Frees the file's tensors.</summary>
    public void Dispose() => contents.Dispose();
}
