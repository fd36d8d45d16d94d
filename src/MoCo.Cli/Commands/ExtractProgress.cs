using System.Diagnostics;
using System.Globalization;
using MoCo.Extraction;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace MoCo.Cli.Commands;

/// <summary>Runs an extraction under a live progress bar (images/s and ETA from this run's own pace); plain lines when the output is not a terminal.</summary>
internal static class ExtractProgress
{
    internal static ExtractionSummary Run(ExtractionOptions options, CancellationToken cancel)
    {
        var pace = new Pace();
        if (!AnsiConsole.Profile.Capabilities.Interactive)
        {
            var nextReport = 0;
            return ExtractionJob.Run(options, p =>
            {
                pace.Update(p);
                if (p.Done >= nextReport || p.Done == p.Total)
                {
                    Console.WriteLine(pace.Describe());
                    nextReport = p.Done + Math.Max(1, p.Total / 10);
                }
            }, cancel);
        }

        ExtractionSummary? summary = null;
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new PaceColumn(pace))
            .Start(context =>
            {
                var task = context.AddTask("extract");
                summary = ExtractionJob.Run(options, p =>
                {
                    pace.Update(p);
                    task.MaxValue = Math.Max(1, p.Total);
                    task.Value = p.Done;
                }, cancel);
                task.StopTask();
            });
        return summary!;
    }

    /// <summary>Images/s and ETA over this run's items (those found done in the store do not count).</summary>
    private sealed class Pace
    {
        private readonly Stopwatch _clock = new(); // started by the job's first report, after the model is loaded
        private ExtractionProgress _last;

        public void Update(ExtractionProgress p)
        {
            _clock.Start();
            _last = p;
        }

        public string Describe()
        {
            var p = _last;
            var done = p.Done - p.DoneAtStart;
            var rate = done / Math.Max(1e-9, _clock.Elapsed.TotalSeconds);
            var eta = rate > 0 ? TimeSpan.FromSeconds((p.Total - p.Done) / rate) : (TimeSpan?)null;
            return string.Create(CultureInfo.InvariantCulture,
                $"{p.Done}/{p.Total} ({p.Failed} failed), {rate:F1} images/s, ETA {(eta is { } e ? e.ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture) : "--:--:--")}");
        }
    }

    private sealed class PaceColumn(Pace pace) : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) => new Text(pace.Describe());
    }
}
