using System.CommandLine;

namespace MoCo.Cli.Options;

/// <summary>Builds a command from its option sets and its action.</summary>
internal static class CommandOptions
{
    internal static Command Build(string name, string description, IEnumerable<Option> options, Func<ParseResult, int> action)
    {
        var command = new Command(name, description);
        foreach (Option option in options) command.Options.Add(option);
        command.SetAction(action);
        return command;
    }
}
