using System.Globalization;

namespace MoCo.Evaluation;

/// <summary>
/// One point of a label-efficiency curve: N labelled images per class, a fraction F of each class's images, or all
/// of the training pool. The one budget concept of <c>moco probe</c> and <c>moco finetune</c> (their
/// <c>--labels-per-class</c> and <c>--label-fraction</c> lists); the subset itself is <see cref="StratifiedDraw"/>'s
/// (seeded, stratified, nested across budgets).
/// </summary>
/// <example><code>
/// foreach (LabelBudget budget in LabelBudget.ParsePerClass("1,10,all"))
/// {
///     int[] rows = budget.Draw(labels, classNames, seed: 0, draw: 0);
/// }
/// </code></example>
public sealed record LabelBudget
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
    /// <exception cref="ArgumentException"><paramref name="n"/> is not positive.</exception>
    public static LabelBudget OfPerClass(int n) => n >= 1 ? new(n, null) : throw new ArgumentException($"--labels-per-class: {n} is not a positive count");

    /// <summary>A fraction in (0, 1] of each class.</summary>
    /// <exception cref="ArgumentException"><paramref name="f"/> is outside (0, 1].</exception>
    public static LabelBudget OfFraction(double f) => f > 0 && f <= 1
        ? new(null, f)
        : throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"--label-fraction: {f} is not in (0, 1]"));

    /// <summary>The budget of a single run: <paramref name="perClass"/> or <paramref name="fraction"/> (not both), or all when both are null.</summary>
    /// <exception cref="ArgumentException">Both are given, or the one given is out of range.</exception>
    public static LabelBudget Of(int? perClass, double? fraction) => (perClass, fraction) switch
    {
        ({ }, { }) => throw new ArgumentException("give labels per class or a label fraction, not both"),
        ({ } n, null) => OfPerClass(n),
        (null, { } f) => OfFraction(f),
        _ => All,
    };

    /// <summary>How the budget is written on the command line and in the CSV: "10", "all", "0.01".</summary>
    public string Text => PerClass is { } n ? n.ToString(CultureInfo.InvariantCulture)
        : Fraction is { } f ? f.ToString("R", CultureInfo.InvariantCulture) : "all";

    /// <summary>For people: "10 per class", "a fraction 0.01 per class", "all".</summary>
    public string Description => PerClass is { } n ? $"{n} per class"
        : Fraction is { } f ? string.Create(CultureInfo.InvariantCulture, $"a fraction {f:R} per class") : "all";

    /// <summary>The training rows of draw <paramref name="draw"/>, ascending (all rows for <see cref="IsAll"/>).</summary>
    /// <param name="labels">Every training item's class index (0 ≤ label &lt; <paramref name="classes"/>.Count).</param>
    /// <param name="classes">The class names, by index (for messages).</param>
    /// <param name="seed">The draws' seed.</param>
    /// <param name="draw">Which draw (0, 1, 2, …).</param>
    /// <exception cref="ArgumentException">A class has fewer training images than asked; the message names it.</exception>
    public int[] Draw(IReadOnlyList<int> labels, IReadOnlyList<string> classes, ulong seed, int draw)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(classes);
        if (PerClass is { } n)
        {
            var counts = new int[classes.Count];
            foreach (var l in labels)
            {
                if (l < 0 || l >= classes.Count) throw new ArgumentException($"label {l} is not one of the {classes.Count} classes");
                counts[l]++;
            }

            var short_ = Enumerable.Range(0, classes.Count).Where(c => counts[c] < n).ToList();
            if (short_.Count > 0)
            {
                // StratifiedDraw refuses this too, by class index; say it with the class names and the way out.
                var which = string.Join(", ", short_.Select(c => $"'{classes[c]}' has {counts[c]}"));
                throw new ArgumentException($"--labels-per-class {n}: {n} training images per class were asked for, but {which} (give a smaller budget, or 'all')");
            }

            return StratifiedDraw.PerClass(labels, n, seed, draw);
        }

        return Fraction is { } f and < 1 ? StratifiedDraw.Fraction(labels, f, seed, draw) : Enumerable.Range(0, labels.Count).ToArray();
    }

    /// <summary>Parses <c>--labels-per-class 1,5,10,100,all</c>.</summary>
    /// <exception cref="ArgumentException">An item is not a positive count or 'all', is empty, or repeats.</exception>
    public static IReadOnlyList<LabelBudget> ParsePerClass(string text) => Parse(text, "--labels-per-class", item => item == "all"
        ? All
        : int.TryParse(item, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? OfPerClass(n)
        : throw new ArgumentException($"--labels-per-class: '{item}' is not a positive count or 'all'"));

    /// <summary>Parses <c>--label-fraction 0.01,0.1,1</c>.</summary>
    /// <exception cref="ArgumentException">An item is not a number in (0, 1], is empty, or repeats.</exception>
    public static IReadOnlyList<LabelBudget> ParseFraction(string text) => Parse(text, "--label-fraction", item =>
        double.TryParse(item, NumberStyles.Float, CultureInfo.InvariantCulture, out var f) ? OfFraction(f)
        : throw new ArgumentException($"--label-fraction: '{item}' is not a number in (0, 1]"));

    /// <summary>The budgets of <c>--labels-per-class</c> or <c>--label-fraction</c> (not both; null when neither is given).</summary>
    /// <exception cref="ArgumentException">Both are given, or a list is malformed.</exception>
    public static IReadOnlyList<LabelBudget>? ParseEither(string? perClass, string? fraction)
    {
        if (perClass is not null && fraction is not null) throw new ArgumentException("give --labels-per-class or --label-fraction, not both");
        return perClass is not null ? ParsePerClass(perClass) : fraction is not null ? ParseFraction(fraction) : null;
    }

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
