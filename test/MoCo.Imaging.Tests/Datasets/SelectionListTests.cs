using MoCo.Imaging.Datasets;
using MoCo.MLNet.Tests.Support;

namespace MoCo.Imaging.Tests.Datasets;

public class SelectionListTests
{
    private static string Png(TempDir temp, string relative, byte value)
    {
        var path = temp.File(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, MoCo.Imaging.Encoders.PngEncoder.Encode([value, value, value, value], 2, 2, 1));
        return path;
    }

    [Test]
    public void An_idx_selection_reads_back_as_those_items_with_the_sources_labels_and_classes()
    {
        using var temp = new TempDir();
        var idx = DataSourceSpecTests.WriteIdx(temp.File("idx"));
        var source = DataSourceSpec.Parse($"idx:{idx}:train").Open();
        var list = temp.File("chosen.txt");
        SelectionList.Write(list, $"idx:{idx}:train", [source.Describe(2), source.Describe(0)], ["kcenter, budget 2"]);

        var spec = DataSourceSpec.Parse(list);
        Assert.That((spec.Kind, spec.IsFiles, spec.SelectionOf!.Kind), Is.EqualTo((DataSourceKind.Selection, false, DataSourceKind.Idx)));
        var chosen = spec.Open();
        Assert.That(chosen.Count, Is.EqualTo(2));
        Assert.That(chosen.Classes, Is.EqualTo(source.Classes), "all the source's classes, even those not chosen");
        Assert.That(new[] { chosen.GetLabel(0), chosen.GetLabel(1) }, Is.EqualTo(new[] { 2, 0 }));
        Assert.That(chosen.Describe(0), Is.EqualTo(source.Describe(2)));
        using (var a = chosen.Load(0, new ImageDecodeOptions(Channels: 0)))
        using (var b = source.Load(2, new ImageDecodeOptions(Channels: 0)))
        {
            Assert.That(a.Pixels.ToArray(), Is.EqualTo(b.Pixels.ToArray()));
        }

        Assert.That(spec.TestSplit().Canonical(), Is.EqualTo($"idx:{idx}:test"), "a selection of IDX training data defaults to that data's test split");
        Assert.That(Assert.Throws<ArgumentException>(() => spec.IdxFiles())!.Message, Does.Contain("selection"));
    }

    [Test]
    public void A_file_selection_is_files_and_plain_list_readers_see_one_path_a_line()
    {
        using var temp = new TempDir();
        var a = Png(temp, "data/cat/a.png", 10);
        var b = Png(temp, "data/dog/b.png", 20);
        Png(temp, "data/dog/c.png", 30);
        var root = temp.File("data");
        var list = temp.File("chosen.txt");
        SelectionList.Write(list, root, [b, a]);

        var spec = DataSourceSpec.Parse(list);
        Assert.That((spec.Kind, spec.IsFiles), Is.EqualTo((DataSourceKind.Selection, true)));
        var chosen = spec.Open();
        Assert.That(chosen.Classes, Is.EqualTo(new[] { "cat", "dog" }));
        Assert.That(Enumerable.Range(0, 2).Select(i => (chosen.Describe(i), chosen.GetLabel(i))), Is.EqualTo(new[] { (b, 1), (a, 0) }));
        var plain = ImageDatasets.FromList(list);
        Assert.That(Enumerable.Range(0, plain.Count).Select(plain.Describe), Is.EqualTo(new[] { b, a }), "the header is a comment to a plain list reader");
    }

    [Test]
    public void A_line_naming_no_item_or_an_item_twice_names_its_line()
    {
        using var temp = new TempDir();
        var idx = DataSourceSpecTests.WriteIdx(temp.File("idx"));
        var name = DataSourceSpec.Parse($"idx:{idx}").Open().Describe(1);
        var list = temp.File("bad.txt");
        SelectionList.Write(list, $"idx:{idx}:train", [name, "nothing[7]"]);
        Assert.That(Assert.Throws<InvalidDataException>(() => DataSourceSpec.Parse(list).Open())!.Message, Does.Contain("bad.txt:3: 'nothing[7]'"));
        SelectionList.Write(list, $"idx:{idx}:train", [name, name]);
        Assert.That(Assert.Throws<InvalidDataException>(() => DataSourceSpec.Parse(list).Open())!.Message, Does.Contain("listed twice"));
        Assert.Throws<ArgumentException>(() => SelectionList.Write(list, "x", ["# not an item"]));
    }

    [Test]
    public void A_list_without_the_header_is_a_plain_list()
    {
        using var temp = new TempDir();
        var a = Png(temp, "a.png", 1);
        var list = temp.File("plain.txt");
        File.WriteAllText(list, $"# some other comment\n{a}\n");
        Assert.That(DataSourceSpec.Parse(list).Kind, Is.EqualTo(DataSourceKind.List));
        Assert.That(SelectionList.SourceOf(list), Is.Null);
    }
}
