using System.Text.Json;
using MoCo.Cli.Tests.Support;

namespace MoCo.Cli.Tests;

// `moco finetune` end to end on a tiny IDX data set written here (64 images of 16 px, labels i mod 4: 16 per class).
[NonParallelizable]
public class FinetuneCommandTests() : TinyIdxDataTests("moco-finetune-", seed: 2, count: 64, side: 16)
{
    private static (int Code, string Out, string Error) Moco(params string[] args) => MocoRun.Captured(args);

    private static void AssertOneErrorLine((int Code, string Out, string Error) run, string expected) => MocoRun.AssertOneErrorLine(run, expected, code: 1);

    /// <summary>finetune on the tiny set: 5 labels per class unless <paramref name="extra"/> gives --labels-per-class.</summary>
    private string[] Args(string init, string run, params string[] extra) =>
        ["finetune", "--init", init, "--train", $"idx:{dir}:train", "--test", $"idx:{dir}:test", "--epochs", "2", "--batch", "8", "--threads", "1",
         "--out", run, .. extra.Contains("--labels-per-class") ? [] : new[] { "--labels-per-class", "5" }, .. extra];

    [Test]
    public void Finetune_from_random_init_prints_the_metrics_and_one_json_line_and_resume_continues()
    {
        string run = Path.Combine(dir, "ft");
        var result = Moco(Args("random", run, "--width", "4", "--json"));
        Assert.That(result.Code, Is.EqualTo(0), result.Error);
        string[] stdout = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(stdout, Has.Length.EqualTo(1), "with --json stdout holds the JSON line alone");
        var json = JsonDocument.Parse(stdout[^1]).RootElement;
        Assert.That(json.GetProperty("top1").GetDouble(), Is.InRange(0.0, 1.0));
        Assert.That(json.GetProperty("macro_accuracy").GetDouble(), Is.InRange(0.0, 1.0));
        Assert.That(json.GetProperty("log_loss").GetDouble(), Is.GreaterThan(0));
        Assert.That(json.GetProperty("labels_per_class").GetInt32(), Is.EqualTo(5));
        Assert.That(json.GetProperty("train_images").GetInt32(), Is.EqualTo(20));
        Assert.That(json.GetProperty("test_images").GetInt32(), Is.EqualTo(64));
        Assert.That(json.GetProperty("epochs").GetInt32(), Is.EqualTo(2));
        Assert.That(json.GetProperty("init").GetString(), Is.EqualTo("random"));
        Assert.That(json.GetProperty("knn_top1").GetDouble(), Is.InRange(0.0, 1.0));
        Assert.That(result.Error, Does.Contain("20 labelled images: 5 per class").And.Contain("linear (finetune:sgd:lr=0.01:head_lr=0.1:epochs=2)")
            .And.Contain("kNN (knn:cosine:k=200:t=0.1)").And.Contain("confusion matrix"));
        // The run's outputs: the ONNX classifier, the ML.NET zip and its code, the figures as moco probe --out writes them.
        foreach (string file in new[] { "classifier.onnx", "model.zip", "MoCoClassifierModel.consumption.cs", "confusion-matrix.svg", "predictions.csv" })
            Assert.That(File.Exists(Path.Combine(run, file)), file);
        var predictions = File.ReadAllLines(Path.Combine(run, "predictions.csv"));
        Assert.That(predictions[0], Is.EqualTo("image,label,predicted,probability,knn"));
        Assert.That(predictions, Has.Length.EqualTo(65));
        Assert.That(predictions[1], Does.StartWith($"idx:{dir}:test[0],"));
        Assert.That(Directory.GetFiles(run, "label-efficiency.*"), Has.Length.EqualTo(2), "one budget still writes its point");
        var lines = File.ReadAllLines(Path.Combine(run, "log.jsonl"));
        Assert.That(lines, Has.Length.EqualTo(2));
        foreach (string key in new[] { "epoch", "step", "loss", "lr", "head_lr", "test_top1" })
            Assert.That(JsonDocument.Parse(lines[0]).RootElement.TryGetProperty(key, out _), key);
        // A finished run resumes to the same end: nothing more is trained, the same figures come out.
        var again = Moco([.. Args("random", run, "--json", "--resume").Where((_, i) => i is not (1 or 2))]);   // no --init: the checkpoint's
        Assert.That(again.Code, Is.EqualTo(0), again.Error);
        Assert.That(File.ReadAllLines(Path.Combine(run, "log.jsonl")), Is.EqualTo(lines));
        Assert.That(again.Out, Is.EqualTo(result.Out));
    }

