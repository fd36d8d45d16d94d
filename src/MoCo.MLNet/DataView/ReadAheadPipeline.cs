using System.Collections.Concurrent;
using Microsoft.ML;
using Microsoft.ML.Data;
using MoCo.MLNet.Input;
using MoCo.MLNet.Runtime;

namespace MoCo.MLNet.DataView;

/// <summary>
/// Reads the image column ahead of the consumer on its own cursor, featurises whole batches in the background
/// and hands them over through a bounded queue (two batches in flight: memory stays flat however long the data).
/// Batch buffers are recycled.
/// </summary>
internal sealed class ReadAheadPipeline : IDisposable
{
    private const int InFlight = 2;
    private readonly BlockingCollection<FeatureBatch> _ready = new(InFlight);
    private readonly BlockingCollection<FeatureBatch> _free = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _producer;
    private Exception? _failure;

    public ReadAheadPipeline(IDataView input, DataViewSchema.Column imageColumn, FeaturizerRuntime runtime, int batchSize)
    {
        for (var i = 0; i < InFlight + 1; i++)
        {
            _free.Add(new FeatureBatch(batchSize, runtime.FeatureDimension));
        }

        var cursor = input.GetRowCursor([imageColumn]);
        _producer = Task.Factory.StartNew(
            () => Produce(cursor, imageColumn, runtime, batchSize), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>The next batch, or null at the end. Throws what the producer met (e.g. an ONNX Runtime error).</summary>
    public FeatureBatch? Take()
    {
        if (_ready.TryTake(out var batch, Timeout.Infinite))
        {
            return batch;
        }

        if (_failure is not null)
        {
            throw new InvalidOperationException($"MoCoFeatures failed while reading ahead: {_failure.Message}", _failure);
        }

        return null;
    }

    /// <summary>Hands a consumed batch back for reuse.</summary>
    public void Return(FeatureBatch batch) => _free.Add(batch);

    public void Dispose()
    {
        _stop.Cancel();
        try
        {
            _producer.Wait();
        }
        catch (AggregateException)
        {
            // The producer's failure was already reported to the consumer, or nobody is reading any more.
        }

        _stop.Dispose();
        _ready.Dispose();
        _free.Dispose();
    }

    private void Produce(DataViewRowCursor cursor, DataViewSchema.Column imageColumn, FeaturizerRuntime runtime, int batchSize)
    {
        var featurizer = new BatchFeaturizer(runtime);
        var items = Enumerable.Range(0, batchSize).Select(_ => new ImageItem()).ToArray();
        try
        {
            var reader = new ImageColumnReader(cursor, cursor.Schema[imageColumn.Index], runtime.Kind, runtime.Step.Preprocessing.Channels);
            var id = cursor.GetIdGetter();
            var more = true;
            while (more)
            {
                var batch = _free.Take(_stop.Token);
                var n = 0;
                while (n < batchSize && (more = cursor.MoveNext()))
                {
                    id(ref batch.Ids[n]);
                    reader.Read(items[n], cursor.Position);
                    batch.Sources[n] = items[n].Source;
                    n++;
                }

                batch.Count = n;
                if (n == 0)
                {
                    break;
                }

                featurizer.Run(items, n, batch.Features, batch.Errors);
                _ready.Add(batch, _stop.Token);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // The consumer stopped early.
        }
        catch (Exception e)
        {
            _failure = e;
        }
        finally
        {
            foreach (var item in items)
            {
                item.Dispose();
            }

            cursor.Dispose();
            _ready.CompleteAdding();
        }
    }
}
