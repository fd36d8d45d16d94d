using System.Reflection;
using MoCo.Torch.Native;

namespace MoCo.Torch.Tests.Native;

public class AtenTableTests
{
    private static IEnumerable<Op> AllOps() =>
        typeof(Aten).GetFields(BindingFlags.Static | BindingFlags.NonPublic).Select(f => (Op)f.GetValue(null)!);

    [Test]
    public void Every_operator_the_binding_calls_exists_in_this_libtorch()
    {
        var missing = new List<string>();
        foreach (Op op in AllOps())
        {
            try
            {
                TestContext.Out.WriteLine(op.Schema());
            }
            catch (TorchException e)
            {
                missing.Add($"{op}: {e.Message}");
            }
        }
        Assert.That(missing, Is.Empty);
    }

    [Test]
    public void An_unknown_operator_fails_with_a_clear_message()
    {
        var op = new Op("aten::no_such_op", "");
        var e = Assert.Throws<TorchException>(() => _ = op.Handle);
        Assert.That(e!.Message, Does.Contain("aten::no_such_op"));
    }
}
