namespace Consumer;

/// <summary>Prints one line per check, which test/Consumer/run.sh counts.</summary>
internal sealed class Checks
{
    public int Failed { get; private set; }

    public void Pass(string name, string detail) => Console.WriteLine($"PASS {name}: {detail}");

    public void Fail(string name, string detail)
    {
        Failed++;
        Console.WriteLine($"FAIL {name}: {detail}");
    }

    public void That(bool ok, string name, string detail)
    {
        if (ok) Pass(name, detail);
        else Fail(name, detail);
    }
}
