namespace MoCo.Plots.Tests;

public class AblationFiguresTests
{
    // results.csv as `moco ablate` writes it (MoCo.Training's AblationTable.CsvHeader), with a failed and a skipped point.
    private const string Csv = """
        name,sweeps,method,negatives,momentum,shuffle_bn,batch,epochs,final_loss,knn_top1,linear_top1,seconds,status,reason
        random-init,baseline,random-init,256,0.99,on,256,0,,0.5000,0.6000,10,ok,
        moco-k1024-m0.99-sbn-b256,negatives,moco,1024,0.99,on,256,2,6.1,0.7000,0.7500,100,ok,
        moco-k256-m0.99-sbn-b256,negatives;momentum;shuffle-bn,moco,256,0.99,on,256,2,5.1,0.6500,0.7000,100,ok,
        end-to-end-k254-m0.99-sbn-b128,negatives,end-to-end,254,0.99,on,128,2,4.0,0.6000,0.6800,100,ok,
        end-to-end-k4094-m0.99-sbn-b2048,negatives,end-to-end,4094,0.99,on,2048,2,,,,0,skipped,"end-to-end batch 2048 (K = 4094) is over the largest batch run, 1024"
        memory-bank-k256-m0.99-sbn-b256,negatives,memory-bank,256,0.99,on,256,2,,,,0,failed,"the method 'memory-bank' is not implemented yet, use moco"
        moco-k256-m0-sbn-b256,momentum,moco,256,0,on,256,2,7.0,0.3000,0.4000,100,ok,
        moco-k256-m0.99-nosbn-b256,shuffle-bn,moco,256,0.99,off,256,2,1.0,0.5500,0.6000,100,ok,
        """;

    [Test]
    public void Rows_parse_with_commas_in_reasons_and_series_leave_out_failed_points()
    {
        var all = AblationRow.Parse(Csv, "results.csv");
        Assert.That(all, Has.Count.EqualTo(8));
        Assert.That((all[0].Method, all[0].LinearTop1), Is.EqualTo(("random-init", (double?)0.6)));
        var rows = all.Skip(1).ToList();
        Assert.That(rows[1].Sweeps, Is.EqualTo(new[] { "negatives", "momentum", "shuffle-bn" }));
        Assert.That((rows[3].Status, rows[3].KnnTop1), Is.EqualTo(("skipped", (double?)null)));
        var series = AblationFigures.NegativesSeries(all);
        Assert.That(series.Select(s => (s.method, s.metric)), Is.EqualTo(new[] { ("moco", "linear"), ("moco", "kNN"), ("end-to-end", "linear"), ("end-to-end", "kNN") }));
        Assert.That(series[0].k, Is.EqualTo(new[] { 256.0, 1024.0 }), "sorted by K");
        Assert.That(series[0].top1, Is.EqualTo(new[] { 70.0, 75.0 }).Within(1e-9));
        Assert.That(series[3].top1, Is.EqualTo(new[] { 60.0 }).Within(1e-9));
    }

    [Test]
    public void Figures_are_valid_PNGs_of_the_stated_size()
    {
        string dir = Directory.CreateTempSubdirectory("moco-plots-").FullName;
        try
        {
            var written = AblationFigures.WriteAll(AblationRow.Parse(Csv, "results.csv"), dir, 640, 360);
            Assert.That(written.Select(Path.GetFileName), Is.EqualTo(new[] { "negatives.png", "momentum.png", "shuffle-bn.png" }));
            foreach (string path in written) Assert.That(PngFile.Check(File.ReadAllBytes(path)), Is.EqualTo((640, 360)), path);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void A_table_without_a_needed_column_is_refused() =>
        Assert.That(() => AblationRow.Parse("name,method\nx,moco\n", "t.csv"), Throws.TypeOf<InvalidDataException>().With.Message.Contains("'sweeps'"));

    [Test]
    public void A_corrupted_PNG_fails_the_check()
    {
        // The checker must be able to fail: one flipped byte inside a chunk breaks its CRC.
        string dir = Directory.CreateTempSubdirectory("moco-plots-").FullName;
        try
        {
            string path = AblationFigures.WriteAll(AblationRow.Parse(Csv, "results.csv"), dir, 200, 150)[0];
            byte[] png = File.ReadAllBytes(path);
            png[40] ^= 0x5A;
            Assert.Throws<AssertionException>(() => PngFile.Check(png));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