    [Test]
    public void Finetune_starts_from_a_pretraining_checkpoint()
    {
        string pretrain = Path.Combine(dir, "pre");
        Assert.That(MocoApp.Run(["pretrain", "--data", $"idx:{dir}:train", "--width", "4", "--batch", "16", "--queue", "64", "--epochs", "1",
            "--threads", "1", "--out", pretrain]), Is.EqualTo(0));
        string ft = Path.Combine(dir, "ft");
        var result = Moco(Args(Path.Combine(pretrain, "last.ckpt"), ft, "--freeze-bn", "--head-lr", "0.05", "--eval-every", "0"));
        Assert.That(result.Code, Is.EqualTo(0), result.Error);
        var log = File.ReadAllLines(Path.Combine(ft, "log.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.That(log.Select(l => l.TryGetProperty("test_top1", out _)), Is.EqualTo(new[] { false, true }), "--eval-every 0: the last epoch only");
        Assert.That(result.Out, Does.Contain("resnet18 width 4 from").And.Contain("lr 0.01 (head 0.05)").And.Contain("BN frozen").And.Contain("macro accuracy"));
        // The checkpoint fixes the architecture.
        AssertOneErrorLine(Moco(Args(Path.Combine(pretrain, "last.ckpt"), Path.Combine(dir, "ft2"), "--width", "8")), "--arch and --width are the checkpoint's");
    }

    [Test]
    public void Bad_input_gives_one_clear_error()
    {
        AssertOneErrorLine(Moco(Args("random", Path.Combine(dir, "a"), "--labels-per-class", "20")), "20 training images per class were asked for, but '0' has 16");
        AssertOneErrorLine(Moco(Args("random", Path.Combine(dir, "a"), "--labels-per-class", "5,x")), "'x' is not a positive count or 'all'");
        AssertOneErrorLine(Moco(Args(Path.Combine(dir, "none.ckpt"), Path.Combine(dir, "b"))), "no such checkpoint");
        AssertOneErrorLine(Moco(Args("random", Path.Combine(dir, "c"), "--label-fraction", "0.5")), "not both");
        // A label-less source: the images without their label file.
        string unlabelled = Path.Combine(dir, "unlabelled");
        Directory.CreateDirectory(unlabelled);
        File.Copy(Path.Combine(dir, "train-images-idx3-ubyte"), Path.Combine(unlabelled, "train-images-idx3-ubyte"));
        AssertOneErrorLine(Moco(["finetune", "--init", "random", "--train", $"idx:{unlabelled}:train", "--test", $"idx:{dir}:test", "--out", Path.Combine(dir, "d")]),
            "train-labels-idx1-ubyte");
        AssertOneErrorLine(Moco(["finetune", "--init", "random", "--train", dir, "--test", $"idx:{dir}:test", "--out", Path.Combine(dir, "e")]), "both as IDX data or both as image files");
        AssertOneErrorLine(Moco(["finetune", "--train", $"idx:{dir}:train", "--out", Path.Combine(dir, "f")]), "--init is needed");
    }

    [Test]
    public void A_budget_list_runs_one_folder_per_budget_and_draw_and_writes_the_curve_probe_plot_reads()
    {
        string run = Path.Combine(dir, "curve");
        var result = Moco(Args("random", run, "--width", "4", "--labels-per-class", "2,all", "--draws", "2", "--json"));
        Assert.That(result.Code, Is.EqualTo(0), result.Error);
        Assert.That(Directory.GetDirectories(run).Select(Path.GetFileName).Order(), Is.EqualTo(new[] { "all", "lpc-2", "lpc-2-draw-1" }), "'all' is one draw");
        var lines = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.That(lines.Select(l => (l.GetProperty("labels_per_class").ToString(), l.GetProperty("draw").GetInt32(), l.GetProperty("train_images").GetInt32())),
            Is.EqualTo(new[] { ("2", 0, 8), ("2", 1, 8), ("all", 0, 64) }));
        foreach (string sub in new[] { "all", "lpc-2", "lpc-2-draw-1" })
            Assert.That(File.Exists(Path.Combine(run, sub, "last.ckpt")) && File.Exists(Path.Combine(run, sub, "model.zip")), sub);
        // moco probe's CSV: a row per draw, then the budget's mean; the fine-tuned top-1 in the linear columns.
        var csv = File.ReadAllLines(Path.Combine(run, "label-efficiency.csv"));
        Assert.That(csv[0], Is.EqualTo("curve,budget,draw,train_images,labels_per_class,linear_top1,linear_top1_sd,knn_top1,knn_top1_sd"));
        Assert.That(csv.Skip(1).Select(l => string.Join(",", l.Split(',').Take(4))),
            Is.EqualTo(new[] { "fine-tuned random init,2,0,8", "fine-tuned random init,2,1,8", "fine-tuned random init,2,mean,8", "fine-tuned random init,all,0,64", "fine-tuned random init,all,mean,64" }));
        double top1(int line) => double.Parse(csv[line].Split(',')[5], System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(top1(3), Is.EqualTo((top1(1) + top1(2)) / 2).Within(1e-12), "the mean row is the draws' mean");
        Assert.That(top1(1), Is.EqualTo(lines[0].GetProperty("top1").GetDouble()).Within(1e-12));
        // One figure with the fine-tuned curve, drawn by moco probe plot.
        string figure = Path.Combine(dir, "figure.svg");
        var plot = Moco(["probe", "plot", "--out", figure, Path.Combine(run, "label-efficiency.csv")]);
        Assert.That(plot.Code, Is.EqualTo(0), plot.Error);
        Assert.That(File.ReadAllText(figure), Does.Contain("fine-tuned random init: linear"));
        // --resume over finished runs trains nothing and reports the same figures.
        var again = Moco([.. Args("random", run, "--labels-per-class", "2,all", "--draws", "2", "--json", "--resume").Where((_, i) => i is not (1 or 2))]);
        Assert.That(again.Code, Is.EqualTo(0), again.Error);
        Assert.That(again.Out, Is.EqualTo(result.Out));
        // A single run's folder resumed as another budget is refused, not silently trained on its own.
        AssertOneErrorLine(Moco([.. Args("random", Path.Combine(run, "lpc-2"), "--labels-per-class", "3", "--resume").Where((_, i) => i is not (1 or 2))]),
            "trains on 2 per class (draw 0), not 3 per class");
    }

    [Test]
    public void Epochs_take_one_value_per_budget_in_its_order()
    {
        string run = Path.Combine(dir, "epochs");
        string[] Args(string epochs, string output) =>
            ["finetune", "--init", "random", "--width", "4", "--train", $"idx:{dir}:train", "--test", $"idx:{dir}:test", "--batch", "8", "--threads", "1",
             "--eval-every", "0", "--labels-per-class", "2,4", "--epochs", epochs, "--out", output, "--json"];
        var result = Moco(Args("3,1", run));
        Assert.That(result.Code, Is.EqualTo(0), result.Error);
        var lines = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.That(lines.Select(l => (l.GetProperty("labels_per_class").ToString(), l.GetProperty("epochs").GetInt32())), Is.EqualTo(new[] { ("2", 3), ("4", 1) }));
        Assert.That(File.ReadLines(Path.Combine(run, "lpc-2", "log.jsonl")).Count(), Is.EqualTo(3));
        Assert.That(File.ReadLines(Path.Combine(run, "lpc-4", "log.jsonl")).Count(), Is.EqualTo(1));
        AssertOneErrorLine(Moco(Args("3,1,2", Path.Combine(dir, "e1"))), "3 values for 2 label budget(s)");
        AssertOneErrorLine(Moco(Args("3,0", Path.Combine(dir, "e2"))), "'0' is not a positive whole number");
    }

    [Test]
    public void The_shared_options_mean_what_they_mean_in_pretrain()
    {
        var o = new Commands.FinetuneCommand.Options();
        var r = Commands.FinetuneCommand.Create(o).Parse(["--init", "random", "--seed", "5000000000", "--device", "cuda:1", "--arch", "resnet34", "--width", "8"]);
        Assert.That(r.Errors, Is.Empty);
        Assert.That(r.GetValue(o.Shared.Seed), Is.EqualTo(5000000000UL), "--seed is 64 bits everywhere");
        Assert.That(o.Shared.Device.Get(r).Name, Is.EqualTo("cuda:1"));
        Assert.That((r.GetValue(o.Shared.Arch), r.GetValue(o.Shared.Width)), Is.EqualTo(("resnet34", (int?)8)));
    }
}
