using MoCo.Training.Models;

namespace MoCo.Training.Import;

/// <summary>
/// Turns a checkpoint read by <see cref="PyTorchCheckpointReader"/> into our encoder's tensors: finds the state dict,
/// recognises the layout (<see cref="LayoutRecognition"/>), infers the ResNet from the shapes (<see cref="EncoderShapes"/>),
/// checks every tensor against that network, and maps the keys to our checkpoint names. Nothing is created until all
/// of it fits; otherwise one message lists every missing, misshapen and unmatched key.
/// </summary>
public static class EncoderImporter
{
    private const string Query = "encoder_q.", Key = "encoder_k.";
    private const int MaxListed = 40;

    /// <summary>Imports the encoder of <paramref name="file"/>.</summary>
    /// <exception cref="UnsafePickleException">The file's state dict is a call of a global the reader does not allow.</exception>
    /// <exception cref="InvalidDataException">No state dict, an unknown layout, or tensors that do not fit the network.</exception>
    public static ImportResult Import(PyTorchFile file, ImportOptions? options = null) =>
        FromPlan(file, options, plan => plan.Materialise());

    /// <summary>Recognises the encoder of <paramref name="file"/> as <see cref="Import"/> would import it, creating no
    /// tensor: what <c>moco info</c> prints about a PyTorch file.</summary>
    /// <exception cref="UnsafePickleException">The file's state dict is a call of a global the reader does not allow.</exception>
    /// <exception cref="InvalidDataException">No state dict, an unknown layout, or tensors that do not fit the network.</exception>
    public static ImportSummary Recognise(PyTorchFile file, ImportOptions? options = null) =>
        FromPlan(file, options, plan => plan.Summarise());

    /// <summary><paramref name="use"/> of the file's import plan; a refusal names the file.</summary>
    private static T FromPlan<T>(PyTorchFile file, ImportOptions? options, Func<ImportPlan, T> use)
    {
        ArgumentNullException.ThrowIfNull(file);
        try
        {
            return use(Plan(file, options ?? new ImportOptions()));
        }
        catch (UnsafePickleException e)
        {
            throw new UnsafePickleException(e.Global, $"{file.Path}: {e.Message}");
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{file.Path}: {e.Message}", e);
        }
    }

    private static ImportPlan Plan(PyTorchFile file, ImportOptions options)
    {
        var (state, ignored) = LocateStateDict(file.Root);
        RecognisedLayout layout = LayoutRecognition.Recognise(state, options.Layout);
        ignored.AddRange(layout.Ignored);
        string layoutName = CheckpointLayoutNames.Format(layout.Layout);
        if (layout.QueryBackbone.Count == 0)
            throw new InvalidDataException($"no backbone tensors where the {layoutName} layout keeps them; the file's tensors: {LayoutRecognition.ListKeys(state)}");

        ResNetOptions encoder = EncoderShapes.Infer(layout.QueryBackbone, options, StemPadding(file, layout), () => List(layout.QueryBackbone));
        IReadOnlyList<(string name, long[] shape, ScalarType dtype)> expected;
        try
        {
            expected = EncoderShapes.Expected(encoder);
        }
        catch (ArgumentException e)   // ResNetOptions.Validate: e.g. a conv1 with 2 input channels
        {
            throw new InvalidDataException($"the backbone is no ResNet of ours: {e.Message}", e);
        }
        var plan = new ImportPlan(file, layout, ignored);
        var problems = new List<string>();
        FitBackbone(layout.QueryBackbone, expected, Query, plan, problems);

        (ImportedHead head, int? dim) = FitHead(layout.QueryHead, encoder.FeatureDim, Query, plan, ignored, "the query encoder's");
        bool keyEncoder = false;
        if (layout.KeyBackbone.Count > 0)
        {
            FitBackbone(layout.KeyBackbone, expected, Key, plan, problems);
            (ImportedHead keyHead, int? keyDim) = FitHead(layout.KeyHead, encoder.FeatureDim, Key, plan, ignored, "the key encoder's");
            if (keyHead != head || keyDim != dim)
                problems.Add($"the key encoder's head ({keyHead}{Dim(keyDim)}) differs from the query encoder's ({head}{Dim(dim)})");
            keyEncoder = true;
        }
        int? queueSize = FitQueue(layout, dim, plan, ignored);
        if (problems.Count > 0)
        {
            throw new InvalidDataException($"the {layoutName} checkpoint's tensors do not fit {EncoderShapes.Describe(encoder)}: "
                + string.Join("; ", problems.Take(MaxListed)) + (problems.Count > MaxListed ? $"; … and {problems.Count - MaxListed} more" : ""));
        }
        plan.Result = new ImportResultShape(layout.Layout, encoder with { NumClasses = dim ?? encoder.NumClasses }, head, keyEncoder, queueSize);
        return plan;
    }

