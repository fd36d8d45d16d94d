using System.Text.RegularExpressions;
using MoCo.Cli.Report;
using MoCo.MLNet.Tests.Support;

namespace MoCo.Cli.Tests.Report;

public class ReportPageTests
{
    [Test]
    public void Gallery_neighbours_equal_a_brute_force_search_without_the_query_itself()
    {
        // Reference: cosine similarity of every pair in doubles, sorted, the query left out.
        var data = ReportFixtures.Store();
        var x = data.Features;
        var normalised = x.L2Normalised();
        foreach (var q in new[] { 0, 17, 63, 119 })
        {
            var expected = Enumerable.Range(0, x.Rows).Where(i => i != q).Select(i =>
            {
                double dot = 0, a = 0, b = 0;
                for (var d = 0; d < x.Columns; d++)
                {
                    dot += (double)x.Row(q)[d] * x.Row(i)[d];
                    a += (double)x.Row(q)[d] * x.Row(q)[d];
                    b += (double)x.Row(i)[d] * x.Row(i)[d];
                }

                return (Row: i, Similarity: dot / Math.Sqrt(a * b));
            }).OrderByDescending(p => p.Similarity).Take(8).ToList();
            var found = NeighbourGallery.Nearest(normalised, q, 8);
            Assert.That(found.Select(f => f.Row), Is.EqualTo(expected.Select(e => e.Row)), $"query {q}");
            Assert.That(found.Select(f => (double)f.Similarity), Is.EqualTo(expected.Select(e => e.Similarity)).Within(1e-5), $"query {q}");
        }
    }

    [Test]
    public void Wrong_label_neighbours_are_marked_and_counted()
    {
        var data = ReportFixtures.Store();
        var queries = NeighbourGallery.Find(data, queries: 6, k: 8, seed: 0);
        var wrong = queries.Sum(q => q.Neighbours.Count(n => data.Labels[n.Row] != data.Labels[q.Row]));
        Assert.That(wrong, Is.GreaterThan(0), "the fixture plants one mislabelled row per class");
        var html = NeighbourGallery.Section(data, queries, new Thumbnails(data));
        Assert.That(Regex.Matches(html, "class=\"tile wrong\"").Count, Is.EqualTo(wrong));
        Assert.That(html, Does.Contain($"the {wrong} that do not"));
        Assert.That(queries.Select(q => data.Labels[q.Row]).Distinct().Count(), Is.EqualTo(3), "queries go round the classes");
    }

    [Test]
    public void The_page_is_self_contained_and_says_how_to_get_what_is_missing()
    {
        var html = ReportPage.Render(ReportFixtures.Store(), new ReportSettings());
        Assert.That(html, Does.Not.Contain("<script"));
        Assert.That(Regex.Matches(html, "src=\"(?!data:)").Count, Is.Zero, "every image is a data URI");
        Assert.That(Regex.Matches(html, "<img src=\"data:image/png;base64,").Count, Is.GreaterThan(12), "thumbnails");
        Assert.That(Regex.Replace(html, "xmlns=\"http://www.w3.org/2000/svg\"", ""), Does.Not.Contain("http://").And.Not.Contain("https://"));
        Assert.That(html, Does.Contain("--run PRETRAIN_DIR").And.Contain("moco dedup").And.Contain("--probe DIR"));
    }

    [Test]
    public void Runs_probes_and_duplicate_groups_are_shown_when_given()
    {
        using var temp = new TempDir();
        var run = Directory.CreateDirectory(temp.File("run")).FullName;
        File.WriteAllText(Path.Combine(run, "log.jsonl"), "{\"epoch\":0,\"step\":10,\"loss\":6.2}\n{\"epoch\":0,\"step\":20,\"loss\":5.9,\"knn_top1\":0.5}\n");
        var probe = Directory.CreateDirectory(temp.File("probe")).FullName;
        File.WriteAllText(Path.Combine(probe, "confusion-matrix.svg"), "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><rect width=\"10\" height=\"10\" fill=\"red\"/></svg>");
        var data = ReportFixtures.Store();
        var groups = temp.File("groups.csv");
        File.WriteAllText(groups, $"group,path\n0,{data.Paths[3]}\n0,{data.Paths[4]}\n1,{data.Paths[50]}\n1,\"elsewhere, gone.png\"\n");
        var html = ReportPage.Render(data, new ReportSettings { Run = run, Probe = probe, Groups = groups });
        Assert.That(html, Does.Contain("2 log lines"));
        Assert.That(html, Does.Contain("alt=\"pretraining loss and kNN top-1\"").And.Contain("alt=\"confusion matrix\""));
        Assert.That(html, Does.Contain("2 groups holding 4 images").And.Contain("not in the store").And.Contain("elsewhere, gone.png"));
    }

    [Test]
    public void A_groups_file_that_is_not_deduplications_is_refused_with_its_line()
    {
        using var temp = new TempDir();
        var groups = temp.File("groups.csv");
        File.WriteAllText(groups, "path,group\n");
        Assert.That(Assert.Throws<InvalidDataException>(() => DuplicateGroups.Read(groups))!.Message, Does.Contain("groups.csv:1"));
        File.WriteAllText(groups, "group,path\n7\n");
        Assert.That(Assert.Throws<InvalidDataException>(() => DuplicateGroups.Read(groups))!.Message, Does.Contain("groups.csv:2"));
    }

    [Test]
    public void Unlabelled_stores_and_stores_without_images_still_render()
    {
        var html = ReportPage.Render(ReportFixtures.Store(labelled: false, images: false), new ReportSettings());
        Assert.That(html, Does.Contain("no image").And.Contain("unlabelled"));
        Assert.That(html, Does.Not.Contain("class=\"tile wrong\""));
    }
}
