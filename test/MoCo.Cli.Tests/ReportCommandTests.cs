using System.Text.RegularExpressions;
using MoCo.Cli.Tests.Support;

namespace MoCo.Cli.Tests;

[NonParallelizable]
public class ReportCommandTests
{
    [Test]
    public void A_store_gives_one_page_with_thumbnails_gallery_map_and_the_run_and_groups_given()
    {
        using var store = new TinyStore(count: 40, seed: 2);
        var run = Directory.CreateDirectory(Path.Combine(store.Data, "run")).FullName;
        File.WriteAllText(Path.Combine(run, "log.jsonl"), "{\"epoch\":0,\"step\":10,\"loss\":6.2}\n{\"epoch\":0,\"step\":20,\"loss\":5.9,\"knn_top1\":0.5}\n");
        var paths = MoCo.Extraction.Reading.FeatureStoreReader.Open(store.Folder).ReadAll().Paths;
        var groups = Path.Combine(store.Data, "groups.csv");
        File.WriteAllText(groups, $"group,path\n0,{paths[1]}\n0,{paths[2]}\n");
        var page = Path.Combine(store.Data, "out", "report.html");
        var result = MocoRun.Captured("report", "--store", store.Folder, "--run", run, "--groups", groups, "--queries", "4", "--k", "5", "--out", page);
        Assert.That(result.Code, Is.EqualTo(0), result.Error);
        var html = File.ReadAllText(page);
        Assert.That(html, Does.Contain($"source: idx:{store.Data}:train; thumbnails from"));
        Assert.That(Regex.Matches(html, "class=\"gallery-row\"").Count, Is.EqualTo(4 + 1), "four queries and one group");
        Assert.That(Regex.Matches(html, "<img src=\"data:image/png;base64,").Count, Is.EqualTo((4 * 6) + 2));
        Assert.That(html, Does.Contain("<circle").And.Contain("2 log lines").And.Contain("1 groups holding 2 images"));
    }

    [Test]
    public void Missing_inputs_give_one_error_line()
    {
        using var store = new TinyStore(count: 8, seed: 3);
        var page = Path.Combine(store.Data, "report.html");
        MocoRun.AssertOneErrorLine(MocoRun.Captured("report", "--store", store.Folder, "--run", store.Data, "--out", page), "log.jsonl does not exist");
        MocoRun.AssertOneErrorLine(MocoRun.Captured("report", "--store", store.Folder, "--probe", store.Data, "--out", page), "confusion-matrix.svg does not exist");
        MocoRun.AssertOneErrorLine(MocoRun.Captured("report", "--store", store.Folder, "--groups", Path.Combine(store.Data, "none.csv"), "--out", page), "--groups");
        MocoRun.AssertOneErrorLine(MocoRun.Captured("report", "--store", store.Folder, "--k", "0", "--out", page), "--k must be positive");
    }
}