    /// <summary>The stem's padding where it is not the usual one and no option gives it: the layout's (solo-learn's CIFAR
    /// stem), else the config of a checkpoint of ours (an imported solo-learn encoder, imported again, keeps its stem).</summary>
    private static int? StemPadding(PyTorchFile file, RecognisedLayout layout) =>
        layout.StemPadding ?? (layout.Layout == CheckpointLayout.MoCo ? ImportedCheckpoint.RecordedConfig(file)?.StemPadding : null);

    /// <summary>The state dict: the checkpoint's <c>state_dict</c>, or the file's dict itself when it holds tensors.</summary>
    private static (List<SourceTensor> state, List<string> ignored) LocateStateDict(object? root)
    {
        if (root is not PyDict top) throw new InvalidDataException($"the file holds a {RestrictedUnpickler.Describe(root)}, not a dict with a state dict");
        PyDict dict = top;
        if (top.TryGet("state_dict", out object? sd))
        {
            dict = sd switch
            {
                PyDict d => d,
                PyObject o => throw new UnsafePickleException(o.Global.FullName, $"refused: the file's state_dict is a call of {o.Global.FullName}, not a state dict; nothing was run"),
                _ => throw new InvalidDataException($"the file's state_dict is a {RestrictedUnpickler.Describe(sd)}, not a dict of tensors"),
            };
        }
        else if (!top.Entries.Any(e => e.Value is PyTorchTensor))
        {
            throw new InvalidDataException($"no state dict: the file has no state_dict entry and no tensors at its top level (its keys: {string.Join(", ", top.Entries.Select(e => PyTorchFile.PathKey(e.Key)))})");
        }
        var state = new List<SourceTensor>();
        var ignored = new List<string>();
        foreach (var (k, v) in dict.Entries)
        {
            string key = PyTorchFile.PathKey(k);
            switch (v)
            {
                case PyTorchTensor t when k is string s: state.Add(new SourceTensor(s, t)); break;
                case PyTorchTensor: ignored.Add($"{key}: a tensor under a {RestrictedUnpickler.Describe(k)} key, not a name"); break;
                case PyObject o: ignored.Add($"{key}: a call of {o.Global.FullName}, kept inert"); break;
                default: ignored.Add($"{key}: a {RestrictedUnpickler.Describe(v)}, not a tensor"); break;
            }
        }
        return (state, ignored);
    }

