using System.Collections.Concurrent;
using System.Diagnostics;
using MoCo.MLNet.Input;

namespace MoCo.MLNet.Runtime;

/// <summary>
/// The one read-ahead pool of the inference side (MoCoFeatures' cursor and <c>moco extract</c> both run through it, by
/// way of <see cref="MoCoFeaturizer.FeaturizeAll"/>). Two stages on their own threads, each a batch ahead of the next:
/// a <em>prepare</em> thread reads the inputs in order, a batch at a time, and decodes and crops them on the decode
/// threads; an <em>infer</em> thread runs ONNX Runtime on each prepared batch; the consumer takes finished batches in
/// input order. So decoding batch i+1, ORT on batch i and the consumer's work on batch i−1 overlap. When decoding is
/// cheap next to ORT (small images), the infer thread decodes each batch itself instead, just before ORT
/// (<see cref="DecodePlacement"/> decides from measured times), and only reading the inputs stays ahead. A fixed pool of
/// batches is recycled: memory stays flat however long the input.
/// </summary>
internal sealed class ReadAheadPipeline : IDisposable
{
    // One being read and decoded, one in ORT, one with the consumer: each stage always has the next batch to work on,
    // and the memory is what the extraction job's read-ahead held before (three batches of crops).
    private const int PoolSize = 3;
    private readonly FeaturizerRuntime _runtime;
    private readonly MoCoFeatureBatch[] _pool;
    private readonly BlockingCollection<MoCoFeatureBatch> _free = new();
    private readonly BlockingCollection<(MoCoFeatureBatch Batch, bool Decoded)> _prepared = new();
    private readonly BlockingCollection<MoCoFeatureBatch> _ready = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _prepare;
    private readonly Thread _infer;
    private readonly DecodePlacement _placement;
    private Exception? _failure;
    private int _disposed;

    /// <summary>Starts reading <paramref name="inputs"/> (enumerated on the prepare thread) in batches of <paramref name="batchSize"/>.</summary>
    public ReadAheadPipeline(FeaturizerRuntime runtime, IEnumerable<MoCoImageInput> inputs, int batchSize)
    {
        _runtime = runtime;
        _placement = new DecodePlacement(runtime.DecodePlacement);
        _pool = new MoCoFeatureBatch[PoolSize];
        for (var i = 0; i < PoolSize; i++)
        {
            _pool[i] = BatchFeaturizer.NewBatch(runtime, batchSize);
            _free.Add(_pool[i]);
        }

        _prepare = new Thread(() => Prepare(inputs)) { IsBackground = true, Name = "moco-features-prepare" };
        _infer = new Thread(Infer) { IsBackground = true, Name = "moco-features-infer" };
        _prepare.Start();
        _infer.Start();
    }

    /// <summary>
    /// The next batch in input order, or null after the last. Throws what a stage met (a faulty input sequence, an
    /// ONNX Runtime error), after the batches finished before it.
    /// </summary>
    public MoCoFeatureBatch? Take()
    {
        if (_ready.TryTake(out var batch, Timeout.Infinite))
        {
            return batch;
        }

        if (Volatile.Read(ref _failure) is { } failure)
        {
            throw new InvalidOperationException($"MoCoFeatures failed while reading ahead: {failure.Message}", failure);
        }

        return null;
    }

    /// <summary>Hands a consumed batch back for reuse.</summary>
    public void Return(MoCoFeatureBatch batch)
    {
        if (Volatile.Read(ref _disposed) == 0)
        {
            _free.Add(batch);
        }
    }

    /// <summary>Stops both stages (the batch each is on is finished first), waits for them, and releases held images.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stop.Cancel();
        _prepare.Join();
        _infer.Join();
        foreach (var batch in _pool)
        {
            batch.ReleaseSlots();
        }

        _stop.Dispose();
        _free.Dispose();
        _prepared.Dispose();
        _ready.Dispose();
    }

    private void Prepare(IEnumerable<MoCoImageInput> inputs)
    {
        var token = _stop.Token;
        try
        {
            using var input = inputs.GetEnumerator();
            long offset = 0;
            var more = true;
            while (more)
            {
                var batch = _free.Take(token);
                token.ThrowIfCancellationRequested();
                var n = 0;
                while (n < batch.Capacity && (more = input.MoveNext()))
                {
                    // Copied now: the sequence may reuse its buffers for the next input.
                    input.Current.CopyTo(batch.Slots[n]);
                    n++;
                }

                if (n == 0)
                {
                    break;
                }

                batch.Count = n;
                batch.Offset = offset;
                offset += n;
                var decode = !_placement.DecodeInline;
                if (decode)
                {
                    Decode(batch);
                }

                _prepared.Add((batch, decode), token);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // The consumer stopped early, or the infer stage failed.
        }
        catch (Exception e)
        {
            // Batches prepared before still go through; the consumer then meets this.
            Interlocked.CompareExchange(ref _failure, e, null);
        }
        finally
        {
            _prepared.CompleteAdding();
        }
    }

    private void Decode(MoCoFeatureBatch batch)
    {
        var started = Stopwatch.GetTimestamp();
        BatchFeaturizer.Prepare(_runtime, batch);
        _placement.RecordDecode(Stopwatch.GetElapsedTime(started).TotalSeconds, batch.Count);
    }

    private void Infer()
    {
        var token = _stop.Token;
        try
        {
            foreach (var (batch, decoded) in _prepared.GetConsumingEnumerable(token))
            {
                if (!decoded)
                {
                    Decode(batch);
                }

                var started = Stopwatch.GetTimestamp();
                BatchFeaturizer.Infer(_runtime, batch);
                _placement.RecordInfer(Stopwatch.GetElapsedTime(started).TotalSeconds, batch.Count);
                _ready.Add(batch, token);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // The consumer stopped early.
        }
        catch (Exception e)
        {
            Interlocked.CompareExchange(ref _failure, e, null);
            _stop.Cancel();
        }
        finally
        {
            _ready.CompleteAdding();
        }
    }
}
