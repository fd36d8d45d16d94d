using System.CommandLine;

namespace MoCo.Cli.Options;

/// <summary>A command's option set: the options it adds, in help order. The command's action reads its values through
/// the same instance, so a test can parse with a set of its own and read them back.</summary>
internal interface ICommandOptions
{
    IEnumerable<Option> All { get; }
}

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

    /// <summary>The command <paramref name="name"/> with every option of <paramref name="options"/>, whose action is
    /// <paramref name="run"/> on the parse result and that same option set.</summary>
    internal static Command Build<TOptions>(string name, string description, TOptions options, Func<ParseResult, TOptions, int> run)
        where TOptions : ICommandOptions => Build(name, description, options.All, r => run(r, options));
}