    private static void FitBackbone(Dictionary<string, SourceTensor> backbone, IReadOnlyList<(string name, long[] shape, ScalarType dtype)> expected,
        string prefix, ImportPlan plan, List<string> problems)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, shape, dtype) in expected)
        {
            names.Add(name);
            if (!backbone.TryGetValue(name, out SourceTensor source))
            {
                if (name.EndsWith("." + EncoderShapes.BatchesTracked, StringComparison.Ordinal)) plan.Zeros(prefix + name, shape, dtype);
                else problems.Add($"missing {prefix}{name} [{string.Join(", ", shape)}]");
                continue;
            }
            if (!source.Tensor.Shape.SequenceEqual(shape))
                problems.Add($"{source.SourceKey} is {LayoutRecognition.Shape(source.Tensor)}, {prefix}{name} needs [{string.Join(", ", shape)}]");
            else if (!Convertible(source.Tensor.DType, dtype))
                problems.Add($"{source.SourceKey} is {source.Tensor.DType}, {prefix}{name} needs {dtype}");
            else plan.Copy(prefix + name, source, dtype);
        }
        foreach (var (name, source) in backbone)
        {
            if (!names.Contains(name)) problems.Add($"unmatched {source.SourceKey} {LayoutRecognition.Shape(source.Tensor)}");
        }
    }

    /// <summary>MoCo's head when it is ours: fc = Linear(D, C), or fc.0 = Linear(D, D), fc.2 = Linear(D, C). Any other
    /// head is left out (listed), and training would start a new one.</summary>
    private static (ImportedHead, int?) FitHead(Dictionary<string, SourceTensor> head, int d, string prefix, ImportPlan plan, List<string> ignored, string whose)
    {
        if (head.Count == 0) return (ImportedHead.None, null);
        long[]? S(string name) => head.TryGetValue(name, out SourceTensor s) && IsFloat(s.Tensor.DType) ? s.Tensor.Shape : null;
        var keys = head.Keys.Order(StringComparer.Ordinal).ToList();
        if (keys.SequenceEqual(["fc.bias", "fc.weight"]) && S("fc.weight") is [long c, long din] && din == d && S("fc.bias") is [long cb] && cb == c)
        {
            foreach (string k in keys) plan.Copy(prefix + k, head[k], ScalarType.Float32);
            return (ImportedHead.Linear, checked((int)c));
        }
        if (keys.SequenceEqual(["fc.0.bias", "fc.0.weight", "fc.2.bias", "fc.2.weight"])
            && S("fc.0.weight") is [long h, long hin] && h == d && hin == d && S("fc.0.bias") is [long hb] && hb == d
            && S("fc.2.weight") is [long c2, long c2in] && c2in == d && S("fc.2.bias") is [long c2b] && c2b == c2)
        {
            foreach (string k in keys) plan.Copy(prefix + k, head[k], ScalarType.Float32);
            return (ImportedHead.Mlp, checked((int)c2));
        }
        foreach (string k in keys)
            ignored.Add($"{head[k].SourceKey} {LayoutRecognition.Shape(head[k].Tensor)}: {whose} head is not MoCo's Linear({d}, C) or MLP Linear({d}, {d}), ReLU, Linear({d}, C)");
        return (ImportedHead.None, null);
    }

    private static int? FitQueue(RecognisedLayout layout, int? dim, ImportPlan plan, List<string> ignored)
    {
        if (layout.Queue is not { } queue)
        {
            if (layout.QueuePointer is { } lone) ignored.Add($"{lone.SourceKey} {LayoutRecognition.Shape(lone.Tensor)}: a queue pointer without a queue");
            return null;
        }
        string? why = queue.Tensor.Shape is not [long c, long k] || !IsFloat(queue.Tensor.DType) ? "not a C × K float queue"
            : dim is null ? "no head was imported, so nothing says the queue's keys fit"
            : c != dim ? $"its {c}-d keys do not match the head's {dim}-d output"
            : layout.QueuePointer is { } p && (p.Tensor.Shape is not [1] || IsFloat(p.Tensor.DType)) ? "queue_ptr is not an int64 [1]"
            : null;
        if (why is not null)
        {
            ignored.Add($"{queue.SourceKey} {LayoutRecognition.Shape(queue.Tensor)}: {why}");
            if (layout.QueuePointer is { } ptr) ignored.Add($"{ptr.SourceKey} {LayoutRecognition.Shape(ptr.Tensor)}: belongs to the queue left out");
            return null;
        }
        plan.Copy("queue", queue, ScalarType.Float32);
        if (layout.QueuePointer is { } pointer) plan.Copy("queue_ptr", pointer, ScalarType.Int64);
        else
        {
            plan.Zeros("queue_ptr", [1], ScalarType.Int64);
            plan.Notes.Add("the file's queue has no queue_ptr: it starts at 0");
        }
        return checked((int)queue.Tensor.Shape[1]);
    }

    private static bool IsFloat(ScalarType t) => t is ScalarType.Float32 or ScalarType.Float64 or ScalarType.Float16 or ScalarType.BFloat16;

    private static bool IsInteger(ScalarType t) => t is ScalarType.Int64 or ScalarType.Int32 or ScalarType.Int16 or ScalarType.Int8 or ScalarType.Byte;

    private static bool Convertible(ScalarType from, ScalarType to) => IsFloat(to) ? IsFloat(from) : IsInteger(to) && IsInteger(from);

    private static string Dim(int? d) => d is null ? "" : $", {d}-d";

    private static string List(Dictionary<string, SourceTensor> part) =>
        LayoutRecognition.ListKeys(part.Values.ToList(), MaxListed);

    private sealed record ImportResultShape(CheckpointLayout Layout, ResNetOptions Encoder, ImportedHead Head, bool KeyEncoder, int? QueueSize);

    /// <summary>What to create, decided before anything is: (our name, source or zeros, element type).</summary>
    private sealed class ImportPlan(PyTorchFile file, RecognisedLayout layout, List<string> ignored)
    {
        private readonly List<(string name, SourceTensor? source, long[] shape, ScalarType dtype)> entries = [];
        private int zeroCounters;

        internal List<string> Notes { get; } = [.. layout.Notes];
        internal ImportResultShape? Result { get; set; }

        internal void Copy(string name, SourceTensor source, ScalarType dtype) => entries.Add((name, source, source.Tensor.Shape, dtype));

        internal void Zeros(string name, long[] shape, ScalarType dtype)
        {
            entries.Add((name, null, shape, dtype));
            if (name.EndsWith(EncoderShapes.BatchesTracked, StringComparison.Ordinal)) zeroCounters++;
        }

        internal ImportSummary Summarise()
        {
            ImportResultShape shape = Result ?? throw new InvalidOperationException("the plan is not finished");
            return new ImportSummary
            {
                Layout = shape.Layout, Encoder = shape.Encoder, Head = shape.Head, HasKeyEncoder = shape.KeyEncoder,
                HasQueue = shape.QueueSize is not null, QueueSize = shape.QueueSize,
                IgnoredKeys = ignored, IgnoredObjects = file.IgnoredObjects, Notes = FinalNotes(),
            };
        }

        internal ImportResult Materialise()
        {
            ImportResultShape shape = Result ?? throw new InvalidOperationException("the plan is not finished");
            var state = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            try
            {
                foreach (var (name, source, dims, dtype) in entries)
                {
                    using var scope = NewDisposeScope();
                    Tensor t = source is { } s ? s.Tensor.ToTensor() : zeros(dims, dtype);
                    if (t.dtype != dtype) t = t.to_type(dtype);
                    state[name] = t.MoveToOuterDisposeScope();
                }
            }
            catch
            {
                foreach (Tensor t in state.Values) t.Dispose();
                throw;
            }
            return new ImportResult(state)
            {
                Layout = shape.Layout,
                Encoder = shape.Encoder,
                Head = shape.Head,
                HasKeyEncoder = shape.KeyEncoder,
                HasQueue = shape.QueueSize is not null,
                QueueSize = shape.QueueSize,
                IgnoredKeys = ignored,
                IgnoredObjects = file.IgnoredObjects,
                Notes = FinalNotes(),
            };
        }

        private List<string> FinalNotes()
        {
            var notes = new List<string>(Notes);
            if (zeroCounters > 0) notes.Add($"{zeroCounters} BatchNorm num_batches_tracked counters were missing and start at 0");
            var converted = entries.Where(e => e.source is { } s && s.Tensor.DType != e.dtype).Select(e => e.source!.Value.Tensor.DType).Distinct().ToList();
            if (converted.Count > 0) notes.Add($"tensors of {string.Join(", ", converted)} were converted to the model's element types");
            return notes;
        }
    }
}
