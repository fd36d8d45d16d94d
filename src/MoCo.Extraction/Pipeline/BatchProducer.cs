using System.Collections.Concurrent;
using MoCo.Extraction.Sources;
using MoCo.Imaging;
using MoCo.MLNet.Input;
using MoCo.MLNet.Runtime;

namespace MoCo.Extraction.Pipeline;

/// <summary>
/// Decodes and crops the pending items batch by batch on a background thread (items of a batch in parallel), two
/// batches ahead of the consumer, so decoding overlaps ONNX Runtime's work. Batches are consecutive slices of the
/// pending list, so a resumed run (which starts at a committed file's end) forms the same batches as an uninterrupted one.
/// </summary>
internal sealed class BatchProducer : IDisposable
{
    private const int InFlight = 2;
    private readonly BlockingCollection<PreparedBatch> _ready = new(InFlight);
    private readonly BlockingCollection<PreparedBatch> _free = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly ExtractionSource _source;
    private readonly ImagePreparer _preparer;
    private readonly ImageDecodeOptions _memoryDecode;
    private readonly IReadOnlyList<int> _pending;
    private readonly int _batchSize;
    private readonly ParallelOptions _parallel;
    private readonly Thread _thread;
    private Exception? _failure;

    public BatchProducer(ExtractionSource source, ImagePreparer preparer, int channels, IReadOnlyList<int> pending, int batchSize, int threads)
    {
        _source = source;
        _preparer = preparer;
        _memoryDecode = new ImageDecodeOptions(Channels: channels);
        _pending = pending;
        _batchSize = batchSize;
        _parallel = new ParallelOptions { MaxDegreeOfParallelism = threads };
        for (var i = 0; i < InFlight + 1; i++)
        {
            _free.Add(new PreparedBatch(batchSize, preparer.CropLength));
        }

        _thread = new Thread(Produce) { IsBackground = true, Name = "moco-extract-decode" };
        _thread.Start();
    }

    /// <summary>The next batch in order, or null at the end. Throws what the producer met.</summary>
    public PreparedBatch? Take()
    {
        if (_ready.TryTake(out var batch, Timeout.Infinite))
        {
            return batch;
        }

        if (_failure is not null)
        {
            throw new InvalidOperationException($"extraction failed while decoding: {_failure.Message}", _failure);
        }

        return null;
    }

    /// <summary>Hands a consumed batch back for reuse.</summary>
    public void Return(PreparedBatch batch) => _free.Add(batch);

    public void Dispose()
    {
        _stop.Cancel();
        _thread.Join();
        _stop.Dispose();
        _ready.Dispose();
        _free.Dispose();
    }

    private void Produce()
    {
        var items = Enumerable.Range(0, _batchSize).Select(_ => new ImageItem()).ToArray();
        try
        {
            for (var start = 0; start < _pending.Count; start += _batchSize)
            {
                var batch = _free.Take(_stop.Token);
                var count = Math.Min(_batchSize, _pending.Count - start);
                batch.Count = count;
                Parallel.For(0, count, _parallel, i =>
                {
                    var item = _pending[start + i];
                    batch.Items[i] = item;
                    var crop = batch.Crops.AsSpan(i * batch.CropLength, batch.CropLength);
                    batch.Errors[i] = Prepare(item, items[i], crop);
                    if (batch.Errors[i] is not null)
                    {
                        crop.Clear();
                    }
                });
                _ready.Add(batch, _stop.Token);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // The consumer stopped early.
        }
        catch (Exception e)
        {
            _failure = e is AggregateException { InnerExceptions.Count: 1 } a ? a.InnerException! : e;
        }
        finally
        {
            foreach (var item in items)
            {
                item.Dispose();
            }

            _ready.CompleteAdding();
        }
    }

    /// <summary>Writes item <paramref name="index"/>'s crop; returns why it could not be read, or null.</summary>
    private string? Prepare(int index, ImageItem slot, Span<byte> crop)
    {
        if (!_source.InMemory)
        {
            slot.SetPath(_source.Name(index));
            return _preparer.TryPrepare(slot, crop);
        }

        try
        {
            using var image = _source.Dataset.Load(index, _memoryDecode);
            _preparer.Prepare(image, crop);
            return null;
        }
        catch (ImageDecodeException e)
        {
            return e.Message;
        }
    }
}
