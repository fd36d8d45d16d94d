using System.CommandLine;

namespace MoCo.Cli.Options;

/// <summary><c>--device cpu|cuda|cuda:N</c>, default cpu, as every command that computes takes it.</summary>
internal sealed class DeviceOption
{
    /// <param name="note">What the device runs in this command (appended to the description).</param>
    internal DeviceOption(string note) =>
        Option = new Option<string>("--device") { Description = $"cpu, cuda or cuda:N: {note}", DefaultValueFactory = _ => "cpu" };

    internal Option<string> Option { get; }

    internal ComputeDevice Get(ParseResult r) => ComputeDevice.Parse(r.GetValue(Option)!);
}
