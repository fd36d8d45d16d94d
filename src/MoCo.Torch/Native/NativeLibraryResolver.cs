using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;

namespace MoCo.Torch.Native;

/// <summary>Loads libmoco_torch.so from next to the managed assembly (or runtimes/linux-x64/native), and
/// explains every path it probed when none loads.</summary>
internal static class NativeLibraryResolver
{
    private static int registered;

    internal static void Register()
    {
        if (Interlocked.Exchange(ref registered, 1) == 1) return;
        NativeLibrary.SetDllImportResolver(typeof(NativeLibraryResolver).Assembly, Resolve);
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != NativeMethods.Library) return IntPtr.Zero;
        var report = new StringBuilder();
        foreach (string candidate in Candidates())
        {
            if (!File.Exists(candidate))
            {
                report.Append("\n  ").Append(candidate).Append(": not found");
                continue;
            }
            try
            {
                return NativeLibrary.Load(candidate);
            }
            catch (DllNotFoundException e)
            {
                report.Append("\n  ").Append(candidate).Append(": ").Append(e.Message);
            }
        }
        throw new DllNotFoundException(
            "MoCo.Torch could not load its native shim libmoco_torch.so (it needs Debian's libtorch-dev, or a libtorch " +
            "it was built against). Run build/setup.sh to install libtorch and build the shim. Probed:" + report);
    }

    private static IEnumerable<string> Candidates()
    {
        const string file = "libmoco_torch.so";
        string? env = Environment.GetEnvironmentVariable("MOCO_TORCH_NATIVE");
        if (!string.IsNullOrEmpty(env)) yield return env;
        string assemblyDir = Path.GetDirectoryName(typeof(NativeLibraryResolver).Assembly.Location) ?? AppContext.BaseDirectory;
        foreach (string dir in new[] { assemblyDir, AppContext.BaseDirectory }.Distinct())
        {
            yield return Path.Combine(dir, file);
            yield return Path.Combine(dir, "runtimes", "linux-x64", "native", file);
        }
    }
}
