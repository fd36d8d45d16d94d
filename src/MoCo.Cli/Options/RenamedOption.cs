using System.CommandLine;

namespace MoCo.Cli.Options;

/// <summary>
/// An option renamed so that a flag means one thing in every command: help shows the new name; the old spelling is a
/// hidden option that still works for one release (with a note on stderr). Giving both is an error.
/// </summary>
internal sealed class RenamedOption<T>
{
    private bool _noted;

    internal RenamedOption(Option<T> current, string oldName)
    {
        Current = current;
        Old = new Option<T>(oldName) { Hidden = true, Description = $"old spelling of {current.Name} (accepted until the next release)" };
    }

    /// <summary>The option under its new name.</summary>
    internal Option<T> Current { get; }

    /// <summary>The old spelling, hidden from help.</summary>
    internal Option<T> Old { get; }

    /// <summary>Both, to add to a command.</summary>
    internal IEnumerable<Option> Options => [Current, Old];

    /// <summary>The value under either name (the new name's default when neither is given).</summary>
    internal T? Get(ParseResult r)
    {
        if (r.GetResult(Old) is not { Implicit: false })
        {
            return r.GetValue(Current);
        }

        if (r.GetResult(Current) is { Implicit: false })
        {
            throw new ArgumentException($"give {Current.Name} or its old spelling {Old.Name}, not both");
        }

        if (!_noted)
        {
            Console.Error.WriteLine($"note: {Old.Name} is now {Current.Name} here; the old spelling goes in the next release");
            _noted = true;
        }

        return r.GetValue(Old);
    }
}
