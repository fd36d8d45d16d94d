namespace MoCo.Cli.Tests.Support;

/// <summary>Runs the <c>moco</c> command in-process with stdout and stderr captured, and checks its one-line errors.</summary>
internal static class MocoRun
{
    /// <summary>Runs moco with <paramref name="args"/>; returns its exit code and what it wrote to stdout and stderr.</summary>
    internal static (int Code, string Out, string Error) Captured(params string[] args)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var (savedOut, savedError) = (Console.Out, Console.Error);
        Console.SetOut(output);
        Console.SetError(error);
        try
        {
            return (MocoApp.Run(args), output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetOut(savedOut);
            Console.SetError(savedError);
        }
    }

    /// <summary>The run failed (with exit code <paramref name="code"/> where given) and wrote exactly one stderr line,
    /// "error: …", containing <paramref name="expected"/>.</summary>
    internal static void AssertOneErrorLine((int Code, string Out, string Error) run, string expected, int? code = null)
    {
        if (code is { } c) Assert.That(run.Code, Is.EqualTo(c), run.Out + run.Error);
        else Assert.That(run.Code, Is.Not.EqualTo(0));
        var lines = run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(1), run.Error);
        Assert.That(lines[0], Does.StartWith("error: ").And.Contain(expected));
    }
}
