using System.Globalization;

namespace MoCo.Training.Trainer;

/// <summary>A live progress line on a terminal (one line per log interval when the output is redirected).</summary>
internal sealed class ProgressLine(TextWriter output, bool live)
{
    internal void Update(int epoch, int epochs, int batch, int batches, double loss, double lr, double imagesPerSecond, TimeSpan eta)
    {
        const int Width = 24;
        int filled = batches == 0 ? 0 : (int)((long)Width * batch / batches);
        string bar = new string('#', filled) + new string('-', Width - filled);
        string text = string.Create(CultureInfo.InvariantCulture,
            $"epoch {epoch + 1}/{epochs} [{bar}] {batch}/{batches}  loss {loss:F4}  lr {lr:G4}  {imagesPerSecond:F0} img/s  ETA {(int)eta.TotalHours:D2}:{eta.Minutes:D2}:{eta.Seconds:D2}");
        if (live) output.Write("\r" + text.PadRight(110));
        else output.WriteLine(text);
    }

    internal void Line(string text)
    {
        Clear();
        output.WriteLine(text);
    }

    /// <summary>Blanks the live line (before other output reaches the same terminal); nothing when not live.</summary>
    internal void Clear()
    {
        if (live) output.Write("\r" + new string(' ', 110) + "\r");
    }
}
