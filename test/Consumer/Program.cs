// A user's program on the MoCo.MLNet package (test/Consumer/run.sh runs each mode; docs/install.md).
//   Consumer images DIR                  writes DIR/{a,b}/N.png and N.jpg (two classes of synthetic RGB pictures)
//   Consumer pipeline DIR ENCODER OUT    the README's pipeline and the input-kind checks; saves OUT/model.zip and the
//                                        in-process predictions OUT/predictions.txt
//   Consumer load DIR OUT                loads OUT/model.zip in this new process and compares its predictions
// Each check prints "PASS name: ..." or "FAIL name: ..."; the exit code is non-zero when one failed.
using Consumer;

var checks = new Checks();
try
{
    switch (args.FirstOrDefault())
    {
        case "images":
            TestImages.Write(args[1]);
            return 0;
        case "pipeline":
            Pipeline.Run(checks, args[1], args[2], args[3]);
            break;
        case "load":
            Pipeline.LoadAndCompare(checks, args[1], args[2]);
            break;
        default:
            Console.Error.WriteLine("usage: Consumer images DIR | pipeline DIR ENCODER OUT | load DIR OUT");
            return 2;
    }
}
catch (Exception e)
{
    checks.Fail("unexpected exception", e.ToString());
}

return checks.Failed == 0 ? 0 : 1;
