using System.Globalization;
using MoCo.Evaluation;

namespace MoCo.MLNet.Probing;

/// <summary>
/// One point of a label-efficiency curve: N labelled images per class, a fraction F of each class's images, or all
/// of the training pool. The subset itself is <see cref="StratifiedDraw"/>'s (seeded, stratified, nested across budgets).
/// </summary>
internal sealed record LabelBudget
{
    private LabelBudget(int? perClass, double? fraction)
    {
        PerClass = perClass;
        Fraction = fraction;
    }

    /// <summary>Labels per class (<c>--labels-per-class N</c>); null for a fraction or all.</summary>
    public int? PerClass { get; }

    /// <summary>The fraction of each class (<c>--label-fraction F</c>); null for N per class or all.</summary>
    public double? Fraction { get; }

    /// <summary>The whole training pool (<c>all</c>, or a fraction of 1): the same subset for every draw, so one draw.</summary>
    public bool IsAll => PerClass is null && Fraction is null or 1;

    /// <summary>The whole training pool.</summary>
    public static LabelBudget All { get; } = new(null, null);

    /// <summary>N labels per class.</summary>
    public static LabelBudget OfPerClass(int n) => n >= 1 ? new(n, null) : throw new ArgumentException($"--labels-per-class: {n} is not a positive count");

    /// <summary>A fraction in (0, 1] of each class.</summary>
    public static LabelBudget OfFraction(double f) => f > 0 && f <= 1
        ? new(null, f)
        : throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"--label-fraction: {f} is not in (0, 1]"));

    /// <summary>How the budget is written on the command line and in the CSV: "10", "all", "0.01".</summary>
    public string Text => PerClass is { } n ? n.ToString(CultureInfo.InvariantCulture)
        : Fraction is { } f ? f.ToString("R", CultureInfo.InvariantCulture) : "all";

    /// <summary>The training rows of draw <paramref name="draw"/>, ascending (all rows for <see cref="All"/>).</summary>
    /// <exception cref="ArgumentException">A class has fewer training images than asked; the message names it.</exception>
    public int[] Draw(int[] labels, IReadOnlyList<string> classes, ulong seed, int draw)
    {
        if (PerClass is { } n)
        {
            var counts = new int[classes.Count];
            foreach (var l in labels) counts[l]++;
            var short_ = Enumerable.Range(0, classes.Count).Where(c => counts[c] < n).ToList();
            if (short_.Count > 0)
            {
                // StratifiedDraw refuses this too, by class index; say it with the class names and the way out.
                var which = string.Join(", ", short_.Select(c => $"'{classes[c]}' has {counts[c]}"));
                throw new ArgumentException($"--labels-per-class {n}: {n} training images per class were asked for, but {which} (give a smaller budget, or 'all')");
            }

            return StratifiedDraw.PerClass(labels, n, seed, draw);
        }

        return Fraction is { } f and < 1 ? StratifiedDraw.Fraction(labels, f, seed, draw) : Enumerable.Range(0, labels.Length).ToArray();
    }

    /// <summary>Parses <c>--labels-per-class 1,5,10,100,all</c>.</summary>
    public static IReadOnlyList<LabelBudget> ParsePerClass(string text) => Parse(text, "--labels-per-class", item => item == "all"
        ? All
        : int.TryParse(item, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? OfPerClass(n)
        : throw new ArgumentException($"--labels-per-class: '{item}' is not a positive count or 'all'"));

    /// <summary>Parses <c>--label-fraction 0.01,0.1,1</c>.</summary>
    public static IReadOnlyList<LabelBudget> ParseFraction(string text) => Parse(text, "--label-fraction", item =>
        double.TryParse(item, NumberStyles.Float, CultureInfo.InvariantCulture, out var f) ? OfFraction(f)
        : throw new ArgumentException($"--label-fraction: '{item}' is not a number in (0, 1]"));

    private static IReadOnlyList<LabelBudget> Parse(string text, string option, Func<string, LabelBudget> one)
    {
        ArgumentNullException.ThrowIfNull(text);
        var items = text.Split(',', StringSplitOptions.TrimEntries);
        if (items.Any(i => i.Length == 0)) throw new ArgumentException($"{option} '{text}': an empty item (give e.g. 1,10,100)");
        var budgets = items.Select(one).ToList();
        if (budgets.Distinct().Count() != budgets.Count) throw new ArgumentException($"{option} '{text}' names a budget twice");
        return budgets;
    }
}
